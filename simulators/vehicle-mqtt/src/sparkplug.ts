// Sparkplug B for one vehicle (pure apart from protobuf encoding): one edge node per vehicle, one device under it.
//
//   spBv1.0/{group}/NBIRTH/{vehicle}            seq 0, metrics bdSeq, Node Control/Rebirth, Node Info/Model
//   spBv1.0/{group}/DBIRTH/{vehicle}/{device}   every status as metric `<part>/<status>` with datatype, value,
//                                               timestamp and properties engUnit, engLow, engHigh
//   spBv1.0/{group}/DDATA/{vehicle}/{device}    the metrics whose value changed since the last DBIRTH/DDATA
//   spBv1.0/{group}/DDEATH/{vehicle}/{device}   on a clean stop, before NDEATH
//   spBv1.0/{group}/NDEATH/{vehicle}            the MQTT last will (QoS 1), and published on a clean stop; bdSeq
//   spBv1.0/{group}/NCMD/{vehicle}              subscribed: `Node Control/Rebirth` = true makes the node re-birth
//
// seq runs 0..255 and wraps, per edge node, over NBIRTH, DBIRTH, DDATA and DDEATH; every birth starts again at 0.
// bdSeq starts at 0 and grows by one (0..255, wrapping) for every new MQTT session: the NDEATH registered as will
// in the CONNECT and the NBIRTH that follows carry the same bdSeq.
import { get } from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import { StatusChannel } from './fleet';

export const NAMESPACE = 'spBv1.0';
export const DEFAULT_GROUP = 'pss';
export const DEFAULT_DEVICE = 'vehicle';
export const REBIRTH_METRIC = 'Node Control/Rebirth';
export const BDSEQ_METRIC = 'bdSeq';

export type NodeMessageType = 'NBIRTH' | 'NDEATH' | 'NCMD' | 'NDATA';
export type DeviceMessageType = 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD';

const codec = get(NAMESPACE);
if (codec === null) throw new Error(`sparkplug-payload does not know the namespace ${NAMESPACE}`);
const spB = codec;

export function encodePayload(payload: UPayload): Buffer {
  return Buffer.from(spB.encodePayload(payload));
}

export function decodePayload(bytes: Uint8Array): UPayload {
  return spB.decodePayload(bytes);
}

export function nodeTopic(group: string, type: NodeMessageType, node: string): string {
  return `${NAMESPACE}/${group}/${type}/${node}`;
}

export function deviceTopic(group: string, type: DeviceMessageType, node: string, device: string): string {
  return `${NAMESPACE}/${group}/${type}/${node}/${device}`;
}

/** `<part>/<status>`: Sparkplug folders by part. */
export function metricName(channel: StatusChannel): string {
  return `${channel.part}/${channel.key}`;
}

/** Sparkplug ids may not contain MQTT separators or wildcards. */
export function checkSparkplugId(what: string, id: string): string | undefined {
  if (id === '' || /[/+#]/.test(id)) return `${what} must be non-empty without "/", "+" or "#", got ${JSON.stringify(id)}`;
  return undefined;
}

export interface SparkplugMessage {
  topic: string;
  payload: Buffer;
  /** The payload's seq (undefined for NDEATH). */
  seq?: number;
  /** Metrics carried. */
  metrics: number;
}

export interface SparkplugNodeOptions {
  group: string;
  node: string;
  device: string;
  model: string;
  channels: readonly StatusChannel[];
}

/** The Sparkplug state of one edge node: seq, bdSeq and the values last published (for report by exception). */
export class SparkplugNode {
  private seqNext = 0;
  private bdSeqValue = 0;
  private last: Float64Array | null = null;
  private readonly names: string[];

  constructor(readonly options: SparkplugNodeOptions) {
    for (const [what, id] of [['group id', options.group], ['edge node id', options.node], ['device id', options.device]] as const) {
      const problem = checkSparkplugId(what, id);
      if (problem) throw new Error(problem);
    }
    this.names = options.channels.map(metricName);
  }

  /** The bdSeq of the current (or next) MQTT session. */
  get bdSeq(): number {
    return this.bdSeqValue;
  }

  /** The seq the next message will carry. */
  get seq(): number {
    return this.seqNext;
  }

  /** Whether a birth has been published in the current session (DDATA needs one). */
  get born(): boolean {
    return this.last !== null;
  }

  /** A session ended: the next CONNECT carries a will with the next bdSeq, and data waits for a new birth. */
  sessionLost(): void {
    this.bdSeqValue = (this.bdSeqValue + 1) % 256;
    this.last = null;
  }

  /** The NDEATH payload for the current bdSeq (the will of the next CONNECT, or an explicit death). */
  death(timestamp: number): SparkplugMessage {
    const payload: UPayload = { timestamp, metrics: [{ name: BDSEQ_METRIC, type: 'UInt64', value: this.bdSeqValue }] };
    return { topic: nodeTopic(this.options.group, 'NDEATH', this.options.node), payload: encodePayload(payload), metrics: 1 };
  }

  /** NBIRTH (seq 0) and DBIRTH (seq 1) with every metric's current value. */
  birth(values: Float64Array, timestamp: number): [SparkplugMessage, SparkplugMessage] {
    const { group, node, device, channels, model } = this.options;
    this.seqNext = 0;
    const nodeMetrics: UMetric[] = [
      { name: BDSEQ_METRIC, type: 'UInt64', value: this.bdSeqValue },
      { name: REBIRTH_METRIC, type: 'Boolean', value: false },
      { name: 'Node Info/Model', type: 'String', value: model },
    ];
    const nbirth = this.message(nodeTopic(group, 'NBIRTH', node), timestamp, nodeMetrics);
    const deviceMetrics = channels.map((c, i): UMetric => {
      const metric: UMetric = { name: this.names[i], type: c.type, value: values[i], timestamp };
      const properties: NonNullable<UMetric['properties']> = {};
      if (c.unit !== undefined) properties.engUnit = { type: 'String', value: c.unit };
      if (c.min !== undefined) properties.engLow = { type: 'Double', value: c.min };
      if (c.max !== undefined) properties.engHigh = { type: 'Double', value: c.max };
      if (Object.keys(properties).length > 0) metric.properties = properties;
      return metric;
    });
    const dbirth = this.message(deviceTopic(group, 'DBIRTH', node, device), timestamp, deviceMetrics);
    this.last = Float64Array.from(values);
    return [nbirth, dbirth];
  }

  /** DDATA with the metrics that changed since the last birth or data message; null when nothing changed. */
  data(values: Float64Array, timestamp: number): SparkplugMessage | null {
    if (this.last === null) throw new Error(`${this.options.node}: DDATA before DBIRTH`);
    const metrics: UMetric[] = [];
    for (let i = 0; i < values.length; i++) {
      if (values[i] === this.last[i]) continue;
      metrics.push({ name: this.names[i], type: this.options.channels[i].type, value: values[i], timestamp });
      this.last[i] = values[i];
    }
    if (metrics.length === 0) return null;
    const { group, node, device } = this.options;
    return this.message(deviceTopic(group, 'DDATA', node, device), timestamp, metrics);
  }

  deviceDeath(timestamp: number): SparkplugMessage {
    const { group, node, device } = this.options;
    return this.message(deviceTopic(group, 'DDEATH', node, device), timestamp, []);
  }

  private message(topic: string, timestamp: number, metrics: UMetric[]): SparkplugMessage {
    const seq = this.seqNext;
    this.seqNext = (this.seqNext + 1) % 256;
    return { topic, payload: encodePayload({ timestamp, seq, metrics }), seq, metrics: metrics.length };
  }
}

/** Whether an NCMD payload asks for a rebirth. */
export function isRebirthRequest(payload: UPayload): boolean {
  return (payload.metrics ?? []).some((m) => m.name === REBIRTH_METRIC && m.value === true);
}

/** A Sparkplug integer (number or Long) as a number. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'toNumber' in value && typeof value.toNumber === 'function') {
    const n: unknown = value.toNumber();
    if (typeof n === 'number') return n;
  }
  throw new Error(`not a Sparkplug number: ${String(value)}`);
}

/**
 * Which vehicles speak Sparkplug: with share f, vehicle number i (1-based) does when floor(i·f) > floor((i-1)·f),
 * which spreads floor(N·f) of them evenly (f = 0.2: every fifth, car-0005, car-0010, ...).
 */
export function isSparkplugVehicle(index: number, share: number): boolean {
  const i = index + 1;
  const eps = 1e-9;
  return Math.floor(i * share + eps) > Math.floor((i - 1) * share + eps);
}
