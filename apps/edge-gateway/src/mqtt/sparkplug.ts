// Sparkplug B as a consumer sees it: topics, payload decoding, metric values as numbers, and the per edge node
// state that the sequence check and metric aliases need.
//
//   spBv1.0/{group}/NBIRTH|NDEATH|NDATA|NCMD/{node}
//   spBv1.0/{group}/DBIRTH|DDATA|DDEATH|DCMD/{node}/{device}
//
// seq runs 0..255 per edge node over NBIRTH (always 0), NDATA, DBIRTH, DDATA and DDEATH, and wraps. NDEATH carries
// no seq but the bdSeq of the NBIRTH it ends (it is the MQTT will of that session): an NDEATH with another bdSeq is
// the late will of an older session and changes nothing.
import { get } from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';

export const SPARKPLUG_NAMESPACE = 'spBv1.0';
export const BDSEQ_METRIC = 'bdSeq';

export type SparkplugNodeMessage = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD';
export type SparkplugDeviceMessage = 'DBIRTH' | 'DDATA' | 'DDEATH' | 'DCMD';
export const SPARKPLUG_NODE_MESSAGES: readonly SparkplugNodeMessage[] = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'];
export const SPARKPLUG_DEVICE_MESSAGES: readonly SparkplugDeviceMessage[] = ['DBIRTH', 'DDATA', 'DDEATH', 'DCMD'];

export type { UMetric, UPayload };

const codec = get(SPARKPLUG_NAMESPACE);
if (codec === null) throw new Error(`sparkplug-payload does not know the namespace ${SPARKPLUG_NAMESPACE}`);
const spB = codec;

export function sparkplugNodeTopic(group: string, type: SparkplugNodeMessage, node: string): string {
  return `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}`;
}

export function sparkplugDeviceTopic(group: string, type: SparkplugDeviceMessage, node: string, device: string): string {
  return `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}/${device}`;
}

export type DecodedPayload = { ok: true; payload: UPayload } | { ok: false; problem: string };

/** Decodes a Sparkplug B protobuf; protobufjs throws on bytes that are not one. */
export function decodeSparkplugPayload(bytes: Uint8Array): DecodedPayload {
  try {
    return { ok: true, payload: spB.decodePayload(bytes) };
  } catch (e) {
    return { ok: false, problem: `not a Sparkplug B payload (${e instanceof Error ? e.message : String(e)})` };
  }
}

export function encodeSparkplugPayload(payload: UPayload): Buffer {
  return Buffer.from(spB.encodePayload(payload));
}

/** A protobufjs 64-bit integer (the `long` package's Long), as Sparkplug decodes UInt64, Int64 and timestamps. */
interface LongLike {
  unsigned: boolean;
  toNumber(): number;
  toSigned(): LongLike;
}

function isLong(value: unknown): value is LongLike {
  return typeof value === 'object' && value !== null && 'toNumber' in value && typeof value.toNumber === 'function' && 'toSigned' in value && typeof value.toSigned === 'function';
}

/** A seq, bdSeq, alias or timestamp (number or Long) as a number; undefined when absent or not an integer. */
export function sparkplugInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (isLong(value)) return value.toNumber();
  return undefined;
}

export type MetricNumber = { ok: true; value: number } | { ok: false; cause: 'missing-value' | 'not-a-number'; problem: string };

/**
 * A metric's value as a number. Integers of 64 bits arrive as unsigned Longs whatever their datatype, so an Int64
 * is made signed again; beyond 2^53 precision is lost, which no status needs.
 */
export function metricNumber(metric: UMetric): MetricNumber {
  const value: unknown = metric.value;
  if (metric.isNull === true || value === null || value === undefined) return { ok: false, cause: 'missing-value', problem: 'has no value (null)' };
  if (typeof value === 'number') return { ok: true, value };
  // A Boolean metric (a door switch, a fault flag) is a status of 0 or 1, as OPC UA booleans are.
  if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
  if (isLong(value)) return { ok: true, value: metric.type === 'Int64' ? value.toSigned().toNumber() : value.toNumber() };
  const shown = typeof value === 'string' ? `${JSON.stringify(value.length > 32 ? `${value.slice(0, 32)}…` : value)} ` : typeof value === 'boolean' ? `${value} ` : '';
  return { ok: false, cause: 'not-a-number', problem: `is ${shown}of type ${metric.type ?? 'unknown'}, not a number` };
}

/** One device under an edge node: whether its DBIRTH is current, and the aliases that DBIRTH defined. */
export class SparkplugDeviceState {
  born = false;
  /** A message before the DBIRTH was already reported since the device last changed state. */
  unbornReported = false;
  readonly aliases = new Map<number, string>();

  constructor(readonly id: string) {}

  birth(metrics: readonly UMetric[]): void {
    this.born = true;
    this.unbornReported = false;
    this.aliases.clear();
    for (const m of metrics) {
      const alias = sparkplugInteger(m.alias);
      if (alias !== undefined && typeof m.name === 'string' && m.name !== '') this.aliases.set(alias, m.name);
    }
  }

  death(): void {
    this.born = false;
    this.unbornReported = false;
    this.aliases.clear();
  }
}

/** One edge node on one broker: its seq and bdSeq, and its devices. */
export class SparkplugNodeState {
  /** The seq the next NDATA/DBIRTH/DDATA/DDEATH should carry; undefined while no NBIRTH is current. */
  nextSeq: number | undefined;
  bdSeq: number | undefined;
  /** A message before the NBIRTH was already reported since the node last changed state. */
  unbornReported = false;
  readonly devices = new Map<string, SparkplugDeviceState>();

  constructor(readonly label: string) {}

  device(id: string): SparkplugDeviceState {
    let d = this.devices.get(id);
    if (!d) {
      d = new SparkplugDeviceState(id);
      this.devices.set(id, d);
    }
    return d;
  }

  /** An NBIRTH: every device must be born again. Returns a problem with its seq, if any. */
  birth(payload: UPayload): string | undefined {
    const seq = sparkplugInteger(payload.seq);
    this.nextSeq = ((seq ?? 0) + 1) % 256;
    this.bdSeq = bdSeqOf(payload);
    this.unbornReported = false;
    for (const d of this.devices.values()) d.death();
    if (seq === undefined) return 'carries no seq';
    if (seq !== 0) return `has seq ${seq}, expected 0`;
    return undefined;
  }

  /** An NDEATH: false when it is the late will of an older session (another bdSeq), which changes nothing. */
  death(payload: UPayload): boolean {
    const bdSeq = bdSeqOf(payload);
    if (bdSeq !== undefined && this.bdSeq !== undefined && bdSeq !== this.bdSeq) return false;
    this.nextSeq = undefined;
    this.unbornReported = false;
    for (const d of this.devices.values()) d.death();
    return true;
  }

  /**
   * Checks the seq of a message after the NBIRTH (NDATA and device messages) and advances. A gap is reported once
   * and the count resynchronised on the message; messages before any NBIRTH are reported once until the next birth.
   */
  advance(payload: UPayload): string | undefined {
    const seq = sparkplugInteger(payload.seq);
    if (this.nextSeq === undefined) {
      if (this.unbornReported) return undefined;
      this.unbornReported = true;
      return `arrived before the NBIRTH of edge node ${this.label}`;
    }
    if (seq === undefined) return 'carries no seq';
    const expected = this.nextSeq;
    this.nextSeq = (seq + 1) % 256;
    if (seq !== expected) return `has seq ${seq}, expected ${expected}`;
    return undefined;
  }
}

function bdSeqOf(payload: UPayload): number | undefined {
  const metric = (payload.metrics ?? []).find((m) => m.name === BDSEQ_METRIC);
  return metric ? sparkplugInteger(metric.value) : undefined;
}
