export * from './feedback.module';
export * from './feedback.service';
