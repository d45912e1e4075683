// The OPC UA data source of the edge gateway.
export { OpcUaSource, type OpcUaSourceOptions } from './opcua-source';
export { OpcUaConfigError } from './security';
