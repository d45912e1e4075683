// The TelemetryStore port: where status samples go and how the dashboard reads them back. Two adapters:
// InfluxTelemetryStore (InfluxDB 1.x, raw and 1-minute retention policies) and MemoryTelemetryStore (bounded rings,
// for `npm start` without INFLUX_URL). Both answer queries with the same shapes and the same bucket alignment.

/** The TelemetryStore the module uses (InfluxDB or memory, chosen from CloudConfig.influxUrl). */
export const TELEMETRY_STORE = Symbol('TELEMETRY_STORE');

/** One status sample of one asset, as stored: the TelemetryBatch sample plus where it came from. */
export interface TelemetryPoint {
  tenant: string;
  gateway: string;
  asset: string;
  /** The model's part id (`p.axle`). */
  part: string;
  /** The part's status key (`vibration_rms`). */
  status: string;
  /** Epoch ms. */
  time: number;
  value: number;
}

/** A status of a part, as the dashboard names it: `<part>.<status>` (`p.axle.vibration_rms`). */
export interface StatusKey {
  part: string;
  status: string;
}

export interface SeriesQuery {
  tenant: string;
  asset: string;
  /** The statuses to return; absent = every status of the asset. */
  statuses?: readonly StatusKey[];
  /** [from, to) in epoch ms. */
  from: number;
  to: number;
  /** Aggregation interval in ms (mean, min and max per interval); absent = the stored points themselves. */
  stepMs?: number;
}

/** One point of a series: a stored sample (`value` only) or one aggregation interval starting at `time`. */
export interface SeriesPoint {
  time: number;
  value: number;
  min?: number;
  max?: number;
}

/** Where a series answer came from: raw samples, or the 1-minute downsampled data (InfluxDB's pss_1m). */
export type Resolution = 'raw' | '1m';

export interface SeriesResult {
  resolution: Resolution;
  /** The aggregation interval actually used (the 1-minute data rounds a step up to whole minutes). */
  stepMs?: number;
  /** True when a series had more stored points in the range than the limit: the newest ones were kept. */
  truncated: boolean;
  /** Points in time order, by status reference `<part>.<status>`. */
  series: Record<string, SeriesPoint[]>;
}

export interface LatestValue {
  time: number;
  value: number;
}

export type StoreKind = 'influxdb' | 'memory';

export interface StoreHealth {
  kind: StoreKind;
  ok: boolean;
  detail: string;
}

/** Counters since start. */
export interface StoreStats {
  /** Points accepted by the store (for InfluxDB: acknowledged by the server). */
  pointsWritten: number;
  /** Points the store dropped: over a bound, older than the raw retention, or after failed writes. */
  pointsDropped: number;
  /** Points buffered and not yet written. */
  pendingPoints: number;
  writeErrors: number;
}

export interface TelemetryStore {
  readonly kind: StoreKind;
  /** Prepares the store (InfluxDB: database, retention policies, continuous query). Never rejects: see health(). */
  start(): Promise<void>;
  /** Accepts points; InfluxDB buffers them and writes in batches. Never rejects: failures are counted. */
  write(points: readonly TelemetryPoint[]): Promise<void>;
  /** Throws TelemetryStoreUnavailableError when the backend cannot answer. */
  series(query: SeriesQuery): Promise<SeriesResult>;
  /** The latest value per status of an asset, by status reference. */
  latest(tenant: string, asset: string): Promise<Record<string, LatestValue>>;
  health(): StoreHealth;
  stats(): StoreStats;
  /** Writes what is buffered (InfluxDB) and stops timers. */
  close(): Promise<void>;
}

/** The backend could not answer a query (InfluxDB down or refusing): HTTP 503, not 500. */
export class TelemetryStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TelemetryStoreUnavailableError';
  }
}

export function statusRef(key: StatusKey): string {
  return `${key.part}.${key.status}`;
}

/**
 * Splits `<part>.<status>` at its last dot: part ids may contain dots (`p.axle`), status keys do not. Undefined
 * when either side would be empty.
 */
export function parseStatusRef(ref: string): StatusKey | undefined {
  const dot = ref.lastIndexOf('.');
  if (dot <= 0 || dot === ref.length - 1) return undefined;
  return { part: ref.slice(0, dot), status: ref.slice(dot + 1) };
}

/** The start of the aggregation interval holding `time`: intervals are aligned to the epoch, as InfluxDB's are. */
export function bucketStart(time: number, stepMs: number): number {
  return Math.floor(time / stepMs) * stepMs;
}
