// The cloud's persistence: the Database port and its adapters, migrations, and one repository per aggregate.
export * from './database';
export * from './sql-errors';
export * from './pg-database';
export * from './pglite-database';
export * from './open-database';
export * from './migrations';
export * from './ids';
export * from './work-order-states';
export * from './work-order-progress';
export * from './repositories';
