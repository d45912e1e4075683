import { TriggerModelError } from './errors';
import { TriggerEngine, TriggerEngineOptions } from './engine';
import { TestTrigger, testModel } from './testing/model';
import { HOUR, MINUTE, SECOND, sample } from './testing/samples';

const PARTS = { 'p.a': ['x', 'y'], 'p.b-c': [{ key: 'z', min: 0, max: 100 }] };

function engine(triggers: TestTrigger[], options: TriggerEngineOptions = {}, timeUnit = 'h'): TriggerEngine {
  return new TriggerEngine(testModel(PARTS, triggers, timeUnit), options);
}

/** Feeds samples [ref, time, value] for asset A; returns the ids of the triggers that fired, per sample. */
function feed(e: TriggerEngine, samples: [string, number, number][], asset = 'A'): string[][] {
  return samples.map(([ref, time, value]) => e.ingest(sample(asset, ref, time, value)).fired.map((f) => f.trigger));
}

const T0 = Date.UTC(2024, 0, 1);

describe('TriggerEngine: firing', () => {
  it('fires once on the rising edge with id, times, window and the values that made it true', () => {
    const e = engine([{ id: 'ss.hot', condition: "p.a.x > 7.1 || avg(p.a.y, '10m') >= 2", window: { start: 1, deadline: 72 } }], { gateway: 'gw-7' });
    expect(e.ingest(sample('car-1', 'p.a.x', T0, 5)).fired).toEqual([]);
    const r = e.ingest(sample('car-1', 'p.a.x', T0 + SECOND, 8));
    expect(r.outcome).toBe('accepted');
    expect(r.fired).toEqual([
      {
        id: `gw-7:car-1:ss.hot:${T0 + SECOND}:1`,
        asset: 'car-1',
        trigger: 'ss.hot',
        time: T0 + SECOND,
        window: { start: T0 + SECOND + HOUR, deadline: T0 + SECOND + 72 * HOUR },
        values: { 'p.a.x': 8, 'p.a.y': null, "avg(p.a.y, '10m')": null },
      },
    ]);
    // Still true, and true again: latched, no second firing.
    expect(feed(e, [['p.a.x', T0 + 2 * SECOND, 9], ['p.a.x', T0 + 3 * SECOND, 1], ['p.a.x', T0 + 4 * SECOND, 9]], 'car-1')).toEqual([[], [], []]);
    expect(e.matrix('car-1')).toEqual([1]);
    expect(e.stats().fired).toBe(1);
  });

  it('converts the model time unit for windows and clear times', () => {
    const e = engine([{ id: 't', condition: 'p.a.x > 1', window: { start: 2, deadline: 30 }, clear: 5 }], {}, 'min');
    const [f] = e.ingest(sample('A', 'p.a.x', T0, 2)).fired;
    expect(f.window).toEqual({ start: T0 + 2 * MINUTE, deadline: T0 + 30 * MINUTE });
    e.ingest(sample('A', 'p.a.x', T0 + SECOND, 0));
    e.close('A', 't', f.id);
    expect(e.matrix('A')).toEqual([1]);
    e.tick(T0 + SECOND + 5 * MINUTE - 1);
    expect(e.matrix('A')).toEqual([1]);
    e.tick(T0 + SECOND + 5 * MINUTE);
    expect(e.matrix('A')).toEqual([0]);
  });

  it('uses an injected id factory', () => {
    let n = 0;
    const e = engine([{ id: 't', condition: 'p.a.x > 1' }], { eventId: ({ asset, trigger, seq }) => `${asset}/${trigger}/${seq}/${++n}` });
    expect(e.ingest(sample('A', 'p.a.x', T0, 2)).fired[0].id).toBe('A/t/1/1');
  });

  it('evaluates only the triggers that read the sample status, in model order', () => {
    const e = engine([
      { id: 't1', condition: 'p.a.y > 1' },
      { id: 't2', condition: 'p.a.x > 1 && p.a.y > 0' },
      { id: 't3', condition: 'p.a.x > 1' },
      { id: 't4' },
    ]);
    expect(feed(e, [['p.a.x', T0, 5], ['p.a.y', T0, 5]])).toEqual([['t3'], ['t1', 't2']]);
    expect(e.matrix('A')).toEqual([1, 1, 1, 0]);
  });

  it('fires again only after the service is closed and the condition has been false for the clear time', () => {
    const e = engine([{ id: 't', condition: 'p.a.x > 5', clear: 1 }]);
    const [f] = e.ingest(sample('A', 'p.a.x', T0, 9)).fired;
    // Closed while the condition still holds: stays latched.
    expect(e.close('A', 't', f.id)).toEqual({ ok: true, alreadyClosed: false, unlatched: false });
    expect(feed(e, [['p.a.x', T0 + MINUTE, 1], ['p.a.x', T0 + 30 * MINUTE, 9]])).toEqual([[], []]);
    expect(e.matrix('A')).toEqual([1]);
    // False for 59 minutes, then true: hysteresis not satisfied.
    expect(feed(e, [['p.a.x', T0 + HOUR, 1], ['p.a.x', T0 + 2 * HOUR - MINUTE, 9]])).toEqual([[], []]);
    // False for a full hour (no evaluation in between): the next rising edge fires.
    expect(feed(e, [['p.a.x', T0 + 3 * HOUR, 1], ['p.a.x', T0 + 4 * HOUR, 9]])).toEqual([[], ['t']]);
  });

  it('does not fire again while the service is open, however long the condition was false', () => {
    const e = engine([{ id: 't', condition: 'p.a.x > 5' }]);
    e.ingest(sample('A', 'p.a.x', T0, 9));
    expect(feed(e, [['p.a.x', T0 + HOUR, 1], ['p.a.x', T0 + 100 * HOUR, 9]])).toEqual([[], []]);
    expect(e.matrix('A')).toEqual([1]);
  });

  it('unlatches at close time when the condition has already been false long enough', () => {
    const e = engine([{ id: 't', condition: 'p.a.x > 5', clear: 0.5 }]);
    const [f] = e.ingest(sample('A', 'p.a.x', T0, 9)).fired;
    e.ingest(sample('A', 'p.a.x', T0 + MINUTE, 1));
    e.ingest(sample('A', 'p.a.y', T0 + HOUR, 1));
    expect(e.close('A', 't', f.id)).toEqual({ ok: true, alreadyClosed: false, unlatched: true });
    expect(e.matrix('A')).toEqual([0]);
    expect(feed(e, [['p.a.x', T0 + HOUR + SECOND, 9]])).toEqual([['t']]);
  });

  it('with clear 0, a close while false unlatches at once', () => {
    const e = engine([{ id: 't', condition: 'p.a.x > 5' }]);
    const [f] = e.ingest(sample('A', 'p.a.x', T0, 9)).fired;
    e.ingest(sample('A', 'p.a.x', T0 + 1, 1));
    expect(e.close('A', 't', f.id)).toMatchObject({ ok: true, unlatched: true });
    expect(feed(e, [['p.a.x', T0 + 2, 9]])).toEqual([['t']]);
  });

  it('checks close requests', () => {
    const e = engine([{ id: 't', condition: 'p.a.x > 5' }]);
    expect(e.close('A', 't', 'x')).toEqual({ ok: false, reason: 'trigger t has not fired on asset A' });
    const [f] = e.ingest(sample('A', 'p.a.x', T0, 9)).fired;
    expect(e.close('A', 'nope', f.id)).toEqual({ ok: false, reason: 'unknown trigger "nope"' });
    expect(e.close('A', 't', 'other')).toMatchObject({ ok: false, reason: expect.stringContaining('is not the latest firing') });
    expect(e.close('A', 't', f.id)).toMatchObject({ ok: true, alreadyClosed: false });
    // Redelivered close messages are harmless.
    expect(e.close('A', 't', f.id)).toMatchObject({ ok: true, alreadyClosed: true });
  });

  it('keeps assets apart', () => {
    const e = engine([{ id: 't', condition: 'p.a.x > 5' }]);
    expect(feed(e, [['p.a.x', T0, 9]], 'A')).toEqual([['t']]);
    expect(feed(e, [['p.a.x', T0, 9]], 'B')).toEqual([['t']]);
    expect(e.matrix('A')).toEqual([1]);
    expect(e.matrix('C')).toEqual([0]);
    expect(e.assetIds()).toEqual(['A', 'B']);
  });
});

describe('TriggerEngine: unknown data never fires', () => {
  it('uses three-valued logic: a known true side is enough for ||, a known false side for &&', () => {
    const e = engine([
      { id: 'or', condition: 'p.a.x > 5 || p.a.y > 5' },
      { id: 'and', condition: 'p.a.x > 5 && p.a.y > 5' },
      { id: 'not', condition: '!(p.a.y > 5)' },
      { id: 'ne', condition: 'p.a.y != 3' },
    ]);
    expect(feed(e, [['p.a.x', T0, 9]])).toEqual([['or']]);
    expect(e.inspect('A').triggers.map((t) => t.condition)).toEqual([true, false, false, false]);
    expect(feed(e, [['p.a.y', T0, 9]])).toEqual([['and', 'ne']]);
  });

  it('division by zero is unknown, not infinity', () => {
    const e = engine([
      { id: 'div', condition: 'p.a.x / p.a.y > 1' },
      { id: 'notdiv', condition: '!(p.a.x / p.a.y < 1)' },
      { id: 'const', condition: '1 / 0 > 1 || p.a.x / 0 <= 0' },
    ]);
    expect(feed(e, [['p.a.x', T0, 5], ['p.a.y', T0, 0]])).toEqual([[], []]);
    expect(feed(e, [['p.a.y', T0 + 1, 2]])).toEqual([['div', 'notdiv']]);
  });

  it('an empty window is unknown (count is 0)', () => {
    const e = engine([
      { id: 'avg', condition: "!(avg(p.a.x, '1m') > 5)" },
      { id: 'count', condition: "count(p.a.x, '1m') == 0 && p.a.y > 0" },
    ]);
    expect(feed(e, [['p.a.y', T0, 1]])).toEqual([['count']]);
    expect(feed(e, [['p.a.x', T0, 1]])).toEqual([['avg']]);
  });

  it('overflowing arithmetic is unknown', () => {
    const e = engine([{ id: 't', condition: '!(p.a.x * 1e300 * 1e300 < 0)' }]);
    expect(feed(e, [['p.a.x', T0, -5]])).toEqual([[]]);
  });
});

describe('TriggerEngine: window functions and for()', () => {
  it('computes avg, min, max, delta, rate and count over the recent samples', () => {
    const e = engine([
      {
        id: 't',
        condition: "avg(p.a.x, '10s') > 100 || min(p.a.x, '10s') > 100 || max(p.a.x, '10s') > 100 || delta(p.a.x, '10s') > 100 || rate(p.a.x, '10s') > 100 || count(p.a.x, '10s') > 100 || p.a.y > 0",
      },
    ]);
    feed(e, [['p.a.x', T0, 4], ['p.a.x', T0 + 2 * SECOND, 10], ['p.a.x', T0 + 8 * SECOND, 1], ['p.a.x', T0 + 12 * SECOND, 7]]);
    const [f] = e.ingest(sample('A', 'p.a.y', T0 + 12 * SECOND, 1)).fired;
    // Window [2s, 12s]: 10, 1, 7.
    expect(f.values).toEqual({
      'p.a.x': 7,
      'p.a.y': 1,
      "avg(p.a.x, '10s')": 6,
      "min(p.a.x, '10s')": 1,
      "max(p.a.x, '10s')": 10,
      "delta(p.a.x, '10s')": -3,
      "rate(p.a.x, '10s')": -0.3,
      "count(p.a.x, '10s')": 3,
    });
  });

  it('fires delta rules on counters (elevator doors)', () => {
    const e = engine([{ id: 'doors', condition: "delta(p.a.x, '1h') > 500" }]);
    const fired = feed(e, Array.from({ length: 61 }, (_, i): [string, number, number] => ['p.a.x', T0 + i * MINUTE, 1000 + i * 10]));
    // 10 cycles a minute: 600 an hour, > 500 after 51 minutes.
    expect(fired.findIndex((f) => f.length > 0)).toBe(51);
  });

  it('for() holds after the inner condition has been true for the duration; a tick is enough', () => {
    const e = engine([{ id: 'obstructed', condition: "for(p.a.x > 0, '5m')" }]);
    expect(feed(e, [['p.a.x', T0, 1], ['p.a.x', T0 + 4 * MINUTE, 2]])).toEqual([[], []]);
    expect(e.tick(T0 + 5 * MINUTE - 1)).toEqual([]);
    const fired = e.tick(T0 + 5 * MINUTE);
    expect(fired.map((f) => [f.trigger, f.time])).toEqual([['obstructed', T0 + 5 * MINUTE]]);
    expect(fired[0].values).toEqual({ 'p.a.x': 2, "for(p.a.x > 0, '5m')": 300 });
  });

  it('for() restarts when the inner condition is false or unknown in between', () => {
    const e = engine([{ id: 't', condition: "for(p.a.x / p.a.y > 1, '5m')" }]);
    feed(e, [['p.a.x', T0, 5], ['p.a.y', T0, 1], ['p.a.y', T0 + 2 * MINUTE, 0], ['p.a.y', T0 + 3 * MINUTE, 1]]);
    expect(e.tick(T0 + 7 * MINUTE)).toEqual([]);
    expect(e.tick(T0 + 8 * MINUTE).map((f) => f.trigger)).toEqual(['t']);
  });

  it('evaluates a for() on the right of && even when the left side is false', () => {
    const e = engine([{ id: 't', condition: "p.a.y > 0 && for(p.a.x > 0, '1m')" }, { id: 'u', condition: "for(p.a.x > 0, '1m')" }]);
    // The left side is false while x drops to 0 at 10 s: the streak must still see it.
    feed(e, [['p.a.y', T0, 0], ['p.a.x', T0, 1], ['p.a.x', T0 + 10 * SECOND, 0], ['p.a.x', T0 + 20 * SECOND, 1]]);
    e.ingest(sample('A', 'p.a.y', T0 + 30 * SECOND, 1));
    // The streak restarted at 20 s: at 70 s it has held 50 s only.
    expect(e.tick(T0 + 70 * SECOND)).toEqual([]);
    expect(e.tick(T0 + 80 * SECOND).map((f) => f.trigger)).toEqual(['t', 'u']);
  });

  it('window expiry alone can change a condition (seen on tick)', () => {
    const e = engine([{ id: 'quiet', condition: "count(p.a.x, '1m') == 0 && p.a.y >= 0" }]);
    feed(e, [['p.a.x', T0, 1], ['p.a.y', T0, 1]]);
    expect(e.tick(T0 + MINUTE)).toEqual([]);
    expect(e.tick(T0 + MINUTE + 1).map((f) => f.trigger)).toEqual(['quiet']);
  });
});

describe('TriggerEngine: assets, subsets and inspection', () => {
  const triggers: TestTrigger[] = [
    { id: 't1', condition: 'p.a.x > 1' },
    { id: 't2', condition: 'p.a.x > 2' },
    { id: 't3', condition: "avg(p.a.y, '1m') > 2" },
  ];

  it('runs only the triggers listed for an asset (e.g. its service contract)', () => {
    const e = engine(triggers, { assets: { A: ['t2'], B: ['t1', 't3'] } });
    expect(feed(e, [['p.a.x', T0, 5]], 'A')).toEqual([['t2']]);
    expect(feed(e, [['p.a.x', T0, 5], ['p.a.y', T0, 5]], 'B')).toEqual([['t1'], ['t3']]);
    expect(feed(e, [['p.a.x', T0, 5]], 'C')).toEqual([['t1', 't2']]);
    expect(e.matrix('A')).toEqual([0, 1, 0]);
    expect(e.matrix('B')).toEqual([1, 0, 1]);
  });

  it('rejects unlisted assets on request, and unknown trigger ids at construction', () => {
    const e = engine(triggers, { assets: { A: ['t1'] }, unlistedAssets: 'reject' });
    expect(e.ingest(sample('Z', 'p.a.x', T0, 5))).toMatchObject({ outcome: 'unknown-asset', accepted: false });
    expect(() => engine(triggers, { assets: { A: ['t9'] } })).toThrow('options.assets["A"] names unknown trigger "t9"');
  });

  it('reassigns triggers at run time', () => {
    const e = engine(triggers, { assets: { A: ['t1'] } });
    feed(e, [['p.a.x', T0, 5], ['p.a.y', T0, 9]]);
    expect(e.matrix('A')).toEqual([1, 0, 0]);
    e.assignTriggers('A', ['t1', 't3']);
    expect(feed(e, [['p.a.y', T0 + 1, 9]])).toEqual([['t3']]);
    expect(e.inspect('A').triggers.map((t) => t.active)).toEqual([true, false, true]);
    expect(() => e.assignTriggers('A', ['nope'])).toThrow('unknown trigger "nope"');
  });

  it('shows an asset state', () => {
    const e = engine(triggers);
    feed(e, [['p.a.x', T0, 5], ['p.a.x', T0 + 1, 0]]);
    const view = e.inspect('A');
    expect(view.clock).toBe(T0 + 1);
    expect(view.matrix).toEqual([1, 1, 0]);
    expect(view.values).toEqual({ 'p.a.x': { time: T0 + 1, value: 0 } });
    expect(view.triggers[0]).toEqual({ trigger: 't1', active: true, condition: false, latched: true, open: true, eventId: `edge:A:t1:${T0}:1`, falseSince: T0 + 1 });
    expect(e.inspect('nobody').clock).toBeNull();
  });
});

describe('TriggerEngine: model errors', () => {
  it('lists every bad condition with its trigger, and unknown time units', () => {
    try {
      engine([
        { id: 'ok', condition: 'p.a.x > 1' },
        { id: 'bad1', condition: 'p.a.x > 1 && 2' },
        { id: 'bad2', condition: 'p.a.q > 1' },
      ]);
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(TriggerModelError);
      const e = error as TriggerModelError;
      expect(e.errors.map((x) => x.message)).toEqual([
        'trigger bad1: `&&` needs booleans, got a number at column 14',
        'trigger bad2: unknown status "p.a.q" (part p.a has x, y) at column 1',
      ]);
      expect(e.message).toContain('  p.a.x > 1 && 2\n               ^');
    }
    expect(() => engine([{ id: 't', condition: 'p.a.x > 1' }], {}, 'fortnight')).toThrow('unknown model timeUnit');
  });

  it('requires references to monitored parts, and explains hyphen mistakes', () => {
    expect(() => engine([{ id: 't', condition: 'p.a.x > 1 || p.b-c.z > 1', monitors: ['p.a'] }])).toThrow(
      'trigger t: "p.b-c.z" is a status of part p.b-c, which this trigger does not monitor (monitors: p.a) at column 14',
    );
    expect(() => engine([{ id: 't', condition: "avg(p.b-c.z, '1m') > 1", monitors: ['p.a'] }])).toThrow('at column 5');
    // A known prefix before a hyphen is a reference and the rest a subtraction (as @pss/model reads it).
    expect(() => engine([{ id: 't', condition: 'p.a.x-p.a.q > 1' }])).toThrow('unknown status "p.a.q" (part p.a has x, y) at column 7');
    expect(() => engine([{ id: 't', condition: 'q.r.s-p.a.x > 1' }])).toThrow('a minus between two statuses needs spaces');
  });
});
