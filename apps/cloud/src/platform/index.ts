// The platform every cloud module builds on: injection tokens and ports, configuration, auth, errors and request
// readers, health and metrics registries, the MQTT broker and publisher, and the app's start-up steps.
export * from './tokens';
export * from './config';
export * from './errors';
export * from './body';
export * from './http-types';
export * from './auth.guard';
export * from './authenticator';
export * from './broker-acl';
export * from './embedded-broker';
export * from './mqtt-publisher';
export * from './health';
export * from './metrics';
export * from './logger';
export * from './openapi';
export * from './version';
export * from './platform.module';
export * from './bootstrap';
