export * from './run-control';
export * from './front';
export * from './configuration-space';
export * from './exact-configuration';
export * from './exact-pes';
