// What the end-to-end benchmark needs from a system under test (Node-RED, the edge gateway, ...): how to start and
// stop it, what it reads, what it writes and how to tie one output event to the input sample that caused it.
// Both systems here read the same vehicle JSON on `vehicles/<asset>/telemetry`; only their outputs differ.

export interface StartContext {
  /** mqtt://host:port of the broker the samples arrive on. */
  inputUrl: string;
  /** mqtt://host:port of the broker the system publishes its events to. */
  outputUrl: string;
  assets: string[];
  /** An event is due for every sample whose `p.axle.vibration_rms` is above this. */
  threshold: number;
  /** A fresh directory for the system's files (configuration, state), removed after the run. */
  workDir: string;
}

/** What an output event says about its cause: the asset, and the sample's time (or a time near it: see stats.matchEvents). */
export interface OutputMatch {
  asset: string;
  time: number;
}

export interface SystemUnderTest {
  readonly name: string;
  /** Starts the system reading samples from `inputUrl` and publishing events to `outputUrl`; resolves when it runs. */
  start(ctx: StartContext): Promise<void>;
  /** Topic the load generator publishes each asset's samples to. */
  inputTopic(asset: string): string;
  /** The payload of one sample. */
  payload(asset: string, seq: number, time: number, value: number): Buffer;
  /** Topic filter of its output events. */
  readonly outputFilter: string;
  /** The input an output message answers; null for a message that is not one of its events. */
  parseOutput(topic: string, payload: Buffer): OutputMatch | null;
  /** Samples processed so far, if the system can tell (for the sustained-rate check); else null. */
  processed(): Promise<number | null>;
  /** The process to measure (CPU, RSS) with all its descendants; undefined before start. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/** The status the benchmark's trigger watches, as `<part>.<status>`. */
export const VIBRATION = 'p.axle.vibration_rms';

/** Where the vehicle simulator publishes (simulators/vehicle-mqtt): `vehicles/<vehicle>/telemetry`. */
export function vehicleTopic(asset: string): string {
  return `vehicles/${asset}/telemetry`;
}

/**
 * One sample in the vehicle simulator's JSON shape, built as text: JSON.stringify of an object per sample would cost
 * the load generator more than the formatting below, and its CPU shares the machine with the system under test.
 */
export function vehiclePayload(asset: string, seq: number, time: number, value: number): Buffer {
  return Buffer.from(`{"vehicle":"${asset}","time":${time},"seq":${seq},"values":{"${VIBRATION}":${value}}}`, 'utf8');
}

/** `car-0001` ... : the asset ids of a run. */
export function assetIds(count: number): string[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => `car-${String(i + 1).padStart(width, '0')}`);
}
