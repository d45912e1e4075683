export * from './ids';
export * from './network';
export * from './models.service';
export * from './assets.service';
export * from './models.module';
