// Incremental window state for one status of one asset. The samples within the longest window
// any condition needs live in a ring buffer addressed by absolute sequence numbers (seq & mask),
// and each window length (an "aggregate") keeps, over that shared buffer:
//   - the seq of its oldest sample (delta, rate and count need nothing more),
//   - a compensated running sum (avg),
//   - monotonic deques of seqs (min and max: the front is the extreme, each seq enters and
//     leaves once).
// Appending a sample and sliding a window therefore cost O(1) amortized. Two rare events rebuild
// one status's aggregates in O(window): a late sample inserted out of order (within the engine's
// tolerance) and a new value for an existing timestamp (last write wins), because a monotonic
// deque cannot take back a value it has already discarded.
import { WindowFn } from './ast';

/** A growable double-ended queue of seqs (a ring of doubles: seqs may pass 2^31). */
class SeqDeque {
  private buf = new Float64Array(8);
  private mask = 7;
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }
  front(): number {
    return this.buf[this.head & this.mask];
  }
  back(): number {
    return this.buf[(this.tail - 1) & this.mask];
  }
  popFront(): void {
    this.head++;
  }
  popBack(): void {
    this.tail--;
  }
  clear(): void {
    this.head = this.tail = 0;
  }
  pushBack(seq: number): void {
    if (this.tail - this.head === this.buf.length) this.grow();
    this.buf[this.tail & this.mask] = seq;
    this.tail++;
  }
  private grow(): void {
    const next = new Float64Array(this.buf.length * 2);
    const mask = next.length - 1;
    // Bitwise & reads the low 32 bits of a seq, which is exact for power-of-two capacities.
    for (let i = this.head; i < this.tail; i++) next[i & mask] = this.buf[i & this.mask];
    this.buf = next;
    this.mask = mask;
  }
}

const NEEDS_SUM = 1;
const NEEDS_MIN = 2;
const NEEDS_MAX = 4;

function needsOf(fns: Iterable<WindowFn>): number {
  let needs = 0;
  for (const fn of fns) needs |= fn === 'avg' ? NEEDS_SUM : fn === 'min' ? NEEDS_MIN : fn === 'max' ? NEEDS_MAX : 0;
  return needs;
}

/** What happened to a pushed sample. */
export type PushOutcome = 'appended' | 'replaced' | 'duplicate' | 'inserted' | 'expired';

/** The samples of one status within `span` ms of the latest evaluation time, oldest first. */
export class SampleSeries {
  times = new Float64Array(16);
  values = new Float64Array(16);
  mask = 15;
  /** Seq of the oldest sample held. */
  head = 0;
  /** Seq after the newest sample held. */
  tail = 0;
  /** The longest window of any aggregate (ms): older samples are dropped. */
  span = 0;
  /** The latest evaluation time the series was advanced to. */
  now = -Infinity;
  readonly aggregates: WindowAggregate[] = [];

  /** The aggregate for a window length, created (and filled from held samples) on first use. */
  aggregate(durationMs: number, fns: Iterable<WindowFn>): WindowAggregate {
    const needs = needsOf(fns);
    let agg = this.aggregates.find((a) => a.durationMs === durationMs);
    if (agg) {
      agg.needs |= needs;
    } else {
      agg = new WindowAggregate(this, durationMs, needs);
      this.aggregates.push(agg);
      this.span = Math.max(this.span, durationMs);
    }
    agg.rebuild(this.now);
    return agg;
  }

  get size(): number {
    return this.tail - this.head;
  }
  timeAt(seq: number): number {
    return this.times[seq & this.mask];
  }
  valueAt(seq: number): number {
    return this.values[seq & this.mask];
  }

  /**
   * Adds a sample and slides the windows to `now` (the asset's clock, >= every earlier `now`).
   * In order (time after the newest): O(1) amortized. Same time as a held sample: a duplicate if
   * the value is equal, else the value is replaced (last write wins). Older than the newest:
   * inserted in time order, unless it is already outside every window ('expired').
   */
  push(time: number, value: number, now: number): PushOutcome {
    const tail = this.tail;
    let outcome: PushOutcome;
    if (tail === this.head || time > this.times[(tail - 1) & this.mask]) {
      if (tail - this.head === this.times.length) this.grow();
      const slot = tail & this.mask;
      this.times[slot] = time;
      this.values[slot] = value;
      this.tail = tail + 1;
      const aggs = this.aggregates;
      for (let i = 0; i < aggs.length; i++) aggs[i].onAppend(tail, value);
      outcome = 'appended';
    } else if (time < Math.max(now, this.now) - this.span) {
      this.advance(now);
      return 'expired';
    } else {
      const at = this.lowerBound(time);
      if (at < tail && this.times[at & this.mask] === time) {
        if (this.values[at & this.mask] === value) return 'duplicate';
        this.values[at & this.mask] = value;
        outcome = 'replaced';
      } else {
        this.insertAt(at, time, value);
        outcome = 'inserted';
      }
      this.now = Math.max(this.now, now);
      for (const agg of this.aggregates) agg.rebuild(this.now);
    }
    this.advance(now);
    return outcome;
  }

  /** Slides every window to `now` and drops samples older than the longest one. */
  advance(now: number): void {
    if (now > this.now) this.now = now;
    const aggs = this.aggregates;
    // Aggregates first: each must subtract the samples it loses before the buffer forgets them.
    for (let i = 0; i < aggs.length; i++) aggs[i].evict(this.now);
    const threshold = this.now - this.span;
    let head = this.head;
    while (head < this.tail && this.times[head & this.mask] < threshold) head++;
    this.head = head;
  }

  /** Held samples, oldest first (for snapshots and tests). */
  samples(): [number, number][] {
    const out: [number, number][] = [];
    for (let s = this.head; s < this.tail; s++) out.push([this.timeAt(s), this.valueAt(s)]);
    return out;
  }

  /** First seq whose time is >= `time`. */
  private lowerBound(time: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.times[mid & this.mask] < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertAt(at: number, time: number, value: number): void {
    if (this.tail - this.head === this.times.length) this.grow();
    for (let s = this.tail; s > at; s--) {
      this.times[s & this.mask] = this.times[(s - 1) & this.mask];
      this.values[s & this.mask] = this.values[(s - 1) & this.mask];
    }
    this.times[at & this.mask] = time;
    this.values[at & this.mask] = value;
    this.tail++;
  }

  private grow(): void {
    const size = this.times.length * 2;
    const times = new Float64Array(size);
    const values = new Float64Array(size);
    const mask = size - 1;
    for (let s = this.head; s < this.tail; s++) {
      times[s & mask] = this.times[s & this.mask];
      values[s & mask] = this.values[s & this.mask];
    }
    this.times = times;
    this.values = values;
    this.mask = mask;
  }
}

/**
 * One window length over a series: the samples with time in [now - durationMs, now]. Queries
 * take the evaluation time and slide the window lazily. Empty windows give NaN (unknown) for
 * every function but count.
 */
export class WindowAggregate {
  /** Seq of the oldest sample inside the window. */
  start = 0;
  private sum = 0;
  /** Neumaier compensation: what `sum` lost to rounding. */
  private comp = 0;
  /** Evictions since the sum was last recomputed exactly (bounds drift on endless streams). */
  private evictedSinceExact = 0;
  private readonly minQ = new SeqDeque();
  private readonly maxQ = new SeqDeque();

  constructor(
    readonly series: SampleSeries,
    readonly durationMs: number,
    public needs: number,
  ) {}

  /** The series stored a new newest sample at `seq`. */
  onAppend(seq: number, value: number): void {
    if (this.needs & NEEDS_SUM) this.add(value);
    this.pushExtremes(seq, value);
  }

  private pushExtremes(seq: number, value: number): void {
    const needs = this.needs;
    if (needs & NEEDS_MIN) {
      const q = this.minQ;
      while (q.size > 0 && this.series.valueAt(q.back()) >= value) q.popBack();
      q.pushBack(seq);
    }
    if (needs & NEEDS_MAX) {
      const q = this.maxQ;
      while (q.size > 0 && this.series.valueAt(q.back()) <= value) q.popBack();
      q.pushBack(seq);
    }
  }

  /** Drops samples older than now - durationMs. */
  evict(now: number): void {
    const series = this.series;
    const threshold = now - this.durationMs;
    const tail = series.tail;
    let start = this.start;
    if (start >= tail || series.times[start & series.mask] >= threshold) return;
    const sums = (this.needs & NEEDS_SUM) !== 0;
    do {
      if (sums) {
        this.add(-series.values[start & series.mask]);
        this.evictedSinceExact++;
      }
      start++;
    } while (start < tail && series.times[start & series.mask] < threshold);
    this.start = start;
    while (this.minQ.size > 0 && this.minQ.front() < start) this.minQ.popFront();
    while (this.maxQ.size > 0 && this.maxQ.front() < start) this.maxQ.popFront();
    // Recomputing costs the window's length and happens after at least that many evictions.
    if (sums && this.evictedSinceExact > tail - start + 32) this.resum();
  }

  /** Recomputes everything from the held samples (after an out-of-order insert or a replacement). */
  rebuild(now: number): void {
    const series = this.series;
    const threshold = now - this.durationMs;
    let start = series.head;
    while (start < series.tail && series.timeAt(start) < threshold) start++;
    this.start = start;
    this.resum();
    this.minQ.clear();
    this.maxQ.clear();
    for (let s = start; s < series.tail; s++) this.pushExtremes(s, series.valueAt(s));
  }

  count(now: number): number {
    this.evict(now);
    return this.series.tail - this.start;
  }

  avg(now: number): number {
    this.evict(now);
    const n = this.series.tail - this.start;
    return n > 0 ? (this.sum + this.comp) / n : NaN;
  }

  min(now: number): number {
    this.evict(now);
    return this.minQ.size > 0 ? this.series.valueAt(this.minQ.front()) : NaN;
  }

  max(now: number): number {
    this.evict(now);
    return this.maxQ.size > 0 ? this.series.valueAt(this.maxQ.front()) : NaN;
  }

  /** Newest minus oldest value in the window (0 with one sample). */
  delta(now: number): number {
    this.evict(now);
    const series = this.series;
    const last = series.tail - 1;
    return last >= this.start ? series.valueAt(last) - series.valueAt(this.start) : NaN;
  }

  /** delta per second between the oldest and newest sample in the window; unknown with < 2 times. */
  rate(now: number): number {
    this.evict(now);
    const series = this.series;
    const last = series.tail - 1;
    if (last <= this.start) return NaN;
    const dt = series.timeAt(last) - series.timeAt(this.start);
    return dt > 0 ? ((series.valueAt(last) - series.valueAt(this.start)) * 1000) / dt : NaN;
  }

  /** Compensated summation: the running sum of a long stream stays within rounding of exact. */
  private add(x: number): void {
    const s = this.sum;
    const t = s + x;
    this.comp += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    this.sum = t;
  }

  private resum(): void {
    this.sum = 0;
    this.comp = 0;
    this.evictedSinceExact = 0;
    if (!(this.needs & NEEDS_SUM)) return;
    const series = this.series;
    for (let s = this.start; s < series.tail; s++) this.add(series.valueAt(s));
  }
}
