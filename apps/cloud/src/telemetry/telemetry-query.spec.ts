import { readSeriesRequest, readStep, readTime } from './telemetry-query';

const NOW = Date.parse('2026-03-02T09:00:00Z');

function issuesOf(asset: unknown, query: Record<string, unknown>): string[] {
  const result = readSeriesRequest(asset, query, NOW);
  if (result.ok) throw new Error(`expected issues, got ${JSON.stringify(result.value)}`);
  return result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe('readSeriesRequest', () => {
  it('defaults to the last hour up to now, every status, stored points', () => {
    expect(readSeriesRequest('car-0017', {}, NOW)).toEqual({ ok: true, value: { asset: 'car-0017', from: NOW - 3_600_000, to: NOW } });
  });

  it('reads statuses (repeated or comma-separated), epoch ms and ISO times, and steps with units', () => {
    const result = readSeriesRequest(
      'car-0017',
      { status: ['p.axle.vibration_rms', 'p.frame.crack_len,p.axle.vibration_rms'], from: '2026-03-02T08:00:00+01:00', to: '1772438400000', step: '5m' },
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        asset: 'car-0017',
        statuses: [
          { part: 'p.axle', status: 'vibration_rms' },
          { part: 'p.frame', status: 'crack_len' },
        ],
        from: Date.parse('2026-03-02T07:00:00Z'),
        to: 1772438400000,
        stepMs: 300_000,
      },
    });
    expect(readSeriesRequest('car-0017', { from: '2026-03-01', step: '60000' }, NOW)).toMatchObject({ ok: true, value: { from: Date.parse('2026-03-01T00:00:00Z'), to: NOW, stepMs: 60_000 } });
  });

  it('names each bad parameter in its issue', () => {
    expect(issuesOf('car-0017', { from: 'yesterday', to: '2026-03-02T08:00:00', step: 'fast', status: 'vibration', colour: 'red' })).toEqual([
      'query.colour: unknown parameter (known: status, from, to, step)',
      'query.status: "vibration": must be a status reference <part>.<status> (like p.axle.vibration_rms)',
      'query.to: "2026-03-02T08:00:00" has no zone: add Z (UTC) or an offset like +01:00',
      'query.from: must be epoch milliseconds (like 1772439300000) or an ISO 8601 time with a zone (like 2026-03-02T08:15:00Z), got "yesterday"',
      'query.step: must be an interval of at least 1 ms, in ms (60000) or with a unit ms, s, m, h or d (like 10s or 5m), got "fast"',
    ]);
    expect(issuesOf('car-0017', { from: '1772438400000', to: '1772438400000' })).toEqual(['query.from: must be before to (from 2026-03-02T08:00:00.000Z, to 2026-03-02T08:00:00.000Z)']);
    expect(issuesOf('car-0017', { from: '0', to: '86400000', step: '1s' })).toEqual([
      'query.step: 1s over 86400000 ms makes 86400 intervals per status, over the limit of 10000: use a step of at least 8640 ms',
    ]);
    expect(issuesOf('car-0017', { step: ['1m', '5m'], status: 'p.axle.' })).toEqual([
      'query.status: "p.axle.": must be a status reference <part>.<status> (like p.axle.vibration_rms)',
      'query.step: must be given once',
    ]);
    expect(issuesOf('car\u00000017', {})).toEqual(['asset: must not contain control characters']);
    expect(issuesOf('x'.repeat(200), {})).toEqual(['asset: must be at most 128 characters, got 200']);
    expect(issuesOf('car-0017', { status: Array.from({ length: 101 }, (_, i) => `p.s${i}`) })).toEqual(['query.status: names 101 statuses, over the limit of 100']);
  });
});

describe('readTime and readStep', () => {
  it('accept what they document and refuse the rest with the reason', () => {
    const fails: string[] = [];
    const fail = (message: string): void => {
      fails.push(message);
    };
    expect(readTime('2026-03-02T08:15:00.250Z', fail)).toBe(Date.parse('2026-03-02T08:15:00.250Z'));
    expect(readTime('99999999999999999', fail)).toBeUndefined();
    expect(readStep('500ms', fail)).toBe(500);
    expect(readStep('1d', fail)).toBe(86_400_000);
    expect(readStep('0', fail)).toBeUndefined();
    expect(readStep('1.5m', fail)).toBeUndefined();
    expect(fails).toHaveLength(3);
    expect(fails[0]).toContain('it must also lie between 1970 and the year 275760');
  });
});
