// @pss/protocol: the MQTT contract between edge gateways, the cloud and resources. Pure: no broker, no I/O.
// docs/protocol.md is the prose version of this library.
export * from './types';
export * from './limits';
export * from './topics';
export * from './messages';
export * from './codec';
export * from './idempotency';
export * from './workorders';
export * from './telemetry';
export * from './examples';
export { PayloadReader, checkStatusRef, checkWindowKey, hasControlCharacter, isWellFormed } from './fields';
