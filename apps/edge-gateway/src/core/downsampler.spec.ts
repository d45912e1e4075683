import fc from 'fast-check';
import { Downsampler } from './downsampler';

const s = (time: number, value: number, status = 'x') => ({ asset: 'A', part: 'p.a', status, time, value });

describe('Downsampler', () => {
  it('averages each status per interval, stamped with the interval start, once a later interval begins', () => {
    const d = new Downsampler('avg', 10_000, 5_000);
    d.add(s(1_000, 1));
    d.add(s(9_000, 3));
    d.add(s(2_000, 10, 'y'));
    expect(d.take(12_000).samples).toEqual([]);
    d.add(s(11_000, 7));
    expect(d.take(12_000)).toEqual({ samples: [{ asset: 'A', part: 'p.a', status: 'x', time: 0, value: 2 }], sourceSamples: 2 });
    // y's interval closes on the clock: it ended at 10 000, grace 5 000.
    expect(d.take(15_000).samples).toEqual([{ asset: 'A', part: 'p.a', status: 'y', time: 0, value: 10 }]);
    expect(d.takeAll().samples).toEqual([{ asset: 'A', part: 'p.a', status: 'x', time: 10_000, value: 7 }]);
    expect(d.pending).toBe(0);
  });

  it('min, max and last pick their value; raw passes samples through', () => {
    for (const [method, expected] of [['min', 1], ['max', 9], ['last', 4]] as const) {
      const d = new Downsampler(method, 1000, 0);
      for (const [t, v] of [[100, 5], [300, 9], [200, 1], [900, 4]]) d.add(s(t, v));
      expect(d.takeAll().samples.map((x) => x.value)).toEqual([expected]);
    }
    const raw = new Downsampler('raw', 1000, 0);
    raw.add(s(1, 2));
    raw.add(s(1, 3, 'y'));
    expect(raw.take(0)).toEqual({ samples: [s(1, 2), s(1, 3, 'y')], sourceSamples: 2 });
  });

  it('loses no sample: the aggregates account for every input (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -50, max: 50 }), fc.constantFrom('x', 'y')), { maxLength: 200 }), (input) => {
        const d = new Downsampler('avg', 7_000, 1_000);
        let out = 0;
        let total = 0;
        input.forEach(([t, v, st], i) => {
          d.add(s(t, v, st));
          if (i % 17 === 0) {
            const r = d.take(t);
            out += r.sourceSamples;
            total += r.samples.length;
          }
        });
        const rest = d.takeAll();
        out += rest.sourceSamples;
        total += rest.samples.length;
        expect(out).toBe(input.length);
        expect(total).toBeLessThanOrEqual(input.length);
        expect(d.pending).toBe(0);
      }),
    );
  });
});
