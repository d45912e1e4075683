export * from './schemes';
export * from './contracts.repository';
export * from './contracts.service';
export * from './contracts.module';
