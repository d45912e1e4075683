// The pipeline's entry: trigger events in, the live event bus, shared inbound checks and HTTP helpers.
export * from './triggers.module';
export * from './trigger.service';
export * from './trigger-store';
export * from './live-events';
export * from './inbound';
export * from './model-catalog';
export * from './mqtt-deserializer';
export * from './pipeline-options';
export * from './http';
