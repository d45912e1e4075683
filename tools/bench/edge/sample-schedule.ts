// Which sample the load generator sends next, and when a sample must cross the threshold. Samples go round-robin
// over the assets at the target aggregate rate; every asset crosses the threshold once per `crossEveryMs` (one
// sample above it, the next ones below again), the assets' crossings spread evenly over that period. So events are
// expected at known input times, a rising edge each time (the gateway fires on rising edges), and the event rate
// (assets / period) does not depend on the sample rate: only the input load does. An asset's crossings are always at
// least one period apart.

export interface ScheduleOptions {
  assets: readonly string[];
  /** Samples per second, all assets together. */
  rate: number;
  /** Each asset crosses the threshold once per this period. */
  crossEveryMs: number;
  threshold: number;
  /** Epoch ms of the first sample. */
  start: number;
}

/** A sample above the threshold: an event is expected for it. `time` is the sample's time, its send time too. */
export interface Crossing {
  asset: string;
  time: number;
}

export interface ScheduledSample {
  asset: string;
  /** Per asset: 0, 1, 2, ... */
  seq: number;
  value: number;
  crossing: boolean;
}

export class SampleSchedule {
  /** Samples handed out so far. */
  sent = 0;
  private readonly nextCrossing: number[];

  constructor(private readonly options: ScheduleOptions) {
    if (options.assets.length === 0) throw new RangeError('the schedule needs at least one asset');
    if (!(options.rate > 0)) throw new RangeError(`rate must be > 0, got ${options.rate}`);
    if (!(options.crossEveryMs >= 1000)) throw new RangeError(`crossEveryMs must be >= 1000 (one crossing per asset per ms at most), got ${options.crossEveryMs}`);
    const count = options.assets.length;
    this.nextCrossing = options.assets.map((_, i) => options.start + ((i + 0.5) / count) * options.crossEveryMs);
  }

  /** How many samples are due by `now` and not yet sent, at most `maxBurst` (a stalled generator does not flood). */
  due(now: number, maxBurst: number): number {
    const owed = Math.floor((this.options.rate * (now - this.options.start)) / 1000) - this.sent;
    return Math.max(0, Math.min(owed, maxBurst));
  }

  /** The next sample, sent at `now`. A crossing is the asset's first sample at or after its scheduled crossing time. */
  next(now: number): ScheduledSample {
    const { assets, threshold, crossEveryMs } = this.options;
    const index = this.sent % assets.length;
    const seq = Math.floor(this.sent / assets.length);
    this.sent++;
    const crossing = now >= this.nextCrossing[index];
    if (crossing) {
      // An asset's crossings stay a whole period apart even after a stall (the next one moves, never bunches up):
      // events are tied to crossings by asset and nearest time, which needs them apart.
      this.nextCrossing[index] = Math.max(this.nextCrossing[index] + crossEveryMs, now + crossEveryMs);
      return { asset: assets[index], seq, value: round2(threshold + 2), crossing };
    }
    return { asset: assets[index], seq, value: belowThreshold(threshold, index, seq), crossing };
  }
}

/** A value in [threshold - 5, threshold - 1] (rounded to 0.01), varying by asset and seq (deterministic, no RNG state to carry). */
export function belowThreshold(threshold: number, assetIndex: number, seq: number): number {
  const fraction = ((seq * 7919 + assetIndex * 104_729) % 1000) / 1000;
  return round2(threshold - 5 + 4 * fraction);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
