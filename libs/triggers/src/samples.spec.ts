import { TriggerEngine, TriggerEngineOptions } from './engine';
import { testModel } from './testing/model';
import { SECOND, sample } from './testing/samples';

const T0 = 1_700_000_000_000;

function engine(options: TriggerEngineOptions = {}): TriggerEngine {
  const model = testModel({ 'p.a': [{ key: 'x', min: 0, max: 100 }, 'y'] }, [
    { id: 'now', condition: 'p.a.x > 50' },
    { id: 'avg', condition: "avg(p.a.y, '10s') > 50" },
  ]);
  return new TriggerEngine(model, options);
}

describe('sample policy', () => {
  it('rejects a sample older than the newest of its status (tolerance 0), with a reason, and counts it', () => {
    const e = engine();
    e.ingest(sample('A', 'p.a.x', T0, 10));
    const r = e.ingest(sample('A', 'p.a.x', T0 - 1, 99));
    expect(r).toEqual({
      outcome: 'late',
      accepted: false,
      reason: `p.a.x at ${T0 - 1} is 1 ms older than the newest sample (${T0}); tolerance 0 ms`,
      fired: [],
    });
    expect(e.inspect('A').values['p.a.x']).toEqual({ time: T0, value: 10 });
    expect(e.stats()).toMatchObject({ accepted: 1, late: 1 });
    // Lateness is per status: another status may still report older times.
    expect(e.ingest(sample('A', 'p.a.y', T0 - 5 * SECOND, 1)).outcome).toBe('accepted');
  });

  it('accepts samples within the late tolerance into the windows, without changing the latest value', () => {
    const e = engine({ lateToleranceMs: 2 * SECOND });
    e.ingest(sample('A', 'p.a.y', T0, 10));
    e.ingest(sample('A', 'p.a.y', T0 + 2 * SECOND, 60));
    expect(e.ingest(sample('A', 'p.a.y', T0 - 1, 1)).outcome).toBe('late');
    // avg over {10, 60, 90} = 53.3 > 50: the reordered sample is what fires the trigger.
    const r = e.ingest(sample('A', 'p.a.y', T0 + SECOND, 90));
    expect(r.outcome).toBe('reordered');
    expect(r.fired.map((f) => [f.trigger, f.values])).toEqual([['avg', { 'p.a.y': 60, "avg(p.a.y, '10s')": (10 + 60 + 90) / 3 }]]);
    // A reordered sample of a status no window reads changes nothing, and is still accepted.
    e.ingest(sample('A', 'p.a.x', T0 + 2 * SECOND, 10));
    expect(e.ingest(sample('A', 'p.a.x', T0 + SECOND, 99))).toMatchObject({ outcome: 'reordered', accepted: true, fired: [] });
    expect(e.inspect('A').values['p.a.x'].value).toBe(10);
    expect(e.stats()).toMatchObject({ reordered: 2, late: 1 });
  });

  it('ignores exact duplicates, also of an older sample within the tolerance', () => {
    const e = engine({ lateToleranceMs: 5 * SECOND });
    e.ingest(sample('A', 'p.a.y', T0, 10));
    e.ingest(sample('A', 'p.a.y', T0 + SECOND, 20));
    expect(e.ingest(sample('A', 'p.a.y', T0 + SECOND, 20))).toMatchObject({ outcome: 'duplicate', accepted: false });
    expect(e.ingest(sample('A', 'p.a.y', T0, 10))).toMatchObject({ outcome: 'duplicate', accepted: false });
    expect(e.stats()).toMatchObject({ accepted: 2, duplicate: 2 });
  });

  it('on equal time and another value, the last write wins (latest value and windows)', () => {
    const e = engine({ lateToleranceMs: 5 * SECOND });
    e.ingest(sample('A', 'p.a.y', T0, 10));
    e.ingest(sample('A', 'p.a.y', T0 + SECOND, 20));
    const r = e.ingest(sample('A', 'p.a.y', T0 + SECOND, 95));
    expect(r.outcome).toBe('replaced');
    expect(r.fired.map((f) => f.values)).toEqual([{ 'p.a.y': 95, "avg(p.a.y, '10s')": 52.5 }]);
    expect(e.inspect('A').values['p.a.y']).toEqual({ time: T0 + SECOND, value: 95 });
    // An older time within the tolerance is replaced in the window; the latest value stays.
    const older = e.ingest(sample('A', 'p.a.y', T0, 30));
    expect(older.outcome).toBe('replaced');
    expect(e.inspect('A').values['p.a.y']).toEqual({ time: T0 + SECOND, value: 95 });
    expect(e.inspect('A').triggers[1].condition).toBe(true);
    // avg {30, 95} = 62.5; the window changed, nothing fires (latched).
    expect(older.fired).toEqual([]);
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['a string', '7' as unknown as number],
    ['null', null as unknown as number],
  ])('rejects a non-finite value (%s)', (_, value) => {
    const e = engine();
    const r = e.ingest({ asset: 'A', part: 'p.a', status: 'y', time: T0, value });
    expect(r).toMatchObject({ outcome: 'non-finite', accepted: false, reason: expect.stringContaining('p.a.y: value must be a finite number') });
    expect(e.inspect('A').values).toEqual({});
  });

  it('rejects values outside the status range of the model', () => {
    const e = engine();
    expect(e.ingest(sample('A', 'p.a.x', T0, 100.5))).toMatchObject({ outcome: 'out-of-range', reason: 'p.a.x: 100.5 is outside [0, 100]' });
    expect(e.ingest(sample('A', 'p.a.x', T0, -0.1)).outcome).toBe('out-of-range');
    expect(e.ingest(sample('A', 'p.a.x', T0, 100)).outcome).toBe('accepted');
    expect(e.ingest(sample('A', 'p.a.x', T0 + 1, 0)).outcome).toBe('accepted');
    // No range in the model: anything finite.
    expect(e.ingest(sample('A', 'p.a.y', T0, -1e300)).outcome).toBe('accepted');
    expect(e.stats()['out-of-range']).toBe(2);
  });

  it('rejects unknown statuses and invalid times', () => {
    const e = engine();
    expect(e.ingest({ asset: 'A', part: 'p.a', status: 'q', time: T0, value: 1 })).toMatchObject({ outcome: 'unknown-status', reason: 'no status "p.a.q" in the model' });
    expect(e.ingest({ asset: 'A', part: 'p.zz', status: 'x', time: T0, value: 1 }).outcome).toBe('unknown-status');
    expect(e.ingest(sample('A', 'p.a.x', NaN, 1)).outcome).toBe('invalid-time');
    expect(e.ingest({ asset: 'A', part: 'p.a', status: 'x', time: '2024' as unknown as number, value: 1 }).outcome).toBe('invalid-time');
    expect(e.stats()).toMatchObject({ 'unknown-status': 2, 'invalid-time': 2, accepted: 0 });
  });

  it('creates an asset state with its first valid sample only', () => {
    const e = engine();
    e.ingest(sample('A', 'p.a.x', T0, 500));
    e.ingest({ asset: 'B', part: 'p.a', status: 'q', time: T0, value: 1 });
    expect(e.assetIds()).toEqual([]);
    e.ingest(sample('B', 'p.a.x', T0, 5));
    e.ingest(sample('A', 'p.a.x', T0, 5));
    expect(e.assetIds()).toEqual(['B', 'A']);
  });

  it('refuses a negative tolerance', () => {
    expect(() => engine({ lateToleranceMs: -1 })).toThrow('lateToleranceMs');
  });
});
