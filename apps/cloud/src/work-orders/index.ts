export * from './work-orders.module';
export * from './work-order.service';
export * from './work-order-messages';
export * from './work-order-queries';
export * from './webhook';
