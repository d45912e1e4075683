// Telemetry batches from the broker into the store. Delivery is at least once (QoS 1, spool replays), so a batch
// is identified by (tenant, gateway, seq) and a repeat seen within a bounded window is dropped. Gaps in a
// gateway's seq are counted as lost batches (QoS 0 telemetry may be lost; the loss must be visible), and a batch
// that arrives after a later one fills its gap again. Bad payloads are counted and dropped, never thrown.
import { Logger } from '@nestjs/common';
import { DedupWindow, LIMITS, TelemetryBatch, decodeValue } from '@pss/protocol';
import { Clock } from '../platform/tokens';
import { TelemetryPoint, TelemetryStore } from './telemetry-store';

export interface IngestOptions {
  /** Batches remembered for de-duplication (all gateways together); default 10,000. */
  dedupCapacity?: number;
  /**
   * A seq this far or less below a gateway's highest is a late batch (it fills a gap); further below, the gateway
   * started counting again (a new install, a lost spool). Default 1000.
   */
  reorderWindow?: number;
  /** Gateways whose seq is followed (least recently heard forgotten first); default 10,000. */
  maxGateways?: number;
  /** Shortest time between two log lines about bad payloads (the counter counts them all); default 10 s. */
  badPayloadLogIntervalMs?: number;
  clock?: Clock;
  logger?: Pick<Logger, 'warn'>;
}

/** Counters since start (exposed by TelemetryService.stats() for the metrics endpoint). */
export interface IngestStats {
  /** Batches accepted (not duplicates, not bad). */
  batches: number;
  /** Samples in the accepted batches. */
  samples: number;
  /** Batches dropped as repeats of one already accepted. */
  duplicates: number;
  /** Batches missing from the seq of their gateway (gaps), less those that arrived late. */
  lostBatches: number;
  /** Batches that arrived after a later one of their gateway and filled a gap. */
  lateBatches: number;
  /** Times a gateway's seq fell back by more than the reorder window: counted from the new seq on. */
  sequenceResets: number;
  /** Payloads that were not a valid telemetry batch for their topic. */
  badPayloads: number;
  /** What was wrong with the last bad payload. */
  lastBadPayload?: string;
}

export type IngestOutcome =
  | { kind: 'stored'; samples: number }
  | { kind: 'duplicate' }
  | { kind: 'invalid'; reason: string };

interface GatewaySeq {
  highest: number;
  /** Gaps counted for this gateway and not yet filled. */
  lost: number;
}

export class TelemetryIngest {
  private readonly dedup: DedupWindow;
  private readonly reorderWindow: number;
  private readonly maxGateways: number;
  private readonly badPayloadLogIntervalMs: number;
  private readonly clock: Clock;
  private readonly logger: Pick<Logger, 'warn'>;
  /** tenant NUL gateway -> seq state, least recently heard first (Map order). */
  private readonly gateways = new Map<string, GatewaySeq>();
  private readonly counters: IngestStats = { batches: 0, samples: 0, duplicates: 0, lostBatches: 0, lateBatches: 0, sequenceResets: 0, badPayloads: 0 };
  private lastBadLog = -Infinity;
  private unloggedBad = 0;

  constructor(
    private readonly store: TelemetryStore,
    options: IngestOptions = {},
  ) {
    this.dedup = new DedupWindow(options.dedupCapacity ?? 10_000);
    this.reorderWindow = options.reorderWindow ?? 1000;
    this.maxGateways = options.maxGateways ?? 10_000;
    this.badPayloadLogIntervalMs = options.badPayloadLogIntervalMs ?? 10_000;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? new Logger('Telemetry');
  }

  /**
   * Handles one message received on `topic`: `payload` as the MQTT transport parsed it (JSON, or the raw text),
   * `bytes` the size of the raw payload when known. Never throws.
   */
  async ingest(topic: string, payload: unknown, bytes?: number): Promise<IngestOutcome> {
    if (bytes !== undefined && bytes > LIMITS.maxPayloadBytes) {
      return this.bad(topic, `payload is ${bytes} bytes, over the limit of ${LIMITS.maxPayloadBytes} bytes (LIMITS.maxPayloadBytes)`);
    }
    const decoded = decodeValue(topic, payload);
    if (!decoded.ok) return this.bad(topic, decoded.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; '));
    if (decoded.value.schema !== 'pss.telemetry-batch/v1') return this.bad(topic, `expected a telemetry batch, got ${decoded.value.schema}`);
    const batch = decoded.value;

    if (this.dedup.isDuplicate(`${batch.tenant}\u0000${batch.gateway}\u0000${batch.seq}`)) {
      this.counters.duplicates++;
      return { kind: 'duplicate' };
    }
    this.followSeq(batch);
    this.counters.batches++;
    this.counters.samples += batch.samples.length;
    await this.store.write(toPoints(batch));
    return { kind: 'stored', samples: batch.samples.length };
  }

  stats(): IngestStats {
    return { ...this.counters };
  }

  private followSeq(batch: TelemetryBatch): void {
    const key = `${batch.tenant}\u0000${batch.gateway}`;
    const state = this.gateways.get(key);
    if (!state) {
      // The first batch heard from a gateway: what came before is unknown, not lost.
      this.remember(key, { highest: batch.seq, lost: 0 });
      return;
    }
    if (batch.seq > state.highest) {
      const gap = batch.seq - state.highest - 1;
      state.lost += gap;
      this.counters.lostBatches += gap;
      state.highest = batch.seq;
    } else if (state.highest - batch.seq <= this.reorderWindow) {
      this.counters.lateBatches++;
      if (state.lost > 0) {
        state.lost--;
        this.counters.lostBatches--;
      }
    } else {
      this.counters.sequenceResets++;
      state.highest = batch.seq;
    }
    this.remember(key, state);
  }

  private remember(key: string, state: GatewaySeq): void {
    this.gateways.delete(key);
    this.gateways.set(key, state);
    if (this.gateways.size > this.maxGateways) this.gateways.delete(this.gateways.keys().next().value as string);
  }

  private bad(topic: string, reason: string): IngestOutcome {
    this.counters.badPayloads++;
    this.counters.lastBadPayload = `${clip(topic)}: ${reason}`;
    const now = this.clock();
    if (now - this.lastBadLog >= this.badPayloadLogIntervalMs) {
      const more = this.unloggedBad > 0 ? ` (and ${this.unloggedBad} more since the last report)` : '';
      this.logger.warn(`telemetry: dropped a bad payload on ${clip(topic)}: ${reason}${more}`);
      this.lastBadLog = now;
      this.unloggedBad = 0;
    } else {
      this.unloggedBad++;
    }
    return { kind: 'invalid', reason };
  }
}

function toPoints(batch: TelemetryBatch): TelemetryPoint[] {
  return batch.samples.map((sample) => ({
    tenant: batch.tenant,
    gateway: batch.gateway,
    asset: sample.asset,
    part: sample.part,
    status: sample.status,
    time: sample.time,
    value: sample.value,
  }));
}

/** A topic as it goes into a log line: a peer may publish on a topic of any length. */
function clip(topic: string): string {
  return topic.length > 200 ? `${topic.slice(0, 200)}…` : topic;
}
