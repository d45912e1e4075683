// The telemetry domain: ingest from MQTT, queries for the dashboard, health and counters. A plain class (the module
// builds it with a factory), so specs can drive it without Nest.
import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CloudConfig } from '../platform/config';
import { Clock } from '../platform/tokens';
import { InfluxTelemetryOptions, InfluxTelemetryStore } from './influx-telemetry-store';
import { MemoryTelemetryOptions, MemoryTelemetryStore } from './memory-telemetry-store';
import { IngestOptions, IngestOutcome, IngestStats, TelemetryIngest } from './telemetry-ingest';
import { QueryLimits, TelemetryQueryError, readAsset, readSeriesRequest } from './telemetry-query';
import { LatestValue, SeriesResult, StoreHealth, StoreStats, TelemetryStore } from './telemetry-store';

/** Optional tuning of the module (TelemetryModule.withOptions); every field has a default. */
export interface TelemetryOptions {
  memory?: MemoryTelemetryOptions;
  influx?: Omit<InfluxTelemetryOptions, 'url' | 'clock' | 'logger'>;
  ingest?: Omit<IngestOptions, 'clock' | 'logger'>;
  query?: QueryLimits;
}

export const TELEMETRY_OPTIONS = Symbol('TELEMETRY_OPTIONS');

/** InfluxDB when config.influxUrl is set, else the bounded in-memory store. Throws a ConfigError for a bad URL. */
export function createTelemetryStore(config: Pick<CloudConfig, 'influxUrl'>, clock: Clock, options: TelemetryOptions = {}): TelemetryStore {
  if (config.influxUrl) return new InfluxTelemetryStore({ ...options.influx, url: config.influxUrl, clock });
  return new MemoryTelemetryStore(options.memory);
}

export interface SeriesResponse extends SeriesResult {
  asset: string;
  from: number;
  to: number;
}

export interface LatestResponse {
  asset: string;
  statuses: Record<string, LatestValue>;
}

export interface TelemetryStats extends IngestStats {
  store: StoreStats;
}

export class TelemetryService implements OnModuleInit, OnApplicationShutdown {
  private readonly ingest: TelemetryIngest;
  private readonly logger = new Logger('Telemetry');

  constructor(
    readonly store: TelemetryStore,
    private readonly clock: Clock,
    private readonly options: TelemetryOptions = {},
  ) {
    this.ingest = new TelemetryIngest(store, { ...options.ingest, clock, logger: this.logger });
  }

  async onModuleInit(): Promise<void> {
    await this.store.start();
    if (this.store instanceof MemoryTelemetryStore) {
      this.logger.log(`telemetry: in memory, last ${this.store.pointsPerStatus} points per status; set INFLUX_URL for InfluxDB`);
    }
  }

  /** After Nest has closed HTTP and the MQTT transport: nothing arrives any more, the buffer is written. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  /** One MQTT message on a telemetry topic (see TelemetryIngest.ingest). Never throws. */
  handle(topic: string, payload: unknown, bytes?: number): Promise<IngestOutcome> {
    return this.ingest.ingest(topic, payload, bytes);
  }

  /** Throws TelemetryQueryError (400) or TelemetryStoreUnavailableError (503). */
  async series(tenant: string, asset: unknown, query: Record<string, unknown>): Promise<SeriesResponse> {
    const request = readSeriesRequest(asset, query, this.clock(), this.options.query);
    if (!request.ok) throw new TelemetryQueryError(request.issues);
    const { from, to } = request.value;
    const result = await this.store.series({ tenant, ...request.value });
    return { asset: request.value.asset, from, to, ...result };
  }

  async latest(tenant: string, asset: unknown): Promise<LatestResponse> {
    const read = readAsset(asset);
    if (!read.ok) throw new TelemetryQueryError(read.issues);
    return { asset: read.value, statuses: await this.store.latest(tenant, read.value) };
  }

  health(): StoreHealth {
    return this.store.health();
  }

  stats(): TelemetryStats {
    return { ...this.ingest.stats(), store: this.store.stats() };
  }
}
