import fc from 'fast-check';
import { WindowFn } from './ast';
import { SampleSeries, WindowAggregate } from './series';
import { naiveWindow } from './testing/naive';

const FNS: WindowFn[] = ['avg', 'min', 'max', 'delta', 'rate', 'count'];
const DURATIONS = [1000, 2500, 10_000];

/** Equal, or both unknown, or within rounding (running sums vs a fresh sum). */
function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

interface Step {
  dt: number;
  value: number;
  /** Move the evaluation time this far past the sample (a tick or another status's sample). */
  advance: number;
  /** Send the sample this far in the past instead (a late sample within tolerance). */
  back: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  // Multiples of 250 ms make samples land exactly on window edges (durations are multiples too).
  dt: fc.oneof(fc.constantFrom(0, 250, 500, 1000), fc.integer({ min: 1, max: 1500 })),
  value: fc.oneof(fc.integer({ min: -50, max: 50 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
  advance: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 16 }).map((k) => k * 250), weight: 1 }),
  back: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.integer({ min: 1, max: 3000 }), weight: 2 }, { arbitrary: fc.integer({ min: 3000, max: 20_000 }), weight: 1 }),
});

/** Replays steps into a series and a plain list (last write wins on equal times); checks every function after each step. */
function check(steps: Step[], withReorder: boolean): void {
  const series = new SampleSeries();
  const aggs: WindowAggregate[] = DURATIONS.map((d) => series.aggregate(d, FNS));
  const all: { time: number; value: number }[] = [];
  let time = 1_000_000;
  let now = -Infinity;
  for (const step of steps) {
    time += step.dt;
    const t = withReorder ? time - step.back : time;
    now = Math.max(now, time + step.advance);
    const outcome = series.push(t, step.value, now);
    // The naive list keeps everything, in time order, one value per time (last write wins).
    const at = all.findIndex((p) => p.time >= t);
    const same = at >= 0 && all[at].time === t;
    if (t < now - series.span) {
      // Outside every window already: dropped at once, whichever way.
      expect(['expired', 'appended', 'duplicate']).toContain(outcome);
    } else if (same) {
      expect(outcome).toBe(all[at].value === step.value ? 'duplicate' : 'replaced');
    } else {
      expect(outcome).toBe(at < 0 ? 'appended' : 'inserted');
    }
    if (same) all[at].value = step.value;
    else all.splice(at < 0 ? all.length : at, 0, { time: t, value: step.value });
    DURATIONS.forEach((d, k) => {
      for (const fn of FNS) {
        const got = aggs[k][fn](now);
        const want = naiveWindow(fn, all, now, d);
        if (!close(got, want)) throw new Error(`${fn} over ${d} ms at ${now}: got ${got}, want ${want}`);
      }
    });
    // The buffer never holds more than the longest window needs.
    expect(series.samples().every(([st]) => st >= now - series.span)).toBe(true);
  }
}

describe('SampleSeries: incremental windows equal a naive recomputation', () => {
  it('for in-order streams with repeated timestamps (last write wins)', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 120 }), (steps) => check(steps, false)), { numRuns: 150 });
  });

  it('for streams with late samples inserted out of order', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 120 }), (steps) => check(steps, true)), { numRuns: 150 });
  });

  it('keeps the running sum exact on a long stream (no drift)', () => {
    const series = new SampleSeries();
    const avg = series.aggregate(10_000, ['avg']);
    let x = 0.1;
    for (let i = 0; i < 100_000; i++) {
      x = (x * 7919 + 0.37) % 1000;
      series.push(i * 100, i % 1000 === 0 ? 1e12 : x, i * 100);
    }
    const held = series.samples().filter(([t]) => t >= 99_999 * 100 - 10_000);
    const exact = held.reduce((s, [, v]) => s + v, 0) / held.length;
    expect(Math.abs(avg.avg(99_999 * 100) - exact)).toBeLessThan(1e-9 * exact);
  });

  it('grows its ring buffer and keeps only the longest window', () => {
    const series = new SampleSeries();
    const max = series.aggregate(60_000, ['max']);
    for (let i = 0; i < 1000; i++) series.push(i * 1000, i, i * 1000);
    expect(series.size).toBe(61);
    expect(max.max(999_000)).toBe(999);
    expect(max.count(999_000)).toBe(61);
  });

  it('fills an aggregate added after samples arrived', () => {
    const series = new SampleSeries();
    series.aggregate(10_000, ['count']);
    for (let i = 0; i < 10; i++) series.push(i * 1000, i, i * 1000);
    const late = series.aggregate(5000, ['avg', 'min']);
    expect(late.avg(9000)).toBe(6.5);
    expect(late.min(9000)).toBe(4);
  });

  it('defines rate per second between the oldest and newest sample, unknown with one time', () => {
    const series = new SampleSeries();
    const agg = series.aggregate(60_000, ['rate', 'delta']);
    series.push(0, 10, 0);
    expect(agg.rate(0)).toBeNaN();
    expect(agg.delta(0)).toBe(0);
    series.push(4000, 30, 4000);
    expect(agg.rate(4000)).toBe(5);
    expect(agg.delta(4000)).toBe(20);
    expect(agg.rate(100_000)).toBeNaN();
    expect(agg.count(100_000)).toBe(0);
  });
});
