// MQTT data sources of the edge gateway: the router that turns JSON and Sparkplug B messages into samples, the
// embedded broker devices publish to, and the client for external brokers.
export { type CompiledJsonPath, JsonPathError, type JsonPathSegment, compileJsonPath, readJsonPath } from './json-path';
export { type TimeParse, parseSampleTime, parseIsoDateTime } from './sample-time';
export { type ModelPart, StatusCatalog, type StatusRef } from './status-catalog';
export { filterCovers, topicFilterProblem, topicNameProblem } from './topic-filter';
export { MqttBindingError, MqttRouter } from './router';
export { SPARKPLUG_NAMESPACE, sparkplugDeviceTopic, sparkplugNodeTopic } from './sparkplug';
export { type ClientIdentity, DeviceAclError, DeviceAuthenticator } from './device-auth';
export type { RefusalCounts, RefusalKind } from './refusals';
export { EMBEDDED_BROKER, EmbeddedBroker, type EmbeddedBrokerOptions, type EmbeddedBrokerStats } from './embedded-broker';
export { ExternalBrokerSource, type ExternalBrokerSourceOptions, SESSION_EXPIRY_S } from './external-broker';
