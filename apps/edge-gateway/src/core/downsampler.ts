// Telemetry downsampling for the uplink: accepted samples in, one aggregate per status and interval out. Pure (no
// timers, no I/O): the gateway calls `add` per sample and `take` on its flush timer.
//
// An interval [start, start + intervalMs) of one status is complete when a sample of that status arrives in a later
// interval (device time moves on) or when the gateway's clock is past its end by `graceMs` (the device went quiet).
// Samples are accepted by the trigger engine first, so out-of-order ones are within its late tolerance: graceMs
// should be at least that tolerance, or a reordered sample can open an interval again (it is then sent as a second
// aggregate of the same interval, never lost).
import type { TelemetrySample } from '@pss/protocol';
import type { Sample } from '@pss/triggers';

export type DownsamplingMethod = 'raw' | 'avg' | 'min' | 'max' | 'last';

interface Bucket {
  start: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  lastTime: number;
}

interface Series {
  asset: string;
  part: string;
  status: string;
  /** Open intervals, oldest first (usually one). */
  buckets: Bucket[];
}

export interface TakeResult {
  samples: TelemetrySample[];
  /** Raw samples behind these (for the batch's `sourceSamples`). */
  sourceSamples: number;
}

export class Downsampler {
  private readonly series = new Map<string, Series>();
  private readonly ready: TelemetrySample[] = [];
  private readySources = 0;
  private pendingRaw = 0;

  constructor(
    readonly method: DownsamplingMethod,
    readonly intervalMs: number,
    private readonly graceMs: number,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  }

  /** Samples and open intervals held (for metrics). */
  get pending(): number {
    return this.ready.length + this.pendingRaw;
  }

  add(sample: Sample): void {
    if (this.method === 'raw') {
      this.ready.push({ asset: sample.asset, part: sample.part, status: sample.status, time: sample.time, value: sample.value });
      this.readySources++;
      return;
    }
    const key = `${sample.asset}\u0000${sample.part}\u0000${sample.status}`;
    let s = this.series.get(key);
    if (!s) {
      s = { asset: sample.asset, part: sample.part, status: sample.status, buckets: [] };
      this.series.set(key, s);
    }
    const start = Math.floor(sample.time / this.intervalMs) * this.intervalMs;
    let bucket: Bucket | undefined;
    for (const b of s.buckets) if (b.start === start) bucket = b;
    if (!bucket) {
      bucket = { start, count: 0, sum: 0, min: Infinity, max: -Infinity, last: 0, lastTime: -Infinity };
      s.buckets.push(bucket);
      s.buckets.sort((a, b) => a.start - b.start);
      // A newer interval began: the older ones of this status are complete.
      while (s.buckets.length > 1 && s.buckets[0].start < start) this.close(s, s.buckets.shift()!);
    }
    bucket.count++;
    bucket.sum += sample.value;
    if (sample.value < bucket.min) bucket.min = sample.value;
    if (sample.value > bucket.max) bucket.max = sample.value;
    if (sample.time >= bucket.lastTime) {
      bucket.last = sample.value;
      bucket.lastTime = sample.time;
    }
    this.pendingRaw++;
  }

  /** Closes intervals that ended more than graceMs before `now`, and hands out everything complete. */
  take(now: number): TakeResult {
    if (this.method !== 'raw') {
      for (const [key, s] of this.series) {
        while (s.buckets.length > 0 && s.buckets[0].start + this.intervalMs + this.graceMs <= now) this.close(s, s.buckets.shift()!);
        if (s.buckets.length === 0) this.series.delete(key);
      }
    }
    return this.drain();
  }

  /** Everything, open intervals included (at shutdown). */
  takeAll(): TakeResult {
    for (const s of this.series.values()) while (s.buckets.length > 0) this.close(s, s.buckets.shift()!);
    this.series.clear();
    return this.drain();
  }

  private drain(): TakeResult {
    const samples = this.ready.splice(0, this.ready.length);
    const sourceSamples = this.readySources;
    this.readySources = 0;
    return { samples, sourceSamples };
  }

  private close(s: Series, b: Bucket): void {
    const value = this.method === 'avg' ? b.sum / b.count : this.method === 'min' ? b.min : this.method === 'max' ? b.max : b.last;
    this.ready.push({ asset: s.asset, part: s.part, status: s.status, time: b.start, value });
    this.readySources += b.count;
    this.pendingRaw -= b.count;
  }
}
