// The gateway's configuration after loading and validation: every default applied, every path absolute, every
// `{asset}` template expanded, every binding checked against the model. The YAML file's shape is documented in
// docs/configuration.md; `loadConfig` turns one into the other or fails with every problem at once.
import type { PssModel } from '@pss/model';

export type OpcUaSecurityMode = 'None' | 'Sign' | 'SignAndEncrypt';
export type OpcUaSecurityPolicy = 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';

/** How the gateway identifies itself to an OPC UA server. */
export type OpcUaUserIdentity =
  | { type: 'anonymous' }
  | { type: 'username'; username: string; password: string }
  | { type: 'certificate'; certificateFile: string; privateKeyFile: string };

export interface OpcUaEndpointConfig {
  /** The name assets refer to. */
  name: string;
  /** opc.tcp://host:port[/path] */
  url: string;
  securityMode: OpcUaSecurityMode;
  securityPolicy: OpcUaSecurityPolicy;
  user: OpcUaUserIdentity;
  /** Publishing interval of the subscriptions, ms (default 1000). */
  publishingIntervalMs: number;
  /** Monitored items per subscription (default 5000); more items open more subscriptions on one session. */
  maxItemsPerSubscription: number;
  /** Items created per CreateMonitoredItems call (default 1000), within the server's operation limits. */
  maxItemsPerCreateCall: number;
  /** Where the client keeps its own certificate and the trusted/rejected server certificates. */
  pkiDir: string;
  /** Accept a server certificate not yet trusted (default false unless securityMode is None). */
  trustUnknownServerCertificate: boolean;
  /** Delay before the first reconnection attempt and its cap, ms (defaults 1000 and 30000). */
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
}

/** One monitored OPC UA variable that feeds one status of one asset. */
export interface OpcUaBinding {
  asset: string;
  part: string;
  status: string;
  endpoint: string;
  /** In the string form node-opcua parses: `ns=1;s=elevator-01/p.brake/brake_wear`. */
  nodeId: string;
  samplingIntervalMs: number;
}

export interface TlsConfig {
  /** PEM file paths, absolute. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Default true. */
  rejectUnauthorized: boolean;
}

export interface BrokerConnectionConfig {
  /** mqtt://, mqtts://, ws:// or wss:// */
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  tls?: TlsConfig;
  keepaliveS: number;
  /** MQTT protocol version (default 5). */
  protocolVersion: 4 | 5;
  reconnectPeriodMs: number;
}

/** An external broker the gateway subscribes to for device data. */
export interface ExternalBrokerConfig extends BrokerConnectionConfig {
  name: string;
}

export interface DeviceCredentials {
  username: string;
  /** Compared in constant time. From the environment (`${env:NAME}`) in real deployments. */
  password: string;
  /** MQTT topic filters the device may publish to; `{username}` is replaced by its username. */
  publish: string[];
  /** MQTT topic filters the device may subscribe to. */
  subscribe: string[];
}

export interface EmbeddedBrokerConfig {
  host: string;
  /** 0 = any free port (tests); the bound port is reported by the broker. */
  port: number;
  /** Devices and their ACLs. An empty list with allowAnonymous false refuses everyone. */
  devices: DeviceCredentials[];
  /** Accept clients without credentials, with full access (default false: only for a closed lab network). */
  allowAnonymous: boolean;
  /**
   * Topic filters whose messages devices may publish (their ACL still applies) but that carry no statuses, e.g. a
   * device's own online/offline topic: not routed and not counted as unknown topics.
   */
  ignoreTopics: string[];
}

/**
 * One MQTT subscription that feeds statuses of one asset. `broker` is "embedded" or the name of an external broker.
 * A JSON message yields one sample per mapped value; a Sparkplug B DDATA/DBIRTH yields one per mapped metric.
 */
export type MqttBinding = MqttJsonBinding | MqttSparkplugBinding;

export interface MqttJsonBinding {
  format: 'json';
  asset: string;
  broker: string;
  /** An exact topic (no wildcards), templates already expanded. */
  topic: string;
  /** JSON path (`$.time`, `$.values['p.axle.wear']`) to the sample time: epoch ms number or ISO 8601 text; absent = receipt time. */
  timePath?: string;
  /** Status reference `<part>.<status>` → JSON path of its value. */
  values: Record<string, string>;
  /**
   * JSON path to an object whose keys are status references (`{"p.axle.vibration_rms": 7.1, ...}`): every key that
   * names a status of the model becomes a sample; unknown keys are counted as unknown statuses.
   */
  valuesObjectPath?: string;
}

export interface MqttSparkplugBinding {
  format: 'sparkplug';
  asset: string;
  broker: string;
  /** Sparkplug B group, edge node and device ids: topics spBv1.0/{group}/DBIRTH|DDATA/{node}/{device}. */
  group: string;
  node: string;
  device: string;
  /** Status reference → metric name. Statuses of the model not listed use the metric `<part>/<status>`. */
  metrics: Record<string, string>;
}

export interface TelemetryConfig {
  /** Send telemetry at all (default true). */
  enabled: boolean;
  /** `raw` sends every accepted sample; the others aggregate per status over `intervalMs`. Default avg. */
  method: 'raw' | 'avg' | 'min' | 'max' | 'last';
  /** Aggregation interval, ms (default 10000). Ignored for raw. */
  intervalMs: number;
  /** How often a batch is cut from what is pending, ms (default 1000). */
  flushMs: number;
  /** QoS of telemetry publications (default 1: the spool forgets a batch once the broker has it). */
  qos: 0 | 1;
}

export interface UplinkConfig extends BrokerConnectionConfig {
  /** Re-send a trigger event not acknowledged by the cloud after this long, doubling up to maxAckTimeoutMs. */
  ackTimeoutMs: number;
  maxAckTimeoutMs: number;
  /** Publications handed to the MQTT client and not yet acknowledged by the broker (PUBACK), at most. */
  maxInflight: number;
  /** Session expiry for the persistent session, s (MQTT 5). */
  sessionExpiryS: number;
}

export interface SpoolConfig {
  dir: string;
  maxBytes: number;
}

export interface HttpConfig {
  host: string;
  /** 0 = any free port. */
  port: number;
}

export interface AssetConfig {
  id: string;
  /** The triggers this asset runs (its service contract); undefined = all of the model's. */
  triggers?: string[];
}

export interface GatewayConfig {
  /** The configuration file, absolute. */
  file: string;
  tenant: string;
  gateway: string;
  /** The PSS model file, absolute, and the model read from it. */
  modelFile: string;
  model: PssModel;
  /** State directory: the spool (spool/) and the trigger engine's snapshot (state.json). */
  dataDir: string;
  uplink: UplinkConfig;
  spool: SpoolConfig;
  telemetry: TelemetryConfig;
  http: HttpConfig;
  /** A sample older than its status's newest by more than this is rejected as late (default 5000). */
  lateToleranceMs: number;
  /** How often time advances the trigger engine without samples (default 1000). */
  tickMs: number;
  /** How often the engine's state is saved besides after every firing and close (default 10000). */
  snapshotMs: number;
  /** Log each cause of rejected input at most once per this many ms (default 60000). */
  rejectLogIntervalMs: number;
  embeddedBroker?: EmbeddedBrokerConfig;
  brokers: ExternalBrokerConfig[];
  opcuaEndpoints: OpcUaEndpointConfig[];
  assets: AssetConfig[];
  opcua: OpcUaBinding[];
  mqtt: MqttBinding[];
}
