// The in-memory TelemetryStore: what the cloud uses without INFLUX_URL (a demo, a test, a laptop). Bounded twice:
// each status keeps its last `pointsPerStatus` points (a ring), and all rings together at most `pointBudget`
// points; over the budget the oldest point of all (by sample time) is dropped first, found through a min-heap of
// the rings keyed by their oldest point. Nothing survives a restart.
import { SeriesRing } from './series-ring';
import {
  LatestValue,
  SeriesPoint,
  SeriesQuery,
  SeriesResult,
  StoreHealth,
  StoreStats,
  TelemetryPoint,
  TelemetryStore,
  bucketStart,
  statusRef,
} from './telemetry-store';

export interface MemoryTelemetryOptions {
  /** Points kept per status (per tenant, asset, part.status); default 2000. */
  pointsPerStatus?: number;
  /** Points kept in all; default 1,000,000 (16 MB of samples). */
  pointBudget?: number;
  /** Points one series may return without a step; more are cut to the newest (`truncated`). Default 10,000. */
  queryLimit?: number;
}

export const MEMORY_DEFAULTS = { pointsPerStatus: 2000, pointBudget: 1_000_000, queryLimit: 10_000 } as const;

interface Series {
  assetKey: string;
  ref: string;
  ring: SeriesRing;
  /** Position in the heap; -1 when not in it (empty). */
  heapIndex: number;
}

export class MemoryTelemetryStore implements TelemetryStore {
  readonly kind = 'memory' as const;
  readonly pointsPerStatus: number;
  readonly pointBudget: number;
  readonly queryLimit: number;
  /** tenant NUL asset -> status reference -> series. Ids never hold control characters, so NUL separates safely. */
  private readonly assets = new Map<string, Map<string, Series>>();
  /** Non-empty series, as a binary min-heap on their oldest point's time. */
  private readonly heap: Series[] = [];
  private total = 0;
  private written = 0;
  private dropped = 0;

  constructor(options: MemoryTelemetryOptions = {}) {
    this.pointsPerStatus = positiveInteger('pointsPerStatus', options.pointsPerStatus ?? MEMORY_DEFAULTS.pointsPerStatus);
    this.pointBudget = positiveInteger('pointBudget', options.pointBudget ?? MEMORY_DEFAULTS.pointBudget);
    this.queryLimit = positiveInteger('queryLimit', options.queryLimit ?? MEMORY_DEFAULTS.queryLimit);
  }

  async start(): Promise<void> {
    // Nothing to prepare.
  }

  async write(points: readonly TelemetryPoint[]): Promise<void> {
    for (const point of points) this.insert(point);
  }

  async series(query: SeriesQuery): Promise<SeriesResult> {
    const bySeries = this.assets.get(assetKey(query.tenant, query.asset));
    const refs = query.statuses ? query.statuses.map(statusRef) : [...(bySeries?.keys() ?? [])].sort();
    const result: SeriesResult = { resolution: 'raw', truncated: false, series: {}, ...(query.stepMs !== undefined && { stepMs: query.stepMs }) };
    for (const ref of refs) {
      const ring = bySeries?.get(ref)?.ring;
      let lo = ring ? ring.lowerBound(query.from) : 0;
      const hi = ring ? ring.lowerBound(query.to) : 0;
      if (!ring || hi <= lo) {
        if (query.statuses) result.series[ref] = [];
        continue;
      }
      if (query.stepMs !== undefined) {
        result.series[ref] = aggregate(ring, lo, hi, query.stepMs);
        continue;
      }
      if (hi - lo > this.queryLimit) {
        lo = hi - this.queryLimit;
        result.truncated = true;
      }
      const points: SeriesPoint[] = [];
      for (let i = lo; i < hi; i++) points.push({ time: ring.timeAt(i), value: ring.valueAt(i) });
      result.series[ref] = points;
    }
    return result;
  }

  async latest(tenant: string, asset: string): Promise<Record<string, LatestValue>> {
    const latest: Record<string, LatestValue> = {};
    const bySeries = this.assets.get(assetKey(tenant, asset));
    for (const ref of [...(bySeries?.keys() ?? [])].sort()) {
      const point = bySeries!.get(ref)!.ring.latest();
      if (point) latest[ref] = point;
    }
    return latest;
  }

  health(): StoreHealth {
    return {
      kind: 'memory',
      ok: true,
      detail:
        `in memory: ${this.total} points in ${this.heap.length} series (last ${this.pointsPerStatus} per status, ` +
        `${this.pointBudget} in all); lost on restart`,
    };
  }

  stats(): StoreStats {
    return { pointsWritten: this.written, pointsDropped: this.dropped, pendingPoints: 0, writeErrors: 0 };
  }

  /** Points held now (never above pointBudget). */
  get size(): number {
    return this.total;
  }

  async close(): Promise<void> {
    // Nothing buffered.
  }

  private insert(point: TelemetryPoint): void {
    const key = assetKey(point.tenant, point.asset);
    let bySeries = this.assets.get(key);
    if (!bySeries) {
      bySeries = new Map();
      this.assets.set(key, bySeries);
    }
    const ref = statusRef(point);
    let series = bySeries.get(ref);
    if (!series) {
      series = { assetKey: key, ref, ring: new SeriesRing(this.pointsPerStatus), heapIndex: -1 };
      bySeries.set(ref, series);
    }
    const outcome = series.ring.insert(point.time, point.value);
    if (outcome === 'rejected') {
      this.dropped++;
      return;
    }
    this.written++;
    if (outcome === 'added') this.total++;
    if (outcome === 'shifted') this.dropped++;
    // The ring's oldest point may have changed either way (a late point, or the oldest shifted out).
    if (series.heapIndex < 0) this.heapPush(series);
    else this.heapFix(series.heapIndex);
    while (this.total > this.pointBudget) this.dropOldestOfAll();
  }

  private dropOldestOfAll(): void {
    const series = this.heap[0];
    series.ring.dropOldest();
    this.total--;
    this.dropped++;
    if (series.ring.size > 0) {
      this.siftDown(0);
      return;
    }
    this.heapRemoveTop();
    const bySeries = this.assets.get(series.assetKey)!;
    bySeries.delete(series.ref);
    if (bySeries.size === 0) this.assets.delete(series.assetKey);
  }

  private key(i: number): number {
    return this.heap[i].ring.oldestTime();
  }

  private heapPush(series: Series): void {
    series.heapIndex = this.heap.length;
    this.heap.push(series);
    this.siftUp(series.heapIndex);
  }

  private heapRemoveTop(): void {
    const top = this.heap[0];
    const last = this.heap.pop()!;
    top.heapIndex = -1;
    if (last !== top) {
      this.heap[0] = last;
      last.heapIndex = 0;
      this.siftDown(0);
    }
  }

  private heapFix(i: number): void {
    const series = this.heap[i];
    this.siftUp(i);
    this.siftDown(series.heapIndex);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key(parent) <= this.key(i)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.key(left) < this.key(smallest)) smallest = left;
      if (right < this.heap.length && this.key(right) < this.key(smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const sa = this.heap[a];
    const sb = this.heap[b];
    this.heap[a] = sb;
    this.heap[b] = sa;
    sa.heapIndex = b;
    sb.heapIndex = a;
  }
}

function assetKey(tenant: string, asset: string): string {
  return `${tenant}\u0000${asset}`;
}

/** Mean, min and max per epoch-aligned interval over the ring's points [lo, hi); empty intervals are left out. */
function aggregate(ring: SeriesRing, lo: number, hi: number, stepMs: number): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  let start = bucketStart(ring.timeAt(lo), stepMs);
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  const emit = (): void => {
    points.push({ time: start, value: sum / count, min, max });
  };
  for (let i = lo; i < hi; i++) {
    const bucket = bucketStart(ring.timeAt(i), stepMs);
    if (bucket !== start) {
      emit();
      start = bucket;
      sum = 0;
      count = 0;
      min = Infinity;
      max = -Infinity;
    }
    const value = ring.valueAt(i);
    sum += value;
    count++;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  emit();
  return points;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`MemoryTelemetryStore ${name} must be an integer >= 1, got ${value}`);
  return value;
}
