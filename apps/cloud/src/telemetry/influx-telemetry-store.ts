// The InfluxDB 1.x TelemetryStore (npm `influx` 5.12). Layout, set up idempotently by start():
//
//   database        from INFLUX_URL (http://host:8086/<database>), created when missing
//   pss_raw         retention policy for the samples as they arrive (default 7 d), the database's default
//   pss_1m          retention policy for 1-minute aggregates (default 400 d)
//   pss_cq_1m       continuous query: every minute, mean/min/max per minute per tenant/asset/part/status of the
//                   last `resampleFor` (default 10 min) of pss_raw into pss_1m (RESAMPLE, so late samples count)
//   measurement     status, tags tenant, gateway, asset, part, status, field value (float), ms precision
//
// Samples that arrive later than the CQ's resample window (a gateway replaying its spool) are downsampled by the
// store itself right after they are written: the CQ's own SELECT ... INTO, limited to their asset and minutes.
// Writes are buffered and sent in batches of `batchSize` points, or after `flushIntervalMs`; a failed batch stays
// buffered (bounded by `maxPendingPoints`, oldest dropped) and is retried.
import { Logger } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { IPoint, InfluxDB } from 'influx';
import { Clock } from '../platform/tokens';
import {
  CQ_NAME,
  DOWNSAMPLED_RP,
  INFLUX_MAX_TIME_MS,
  InfluxTarget,
  MEASUREMENT,
  RAW_RP,
  continuousQueryStatement,
  downsampleStatement,
  parseGoDuration,
  parseInfluxUrl,
  pickResolution,
  quoteIdent,
  quoteString,
} from './influx-schema';
import {
  LatestValue,
  SeriesPoint,
  SeriesQuery,
  SeriesResult,
  StoreHealth,
  StoreStats,
  TelemetryPoint,
  TelemetryStore,
  TelemetryStoreUnavailableError,
  statusRef,
} from './telemetry-store';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface InfluxTelemetryOptions {
  /** INFLUX_URL: http(s)://[user:password@]host[:port]/<database>. */
  url: string;
  clock?: Clock;
  /** Duration of pss_raw (whole hours, >= 1 h); default 7 d. */
  rawRetentionMs?: number;
  /** Duration of pss_1m (whole hours, >= 1 h); default 400 d. */
  downsampledRetentionMs?: number;
  /** The CQ's RESAMPLE FOR (whole minutes, >= 1 min): how late a sample may arrive and still be picked up by it. */
  resampleForMs?: number;
  /** Points per write request; a full buffer is written at once. Default 5000. */
  batchSize?: number;
  /** Longest a point waits in the buffer; default 1000 ms. */
  flushIntervalMs?: number;
  /** Points kept while InfluxDB does not take them; beyond, the oldest are dropped. Default 200,000. */
  maxPendingPoints?: number;
  /** Ranges longer than this read the 1-minute data even when the raw data still covers them. Default 24 h. */
  rawRangeLimitMs?: number;
  /** Points one series may return without a step (the newest are kept). Default 10,000. */
  queryLimit?: number;
  /** HTTP request timeout; default 10 s. */
  requestTimeoutMs?: number;
  /** How often a failed setup is retried and an idle server pinged (for health()); default 5 s. */
  checkIntervalMs?: number;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

export const INFLUX_DEFAULTS = {
  rawRetentionMs: 7 * DAY,
  downsampledRetentionMs: 400 * DAY,
  resampleForMs: 10 * MINUTE,
  batchSize: 5000,
  flushIntervalMs: 1000,
  maxPendingPoints: 200_000,
  rawRangeLimitMs: DAY,
  queryLimit: 10_000,
  requestTimeoutMs: 10_000,
  checkIntervalMs: 5000,
} as const;

interface RawSeries {
  name?: string;
  tags?: Record<string, string>;
  columns?: string[];
  values?: unknown[][];
}

interface RawResponse {
  results?: { statement_id?: number; series?: RawSeries[]; error?: string }[];
  error?: string;
}

/** The shape of the client's backoff strategy (influx's IBackoffStrategy, not exported at its top level). */
interface Backoff {
  getDelay(): number;
  next(): Backoff;
  reset(): Backoff;
}

/**
 * A backoff that never takes the host out of the client's pool (a disabled host answers "No host available" and
 * leaves a timer behind): the store retries on its own schedule.
 */
const NO_BACKOFF: Backoff = {
  getDelay: () => 0,
  next: () => NO_BACKOFF,
  reset: () => NO_BACKOFF,
};

export class InfluxTelemetryStore implements TelemetryStore {
  readonly kind = 'influxdb' as const;
  readonly target: InfluxTarget;
  readonly options: Required<Omit<InfluxTelemetryOptions, 'url' | 'clock' | 'logger'>>;
  private readonly influx: InfluxDB;
  private readonly agent: HttpAgent;
  private readonly clock: Clock;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;

  private buffer: TelemetryPoint[] = [];
  /** Points of the write request under way (still pending until InfluxDB answers). */
  private inFlight = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private settingUp: Promise<void> | undefined;
  private ready = false;
  private closed = false;
  private lastError: string | undefined;
  private lastContact = 0;
  private written = 0;
  private dropped = 0;
  private writeErrors = 0;
  private backfills = 0;
  private backfillErrors = 0;

  constructor(options: InfluxTelemetryOptions) {
    this.target = parseInfluxUrl(options.url);
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? new Logger('Telemetry');
    this.options = {
      rawRetentionMs: wholeUnits('rawRetentionMs', options.rawRetentionMs ?? INFLUX_DEFAULTS.rawRetentionMs, HOUR, 'hours'),
      downsampledRetentionMs: wholeUnits('downsampledRetentionMs', options.downsampledRetentionMs ?? INFLUX_DEFAULTS.downsampledRetentionMs, HOUR, 'hours'),
      resampleForMs: wholeUnits('resampleForMs', options.resampleForMs ?? INFLUX_DEFAULTS.resampleForMs, MINUTE, 'minutes'),
      batchSize: atLeast('batchSize', options.batchSize ?? INFLUX_DEFAULTS.batchSize, 1),
      flushIntervalMs: atLeast('flushIntervalMs', options.flushIntervalMs ?? INFLUX_DEFAULTS.flushIntervalMs, 1),
      maxPendingPoints: atLeast('maxPendingPoints', options.maxPendingPoints ?? INFLUX_DEFAULTS.maxPendingPoints, 1),
      rawRangeLimitMs: atLeast('rawRangeLimitMs', options.rawRangeLimitMs ?? INFLUX_DEFAULTS.rawRangeLimitMs, 1),
      queryLimit: atLeast('queryLimit', options.queryLimit ?? INFLUX_DEFAULTS.queryLimit, 1),
      requestTimeoutMs: atLeast('requestTimeoutMs', options.requestTimeoutMs ?? INFLUX_DEFAULTS.requestTimeoutMs, 1),
      checkIntervalMs: atLeast('checkIntervalMs', options.checkIntervalMs ?? INFLUX_DEFAULTS.checkIntervalMs, 1),
    };
    // An agent of our own, destroyed by close(): no keep-alive socket outlives the store.
    this.agent = this.target.protocol === 'https' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.influx = new InfluxDB({
      protocol: this.target.protocol,
      host: this.target.host,
      port: this.target.port,
      database: this.target.database,
      ...(this.target.username !== undefined && { username: this.target.username, password: this.target.password ?? '' }),
      options: { agent: this.agent },
      pool: { maxRetries: 0, requestTimeout: this.options.requestTimeoutMs, backoff: NO_BACKOFF },
    });
  }

  private get pending(): number {
    return this.buffer.length + this.inFlight;
  }

  get database(): string {
    return this.target.database;
  }

  /** Sets up the database, retention policies and CQ; on failure, health() says why and setup is retried. */
  async start(): Promise<void> {
    this.closed = false;
    await this.trySetup();
    if (!this.checkTimer) {
      this.checkTimer = setInterval(() => void this.check(), this.options.checkIntervalMs);
      this.checkTimer.unref();
    }
  }

  async write(points: readonly TelemetryPoint[]): Promise<void> {
    // InfluxDB refuses points older than the retention policy (a partial write), and times past its int64
    // nanoseconds (year 2262): drop them here, counted.
    const oldest = this.clock() - this.options.rawRetentionMs + MINUTE;
    for (const point of points) {
      if (point.time < oldest || point.time > INFLUX_MAX_TIME_MS || !Number.isFinite(point.value)) this.dropped++;
      else this.buffer.push(point);
    }
    this.trimBuffer();
    if (this.buffer.length >= this.options.batchSize) await this.flush();
    else this.scheduleFlush();
  }

  /** Writes everything buffered now (one flush at a time; a second caller waits for the running one). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.ready || this.buffer.length === 0) return;
    this.flushing = this.flushBuffer().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  async series(query: SeriesQuery): Promise<SeriesResult> {
    const resolution = pickResolution(query, this.clock(), this.options);
    const where = this.whereClause(query);
    const from = `${quoteIdent(this.database)}.${quoteIdent(resolution === 'raw' ? RAW_RP : DOWNSAMPLED_RP)}.${quoteIdent(MEASUREMENT)}`;
    const result: SeriesResult = { resolution, truncated: false, series: {} };
    for (const key of query.statuses ?? []) result.series[statusRef(key)] = [];

    let statement: string;
    if (resolution === '1m') {
      // The 1-minute aggregates re-aggregate into whole minutes only (the mean of the minute means: each minute
      // weighs the same). Without a step, minutes, or coarser so that a status returns at most queryLimit points.
      const wholeMinutes = (ms: number): number => Math.ceil(ms / MINUTE) * MINUTE;
      const step = Math.max(MINUTE, wholeMinutes(query.stepMs ?? 0), wholeMinutes((query.to - query.from) / this.options.queryLimit));
      result.stepMs = step;
      statement = `SELECT mean("value") AS "value", min("min") AS "min", max("max") AS "max" FROM ${from} WHERE ${where} GROUP BY time(${step}ms), "part", "status" fill(none)`;
    } else if (query.stepMs !== undefined) {
      result.stepMs = query.stepMs;
      statement = `SELECT mean("value") AS "value", min("value") AS "min", max("value") AS "max" FROM ${from} WHERE ${where} GROUP BY time(${query.stepMs}ms), "part", "status" fill(none)`;
    } else {
      // The newest points of each series, one more than the limit to know when it cut.
      statement = `SELECT "value" FROM ${from} WHERE ${where} GROUP BY "part", "status" ORDER BY time DESC LIMIT ${this.options.queryLimit + 1}`;
    }
    const [rows] = await this.select([statement]);
    const aggregated = result.stepMs !== undefined;
    for (const series of rows) {
      const ref = statusRef({ part: series.tags?.part ?? '', status: series.tags?.status ?? '' });
      let points = toPoints(series, aggregated);
      if (!aggregated) {
        if (points.length > this.options.queryLimit) {
          points = points.slice(0, this.options.queryLimit);
          result.truncated = true;
        }
        points.reverse();
      }
      result.series[ref] = points;
    }
    return result;
  }

  async latest(tenant: string, asset: string): Promise<Record<string, LatestValue>> {
    const where = `"tenant" = ${quoteString(tenant)} AND "asset" = ${quoteString(asset)}`;
    const statement = (rp: string): string =>
      `SELECT last("value") AS "value" FROM ${quoteIdent(this.database)}.${quoteIdent(rp)}.${quoteIdent(MEASUREMENT)} WHERE ${where} GROUP BY "part", "status"`;
    // The raw data knows the latest sample; a status silent for longer than its retention is left in pss_1m only.
    const [raw, downsampled] = await this.select([statement(RAW_RP), statement(DOWNSAMPLED_RP)]);
    const latest: Record<string, LatestValue> = {};
    for (const series of [...downsampled, ...raw]) {
      const ref = statusRef({ part: series.tags?.part ?? '', status: series.tags?.status ?? '' });
      const [point] = toPoints(series, false);
      if (point) latest[ref] = { time: point.time, value: point.value };
    }
    return Object.fromEntries(Object.entries(latest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * Runs the continuous query's SELECT ... INTO for [from, to), whole minutes (rounded outwards): what the CQ
   * would compute, on demand. Idempotent (a minute recomputed overwrites its aggregate).
   */
  async downsample(range: { from: number; to: number; tenant?: string; asset?: string }): Promise<void> {
    const from = Math.floor(range.from / MINUTE) * MINUTE;
    const to = Math.ceil(range.to / MINUTE) * MINUTE;
    const conditions = [
      ...(range.tenant !== undefined ? [`"tenant" = ${quoteString(range.tenant)}`] : []),
      ...(range.asset !== undefined ? [`"asset" = ${quoteString(range.asset)}`] : []),
      `time >= ${from}ms AND time < ${to}ms`,
    ];
    await this.execute([downsampleStatement(this.database, conditions.join(' AND '))]);
  }

  health(): StoreHealth {
    const where = `InfluxDB ${this.target.display}`;
    if (!this.ready) return { kind: 'influxdb', ok: false, detail: `${where}: not set up (${this.lastError ?? 'starting'}); retrying every ${this.options.checkIntervalMs} ms` };
    if (this.lastError) return { kind: 'influxdb', ok: false, detail: `${where}: ${this.lastError}; ${this.pending} points pending` };
    return { kind: 'influxdb', ok: true, detail: `${where}: ${this.pending} points pending` };
  }

  stats(): StoreStats & { backfills: number; backfillErrors: number } {
    return {
      pointsWritten: this.written,
      pointsDropped: this.dropped,
      pendingPoints: this.pending,
      writeErrors: this.writeErrors,
      backfills: this.backfills,
      backfillErrors: this.backfillErrors,
    };
  }

  /** Writes what is buffered (when InfluxDB takes it), stops the timers and closes the connections. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.checkTimer);
    clearTimeout(this.flushTimer);
    this.checkTimer = undefined;
    this.flushTimer = undefined;
    if (this.settingUp) await this.settingUp;
    await this.flush();
    if (this.buffer.length > 0) this.logger.warn(`telemetry: ${this.buffer.length} points not written to InfluxDB ${this.target.display} at shutdown`);
    this.agent.destroy();
  }

  private async trySetup(): Promise<void> {
    if (this.settingUp) return this.settingUp;
    this.settingUp = this.setup()
      .then(() => {
        this.ready = true;
        this.ok();
        this.logger.log(
          `telemetry: InfluxDB ${this.target.display} (${RAW_RP} ${describeDuration(this.options.rawRetentionMs)}, ` +
            `${DOWNSAMPLED_RP} ${describeDuration(this.options.downsampledRetentionMs)}, CQ ${CQ_NAME})`,
        );
      })
      .catch((error: unknown) => {
        this.failed(`setup failed: ${message(error)}`);
        this.logger.error(`telemetry: InfluxDB ${this.target.display} ${this.lastError}; retrying every ${this.options.checkIntervalMs} ms`);
      })
      .finally(() => {
        this.settingUp = undefined;
      });
    return this.settingUp;
  }

  private async setup(): Promise<void> {
    const names = await this.influx.getDatabaseNames();
    if (!names.includes(this.database)) await this.influx.createDatabase(this.database);
    await this.ensureRetentionPolicy(RAW_RP, this.options.rawRetentionMs, true);
    await this.ensureRetentionPolicy(DOWNSAMPLED_RP, this.options.downsampledRetentionMs, false);
    const create = continuousQueryStatement(this.database, this.options.resampleForMs);
    try {
      await this.execute([create]);
    } catch (error) {
      // Same name, another definition (an older release, other options): replace it. The same one is a no-op.
      if (!/already exists/i.test(message(error))) throw error;
      await this.execute([`DROP CONTINUOUS QUERY ${quoteIdent(CQ_NAME)} ON ${quoteIdent(this.database)}`, create]);
      this.logger.log(`telemetry: replaced the continuous query ${CQ_NAME} with the current definition`);
    }
  }

  private async ensureRetentionPolicy(name: string, durationMs: number, isDefault: boolean): Promise<void> {
    const existing = (await this.influx.showRetentionPolicies(this.database)).find((rp) => rp.name === name);
    const duration = `${durationMs / HOUR}h`;
    if (!existing) {
      await this.influx.createRetentionPolicy(name, { database: this.database, duration, replication: 1, isDefault });
      return;
    }
    if (parseGoDuration(existing.duration) !== durationMs || (isDefault && !existing.default)) {
      await this.influx.alterRetentionPolicy(name, { database: this.database, duration, replication: existing.replicaN, isDefault });
      this.logger.log(`telemetry: retention policy ${name} set to ${describeDuration(durationMs)}${isDefault ? ' (default)' : ''}`);
    }
  }

  private async check(): Promise<void> {
    if (this.closed) return;
    if (!this.ready) {
      await this.trySetup();
      if (this.ready) await this.flush();
      return;
    }
    if (this.buffer.length > 0) {
      await this.flush();
      return;
    }
    if (this.clock() - this.lastContact < this.options.checkIntervalMs) return;
    // Nothing to write for a while: ping, so that health() does not report a server that went away as fine.
    try {
      const [host] = await this.influx.ping(this.options.requestTimeoutMs);
      if (host?.online) this.ok();
      else this.failed(`not answering /ping within ${this.options.requestTimeoutMs} ms`);
    } catch (error) {
      this.failed(`ping failed: ${message(error)}`);
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed || this.buffer.length === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().then(() => this.scheduleFlush());
    }, this.options.flushIntervalMs);
    this.flushTimer.unref();
  }

  private async flushBuffer(): Promise<void> {
    while (this.buffer.length > 0 && this.ready) {
      const chunk = this.buffer.splice(0, this.options.batchSize);
      let refused = 0;
      this.inFlight = chunk.length;
      try {
        await this.influx.writePoints(chunk.map(toInfluxPoint), { database: this.database, retentionPolicy: RAW_RP, precision: 'ms' });
      } catch (error) {
        this.inFlight = 0;
        const status = httpStatus(error);
        if (status === 404 && /database not found/i.test(message(error))) {
          // Dropped behind our back (or the server's data was wiped): set up again, then write.
          this.ready = false;
          this.failed(`write failed: ${message(error)}; setting the database up again`);
          this.buffer.unshift(...chunk);
          this.trimBuffer();
          return;
        }
        if (status === undefined || status >= 500) {
          this.writeErrors++;
          // Logged when writes start failing, not on every retry while the server is away.
          if (this.lastError === undefined) {
            this.logger.warn(`telemetry: writing ${chunk.length} points to InfluxDB ${this.target.display} failed (${message(error)}); buffering and retrying`);
          }
          this.failed(`write failed: ${message(error)}`);
          this.buffer.unshift(...chunk);
          this.trimBuffer();
          return;
        }
        // A 4xx: InfluxDB refused points (beyond its retention by its own clock, a field type conflict, a bad
        // line). It writes the rest of a partial write; sending the chunk again would fail the same way for ever.
        this.writeErrors++;
        refused = Math.min(chunk.length, Number(/dropped=(\d+)/.exec(message(error))?.[1] ?? chunk.length));
        this.dropped += refused;
        this.logger.warn(`telemetry: InfluxDB ${this.target.display} refused ${refused} of ${chunk.length} points: ${message(error)}`);
      }
      this.inFlight = 0;
      this.written += chunk.length - refused;
      this.ok();
      await this.backfill(chunk);
    }
  }

  /** Downsamples the minutes of samples too late for the CQ's resample window, per tenant and asset. */
  private async backfill(points: readonly TelemetryPoint[]): Promise<void> {
    // The CQ runs at each minute boundary over the `resampleFor` before it: a sample younger than that minus a
    // minute of margin is still ahead of a run.
    const coveredFrom = this.clock() - this.options.resampleForMs + MINUTE;
    const ranges = new Map<string, { tenant: string; asset: string; from: number; to: number }>();
    for (const point of points) {
      if (point.time >= coveredFrom) continue;
      const key = `${point.tenant}\u0000${point.asset}`;
      const range = ranges.get(key);
      if (!range) ranges.set(key, { tenant: point.tenant, asset: point.asset, from: point.time, to: point.time + 1 });
      else {
        range.from = Math.min(range.from, point.time);
        range.to = Math.max(range.to, point.time + 1);
      }
    }
    for (const range of ranges.values()) {
      try {
        await this.downsample(range);
        this.backfills++;
      } catch (error) {
        // The raw samples are stored; only their 1-minute aggregates are missing. Counted, logged, not retried.
        this.backfillErrors++;
        this.logger.warn(`telemetry: downsampling late samples of ${range.tenant}/${range.asset} failed: ${message(error)}`);
      }
    }
  }

  private trimBuffer(): void {
    const excess = this.buffer.length - this.options.maxPendingPoints;
    if (excess <= 0) return;
    this.buffer.splice(0, excess);
    this.dropped += excess;
  }

  private whereClause(query: SeriesQuery): string {
    const conditions = [`"tenant" = ${quoteString(query.tenant)}`, `"asset" = ${quoteString(query.asset)}`];
    if (query.statuses && query.statuses.length > 0) {
      const alternatives = query.statuses.map((key) => `("part" = ${quoteString(key.part)} AND "status" = ${quoteString(key.status)})`);
      conditions.push(`(${alternatives.join(' OR ')})`);
    }
    conditions.push(`time >= ${query.from}ms AND time < ${query.to}ms`);
    return conditions.join(' AND ');
  }

  /** Runs SELECT statements; the series of each, in order. InfluxDB errors become TelemetryStoreUnavailableError. */
  private async select(statements: string[]): Promise<RawSeries[][]> {
    const response = await this.run(statements);
    return statements.map((_, i) => response.results?.[i]?.series ?? []);
  }

  private async execute(statements: string[]): Promise<void> {
    await this.run(statements);
  }

  private async run(statements: string[]): Promise<RawResponse> {
    let response: RawResponse;
    try {
      response = (await this.influx.queryRaw(statements.join(';\n'), { database: this.database, precision: 'ms', method: 'POST' })) as RawResponse;
    } catch (error) {
      this.failed(`query failed: ${message(error)}`);
      throw new TelemetryStoreUnavailableError(`InfluxDB ${this.target.display}: ${message(error)}`, { cause: error });
    }
    this.lastContact = this.clock();
    const errors = [response.error, ...(response.results ?? []).map((r) => r.error)].filter((e): e is string => typeof e === 'string');
    if (errors.length > 0) throw new TelemetryStoreUnavailableError(`InfluxDB ${this.target.display} refused a query: ${errors.join('; ')}`);
    return response;
  }

  private ok(): void {
    this.lastError = undefined;
    this.lastContact = this.clock();
  }

  private failed(reason: string): void {
    this.lastError = reason;
  }
}

function toInfluxPoint(point: TelemetryPoint): IPoint {
  return {
    measurement: MEASUREMENT,
    tags: { tenant: point.tenant, gateway: point.gateway, asset: point.asset, part: point.part, status: point.status },
    fields: { value: point.value },
    timestamp: point.time,
  };
}

/** Rows of one series (epoch-ms times) as SeriesPoints; rows without a numeric value are skipped. */
function toPoints(series: RawSeries, aggregated: boolean): SeriesPoint[] {
  const columns = series.columns ?? [];
  const at = (name: string): number => columns.indexOf(name);
  const [time, value, min, max] = [at('time'), at('value'), at('min'), at('max')];
  const points: SeriesPoint[] = [];
  for (const row of series.values ?? []) {
    const t = row[time];
    const v = row[value];
    if (typeof t !== 'number' || typeof v !== 'number') continue;
    const point: SeriesPoint = { time: t, value: v };
    if (aggregated && typeof row[min] === 'number') point.min = row[min] as number;
    if (aggregated && typeof row[max] === 'number') point.max = row[max] as number;
    points.push(point);
  }
  return points;
}

function describeDuration(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY} d`;
  if (ms % HOUR === 0) return `${ms / HOUR} h`;
  return `${ms / MINUTE} min`;
}

function wholeUnits(name: string, value: number, unit: number, unitName: string): number {
  if (!Number.isInteger(value / unit) || value < unit) throw new RangeError(`InfluxTelemetryStore ${name} must be a whole number of ${unitName} (at least 1), got ${value} ms`);
  return value;
}

function atLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`InfluxTelemetryStore ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** The HTTP status of a failed request of the influx client (its RequestError carries the response). */
function httpStatus(error: unknown): number | undefined {
  const status = (error as { res?: { statusCode?: unknown } } | undefined)?.res?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
