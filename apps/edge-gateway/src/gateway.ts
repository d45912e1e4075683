// The edge gateway: sources (OPC UA, MQTT) → trigger engine → store-and-forward spool → uplink to the cloud.
//
// Durability of a firing: the trigger event is appended to the spool (fsynced) and held back from the uplink until
// the engine state that latched it is saved; after a crash between the two, the restored engine adopts the events it
// finds in the spool (TriggerEngine.adoptFiring), so the trigger neither fires twice under two ids nor is lost.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CloseCommand, SCHEMAS, TriggerEvent, batchSamples, decodePayload, encode, eventIdFor } from '@pss/protocol';
import { DEFAULT_CLASSES, Spool, SpoolFullError } from '@pss/spool';
import { Sample, TriggerEngine, TriggerFired } from '@pss/triggers';
import type { GatewayConfig } from './config/types';
import { Downsampler } from './core/downsampler';
import { GatewayState, STATE_FORMAT, StateSaver, readState } from './core/state-file';
import { TelemetrySeq } from './core/telemetry-seq';
import { GatewayMetrics } from './observability/gateway-metrics';
import { GatewayHttpServer } from './observability/http-server';
import { RejectLog } from './observability/reject-log';
import { createSources } from './sources/create';
import { InputRejectCause, Logger, SampleSink, SampleSource, SourceStatus } from './sources/types';
import { Uplink, UplinkClass } from './uplink/uplink';

export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  version: string;
  /** Replaces the sources built from the configuration (tests that feed samples directly). */
  sources?: (sink: SampleSink) => SampleSource[];
  now?: () => number;
}

export interface GatewayHealth {
  status: 'ok' | 'degraded';
  gateway: string;
  tenant: string;
  version: string;
  startedAt: number;
  uplink: { connected: boolean; url: string };
  sources: SourceStatus[];
  spool: { depthRecords: number; diskBytes: number; maxBytes: number };
  engine: { assets: number; latched: number };
}

export class Gateway implements SampleSink {
  readonly engine: TriggerEngine;
  readonly metrics: GatewayMetrics;
  private readonly statusRefs: ReadonlySet<string>;
  private readonly downsampler: Downsampler | null;
  private readonly rejectLog: RejectLog;
  private readonly saver: StateSaver;
  private readonly now: () => number;
  private uplink!: Uplink;
  private spool!: Spool<UplinkClass>;
  private telemetrySeq!: TelemetrySeq;
  private sources: SampleSource[] = [];
  private timers: NodeJS.Timeout[] = [];
  private pendingWrites = new Set<Promise<unknown>>();
  private stopping = false;
  private http: GatewayHttpServer | null = null;
  /** The port /metrics and /health listen on (bound at start; 0 in the configuration picks a free one). */
  httpPort = 0;
  readonly startedAt: number;

  private constructor(private readonly options: GatewayOptions) {
    const c = options.config;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    const all = c.model.triggers.map((t) => t.id);
    this.engine = new TriggerEngine(c.model, {
      gateway: c.gateway,
      eventId: (f) => eventIdFor(f),
      lateToleranceMs: c.lateToleranceMs,
      assets: Object.fromEntries(c.assets.map((a) => [a.id, a.triggers ?? all])),
      unlistedAssets: 'reject',
    });
    this.statusRefs = new Set(c.model.parts.flatMap((p) => p.statuses.map((s) => `${p.id}.${s.key}`)));
    this.downsampler = c.telemetry.enabled ? new Downsampler(c.telemetry.method, c.telemetry.intervalMs, Math.max(c.lateToleranceMs, c.telemetry.flushMs)) : null;
    this.rejectLog = new RejectLog(options.logger, c.rejectLogIntervalMs, this.now);
    this.metrics = new GatewayMetrics();
    this.saver = new StateSaver(join(c.dataDir, 'state.json'), () => this.composeState());
  }

  /** Opens the spool and the saved state, connects the uplink, starts the sources. */
  static async start(options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(options);
    try {
      await gateway.open();
    } catch (e) {
      await gateway.stop().catch(() => undefined);
      throw e;
    }
    return gateway;
  }

  private async open(): Promise<void> {
    const c = this.options.config;
    const log = this.options.logger;
    await mkdir(c.dataDir, { recursive: true });
    this.spool = await Spool.open({ dir: c.spool.dir, maxBytes: c.spool.maxBytes, classes: DEFAULT_CLASSES });
    const state = await readState(join(c.dataDir, 'state.json'));
    if (state) {
      const { skipped } = this.engine.restore(state.engine);
      if (skipped.length > 0) log.warn({ skipped: skipped.slice(0, 20) }, `restored trigger state without ${skipped.length} item(s) the configuration no longer has`);
    }
    this.telemetrySeq = await TelemetrySeq.open(join(c.dataDir, 'telemetry-seq'), state?.telemetrySeq ?? 0);
    const adopted = await this.adoptSpooledEvents();
    log.info(
      { spoolDepth: this.spool.metrics.depthRecords, assets: this.engine.assetIds().length, adopted, restored: state !== null },
      `state: ${state ? `restored from ${new Date(state.savedAt).toISOString()}` : 'new'}, ${this.spool.metrics.depthRecords} message(s) waiting in the spool`,
    );
    this.uplink = new Uplink({
      config: c.uplink,
      tenant: c.tenant,
      gateway: c.gateway,
      version: this.options.version,
      startedAt: this.startedAt,
      spool: this.spool,
      telemetryQos: c.telemetry.qos,
      logger: log,
      onClose: (command) => this.onClose(command),
      now: this.now,
    });
    this.metrics.bind(this);
    this.http = new GatewayHttpServer(this);
    this.httpPort = await this.http.listen(c.http.host, c.http.port);
    this.uplink.start();
    this.sources = this.options.sources ? this.options.sources(this) : createSources(c, this, log);
    for (const source of this.sources) await source.start();
    this.timers.push(setInterval(() => this.onTick(), c.tickMs));
    if (this.downsampler) this.timers.push(setInterval(() => this.flushTelemetry(false), c.telemetry.flushMs));
    this.timers.push(setInterval(() => void this.saveState(), c.snapshotMs));
  }

  /** Events in the spool that the saved engine state does not reflect (a crash between the two): latch them. */
  private async adoptSpooledEvents(): Promise<number> {
    let adopted = 0;
    for await (const record of this.spool.records({ classes: ['event'] })) {
      const decoded = decodePayload(record.payload);
      if (!decoded.ok || decoded.value.schema !== SCHEMAS.triggerEvent) continue;
      const e = decoded.value;
      if (this.engine.adoptFiring({ id: e.id, asset: e.asset, trigger: e.trigger, time: e.time })) adopted++;
    }
    if (adopted > 0) await this.saver.save();
    return adopted;
  }

  // ---- SampleSink ----------------------------------------------------------------------------------------------

  sample(sample: Sample, source: string): void {
    const result = this.engine.ingest(sample);
    this.metrics.sample(source, result.outcome);
    if (!result.accepted) {
      if (result.outcome !== 'duplicate') this.rejectLog.record(source, result.outcome, `${sample.asset} ${result.reason}`);
      return;
    }
    this.downsampler?.add(sample);
    if (result.fired.length > 0) for (const f of result.fired) this.onFired(f);
  }

  reject(cause: InputRejectCause, detail: string, source: string): void {
    this.metrics.inputRejected(source, cause);
    this.rejectLog.record(source, cause, detail);
  }

  // ---- firings, closes, telemetry ------------------------------------------------------------------------------

  private onFired(f: TriggerFired): void {
    const c = this.options.config;
    this.metrics.fired(f.trigger);
    const values: Record<string, number> = {};
    const windowValues: Record<string, number> = {};
    for (const [key, v] of Object.entries(f.values)) {
      if (v === null) continue;
      if (this.statusRefs.has(key)) values[key] = v;
      else windowValues[key] = v;
    }
    const event: TriggerEvent = {
      schema: SCHEMAS.triggerEvent,
      id: f.id,
      tenant: c.tenant,
      gateway: c.gateway,
      asset: f.asset,
      trigger: f.trigger,
      time: f.time,
      window: f.window,
      values,
      ...(Object.keys(windowValues).length > 0 && { windowValues }),
    };
    this.options.logger.info({ event: f.id, asset: f.asset, trigger: f.trigger, values: f.values }, `trigger ${f.trigger} fired on ${f.asset}`);
    this.uplink.hold(f.id);
    this.track(
      (async () => {
        try {
          await this.spool.append('event', f.id, encode(event));
          await this.saver.save();
        } catch (e) {
          this.metrics.eventsLost.inc({});
          const why = e instanceof SpoolFullError ? 'the spool refused it (its disk budget is full)' : (e as Error).message;
          this.options.logger.error({ event: f.id, err: why }, `trigger event ${f.id} could not be stored: ${why}`);
        } finally {
          this.uplink.release(f.id);
        }
      })(),
    );
  }

  private async onClose(command: CloseCommand): Promise<void> {
    const c = this.options.config;
    if (command.tenant !== c.tenant || command.gateway !== c.gateway) return;
    const result = this.engine.close(command.asset, command.trigger, command.event);
    this.metrics.closes.inc({ result: result.ok ? (result.alreadyClosed ? 'already-closed' : 'closed') : 'unknown' });
    if (result.ok) {
      this.options.logger.info({ event: command.event, asset: command.asset, trigger: command.trigger, unlatched: result.unlatched }, `service closed: ${command.trigger} on ${command.asset}`);
      // Saved before the ack goes out (the uplink waits for this promise); a failed save means no ack: the cloud re-sends.
      if (!result.alreadyClosed) await this.saver.save();
    } else {
      this.options.logger.warn({ event: command.event }, `close command not applied: ${result.reason}`);
    }
  }

  private onTick(): void {
    const fired = this.engine.tick(this.now());
    for (const f of fired) this.onFired(f);
  }

  private flushTelemetry(all: boolean): void {
    if (!this.downsampler) return;
    const c = this.options.config;
    const { samples, sourceSamples } = all ? this.downsampler.takeAll() : this.downsampler.take(this.now());
    if (samples.length === 0) return;
    const downsampling = c.telemetry.method === 'raw' ? undefined : { method: c.telemetry.method, intervalMs: c.telemetry.intervalMs, sourceSamples };
    const batches = batchSamples({ tenant: c.tenant, gateway: c.gateway, firstSeq: this.telemetrySeq.next, ...(downsampling && { downsampling }) }, samples);
    this.telemetrySeq.advance(batches.length);
    for (const batch of batches) {
      this.metrics.telemetrySamples.inc({}, batch.samples.length);
      this.track(
        this.spool.append('telemetry', `t:${batch.seq}`, encode(batch)).then(
          () => this.uplink.kick(),
          (e: Error) => {
            this.metrics.telemetryDropped.inc({}, batch.samples.length);
            this.rejectLog.record('spool', 'telemetry-not-stored', e.message);
          },
        ),
      );
    }
  }

  private track(p: Promise<unknown>): void {
    this.pendingWrites.add(p);
    void p.finally(() => this.pendingWrites.delete(p));
  }

  private composeState(): GatewayState {
    return { format: STATE_FORMAT, gateway: this.options.config.gateway, savedAt: this.now(), telemetrySeq: this.telemetrySeq.next, engine: this.engine.snapshot() };
  }

  private async saveState(): Promise<void> {
    try {
      await this.saver.save();
    } catch (e) {
      this.options.logger.error({ err: (e as Error).message }, `could not save the trigger state: ${(e as Error).message}`);
    }
  }

  // ---- observation and shutdown --------------------------------------------------------------------------------

  /** The running sources (to find the embedded broker's bound port, for instance). */
  get activeSources(): readonly SampleSource[] {
    return this.sources;
  }

  sourceStatuses(): SourceStatus[] {
    return this.sources.map((s) => s.status());
  }

  get uplinkStats(): ReturnType<Uplink['stats']> {
    return this.uplink.stats();
  }

  get spoolMetrics(): Spool<UplinkClass>['metrics'] {
    return this.spool.metrics;
  }

  get pendingTelemetry(): number {
    return this.downsampler?.pending ?? 0;
  }

  health(): GatewayHealth {
    const c = this.options.config;
    const sources = this.sourceStatuses();
    const spool = this.spool.metrics;
    const uplinkUp = this.uplink.isConnected;
    const sourcesUp = sources.every((s) => s.state === 'connected' || s.state === 'listening');
    let latched = 0;
    for (const a of this.engine.assetIds()) latched += this.engine.matrix(a).reduce((x, y) => x + y, 0);
    return {
      status: uplinkUp && sourcesUp ? 'ok' : 'degraded',
      gateway: c.gateway,
      tenant: c.tenant,
      version: this.options.version,
      startedAt: this.startedAt,
      uplink: { connected: uplinkUp, url: c.uplink.url },
      sources,
      spool: { depthRecords: spool.depthRecords, diskBytes: spool.diskBytes, maxBytes: spool.maxBytes },
      engine: { assets: this.engine.assetIds().length, latched },
    };
  }

  /** Stops the sources, flushes telemetry, saves the state, closes the uplink and the spool. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled(this.sources.map((s) => s.stop()));
    await this.http?.close();
    if (this.spool) {
      this.flushTelemetry(true);
      await Promise.allSettled([...this.pendingWrites]);
      if (this.telemetrySeq) await this.saveState();
    }
    if (this.uplink) await this.uplink.stop();
    this.telemetrySeq?.close();
    if (this.spool) await this.spool.close();
  }
}
