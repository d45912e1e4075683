import fc from 'fast-check';
import { inRanges, parseCursor, serializeCursor, toRanges } from './cursor';

describe('cursor file', () => {
  const cursor = new Map([
    ['event', { floor: 12, acked: [[14, 15], [20, 20]] as [number, number][] }],
    ['telemetry', { floor: 0, acked: [] }],
  ]);

  it('round-trips', () => {
    expect(parseCursor(serializeCursor(cursor))).toEqual(cursor);
  });

  it('refuses a damaged file instead of trusting a wrong floor', () => {
    const text = serializeCursor(cursor);
    expect(parseCursor(text.replace('"floor":12', '"floor":92'))).toBeUndefined();
    expect(parseCursor(text.slice(0, -5))).toBeUndefined();
    expect(parseCursor('')).toBeUndefined();
    expect(parseCursor('not a cursor\n')).toBeUndefined();
  });

  it('refuses ranges that overlap or go backwards even with a valid checksum', () => {
    const bad = new Map([['event', { floor: 10, acked: [[14, 15], [15, 16]] as [number, number][] }]]);
    expect(parseCursor(serializeCursor(bad))).toBeUndefined();
  });

  it('compresses sorted seqs into ranges that answer membership exactly', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(200), { maxLength: 80 }), (seqs) => {
        const sorted = [...seqs].sort((a, b) => a - b);
        const ranges = toRanges(sorted);
        const members = new Set(sorted);
        const wrong = Array.from({ length: 202 }, (_, s) => s).filter((s) => inRanges(ranges, s) !== members.has(s));
        expect(wrong).toEqual([]);
        expect(ranges.every((r, i) => i === 0 || r[0] > ranges[i - 1][1] + 1)).toBe(true);
      }),
    );
  });
});
