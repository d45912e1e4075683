import fc from 'fast-check';
import { LIMITS, TelemetrySample, batchSamples, hasControlCharacter, tryEncode } from './index';

const sample = (i: number, asset = 'car-0017'): TelemetrySample => ({ asset, part: 'p.axle', status: 'vibration_rms', time: 1772439300000 + i, value: i / 7 });
const header = { tenant: 'acme', gateway: 'gw-1', firstSeq: 10 };

describe('batchSamples', () => {
  it('cuts by count and numbers the batches', () => {
    const batches = batchSamples(header, Array.from({ length: 2500 }, (_, i) => sample(i)));
    expect(batches.map((b) => [b.seq, b.samples.length])).toEqual([
      [10, 1000],
      [11, 1000],
      [12, 500],
    ]);
    expect(batches.flatMap((b) => b.samples)).toHaveLength(2500);
    expect(batchSamples(header, [])).toEqual([]);
  });

  it('cuts by bytes so that every batch encodes within the limit', () => {
    const long = 'a'.repeat(LIMITS.maxIdLength);
    const samples = Array.from({ length: 1200 }, (_, i) => sample(i, long));
    const batches = batchSamples({ ...header, downsampling: { method: 'max', intervalMs: 1000 } }, samples);
    expect(batches.length).toBeGreaterThan(2);
    for (const batch of batches) {
      const encoded = tryEncode(batch);
      expect(encoded.ok).toBe(true);
      if (encoded.ok) expect(encoded.value.length).toBeLessThanOrEqual(LIMITS.maxPayloadBytes);
    }
    expect(batches.flatMap((b) => b.samples)).toEqual(samples);
  });

  it('fills batches up to the byte limit exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 4000 }), fc.array(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && !hasControlCharacter(s)), { minLength: 1, maxLength: 60 }), (maxBytes, assets) => {
        const samples = assets.map((asset, i) => sample(i, asset));
        const batches = batchSamples(header, samples, { maxBytes });
        expect(batches.flatMap((b) => b.samples)).toEqual(samples);
        batches.forEach((batch, i) => {
          const encoded = tryEncode(batch);
          expect(encoded.ok).toBe(true);
          if (!encoded.ok) return;
          expect(encoded.value.length).toBeLessThanOrEqual(maxBytes);
          // Not cut too early: the next batch's first sample would not have fitted.
          const next = batches[i + 1];
          if (next) {
            const grown = tryEncode({ ...batch, samples: [...batch.samples, next.samples[0]] });
            expect(grown.ok && grown.value.length).toBeGreaterThan(maxBytes - (String(Number.MAX_SAFE_INTEGER).length - String(batch.seq).length));
          }
        });
      }),
    );
  });

  it('refuses a sample that fits in no batch', () => {
    expect(() => batchSamples(header, [sample(0)], { maxBytes: 100 })).toThrow(RangeError);
  });
});
