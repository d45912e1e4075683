// What a data source (OPC UA client, embedded broker, external broker) gives the gateway core, and what the core
// asks of it. Sources are thin adapters: they turn protocol messages into samples and report what they could not
// turn, and never evaluate triggers, batch telemetry or decide what to drop (the core does, counting every cause).
import type { Sample } from '@pss/triggers';

/**
 * Why input never became a sample. The trigger engine adds its own causes for samples it refuses (late,
 * non-finite, out-of-range, unknown status or asset); these are the ones found before a sample exists.
 */
export type InputRejectCause =
  /** Not parseable: not JSON, not a Sparkplug B protobuf, not UTF-8. */
  | 'malformed-payload'
  /** A message on a topic no binding reads (a device publishing where nothing listens). */
  | 'unknown-topic'
  /** A bound JSON path or metric is missing from the message. */
  | 'missing-value'
  /** The value is there but not a number (a string, an object, a boolean). */
  | 'not-a-number'
  /** The time field is there but is neither epoch ms nor ISO 8601. */
  | 'invalid-time'
  /** OPC UA data value with a Bad (or Uncertain) status code. */
  | 'bad-quality'
  /** A key of a values object that names no status of the model. */
  | 'unknown-status'
  /** A Sparkplug message out of sequence or before its birth (values are still used when they can be). */
  | 'sparkplug-sequence';

export const INPUT_REJECT_CAUSES: readonly InputRejectCause[] = [
  'malformed-payload', 'unknown-topic', 'missing-value', 'not-a-number', 'invalid-time', 'bad-quality', 'unknown-status', 'sparkplug-sequence',
];

/** Where a source delivers. Both calls are synchronous and never throw: the core counts, logs and drops. */
export interface SampleSink {
  /** A reading. `source` names the source (for metrics); the core validates the sample against the model. */
  sample(sample: Sample, source: string): void;
  /** Input that could not become a sample. `detail` says what was wrong, naming the topic/node and field. */
  reject(cause: InputRejectCause, detail: string, source: string): void;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'listening' | 'stopped';

export interface SourceStatus {
  /** e.g. `opcua:sim`, `mqtt:embedded`, `mqtt:plant`. */
  name: string;
  kind: 'opcua' | 'mqtt-embedded' | 'mqtt-external';
  state: ConnectionState;
  /** Reconnections since start (after a loss; not the first connection). */
  reconnects: number;
  /** OPC UA: monitored items created and alive; MQTT: subscriptions. */
  items: number;
  /** Embedded broker: connected clients. */
  clients?: number;
  /** The last connection error, if any, for the health endpoint. */
  lastError?: string;
}

/** A data source the gateway starts and stops. */
export interface SampleSource {
  readonly name: string;
  /**
   * Starts connecting (and keeps retrying in the background on failure: a server that is down at start is not an
   * error). Resolves once the source is set up, not necessarily connected; rejects only for errors a retry cannot
   * fix (a port in use, an unreadable certificate).
   */
  start(): Promise<void>;
  /** Disconnects and releases everything; idempotent. */
  stop(): Promise<void>;
  status(): SourceStatus;
}

/** A logger shaped like pino's (the gateway passes a pino child logger; tests may pass a recorder). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
