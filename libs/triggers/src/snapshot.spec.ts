import { EngineSnapshot, TriggerEngine } from './engine';
import { testModel } from './testing/model';
import { SECOND, sample } from './testing/samples';

const T0 = 1_700_000_000_000;
const model = testModel({ 'p.a': ['x', 'y'] }, [
  { id: 'now', condition: 'p.a.x > 5', clear: 1 },
  { id: 'avg', condition: "avg(p.a.y, '1m') > 5" },
  { id: 'for', condition: "for(p.a.x > 1, '10s')" },
]);

function busyEngine(): TriggerEngine {
  const e = new TriggerEngine(model, { gateway: 'gw' });
  e.ingest(sample('A', 'p.a.x', T0, 9));
  e.ingest(sample('A', 'p.a.y', T0, 3));
  e.ingest(sample('A', 'p.a.y', T0 + SECOND, 4));
  e.ingest(sample('B', 'p.a.x', T0, 0));
  return e;
}

describe('snapshots', () => {
  it('are plain JSON with names, not slots', () => {
    const snap = busyEngine().snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toMatchObject({ format: 'pss-triggers/v1', model: 'test', gateway: 'gw', seq: 1 });
    expect(snap.assets[0]).toEqual({
      asset: 'A',
      clock: T0 + SECOND,
      triggers: null,
      statuses: [
        { ref: 'p.a.x', time: T0, value: 9 },
        { ref: 'p.a.y', time: T0 + SECOND, value: 4, samples: [[T0, 3], [T0 + SECOND, 4]] },
      ],
      fors: [{ trigger: 'for', index: 0, since: T0 }],
      triggerStates: [
        { trigger: 'now', condition: true, latched: true, open: true, eventId: `gw:A:now:${T0}:1`, falseSince: null },
        { trigger: 'avg', condition: false, latched: false, open: false, eventId: null, falseSince: T0 },
        { trigger: 'for', condition: false, latched: false, open: false, eventId: null, falseSince: T0 },
      ],
    });
  });

  it('restore the latch, the windows and the for() streak', () => {
    const e = new TriggerEngine(model, { gateway: 'gw' });
    e.restore(JSON.parse(JSON.stringify(busyEngine().snapshot())) as EngineSnapshot);
    expect(e.matrix('A')).toEqual([1, 0, 0]);
    // The window still holds 3 and 4: a 12 makes the average 6.3.
    expect(e.ingest(sample('A', 'p.a.y', T0 + 2 * SECOND, 12)).fired.map((f) => f.trigger)).toEqual(['avg']);
    // The streak began before the restart.
    expect(e.tick(T0 + 10 * SECOND).map((f) => [f.trigger, f.id])).toEqual([['for', `gw:A:for:${T0 + 10 * SECOND}:3`]]);
    // The open service can be closed with the id issued before the restart.
    expect(e.close('A', 'now', `gw:A:now:${T0}:1`)).toMatchObject({ ok: true });
    expect(e.stats()).toMatchObject({ accepted: 5, fired: 3 });
  });

  it('keep per-asset trigger assignments', () => {
    const e = busyEngine();
    e.assignTriggers('B', ['avg']);
    const r = new TriggerEngine(model);
    r.restore(e.snapshot());
    expect(r.inspect('B').triggers.map((t) => t.active)).toEqual([false, true, false]);
  });

  it('skip what the model no longer has, and list it', () => {
    const snap = busyEngine().snapshot();
    const smaller = testModel({ 'p.a': ['x'] }, [{ id: 'now', condition: 'p.a.x > 5' }, { id: 'for', condition: 'p.a.x > 100' }]);
    const e = new TriggerEngine(smaller);
    expect(e.restore(snap).skipped).toEqual(['A: status p.a.y', 'A: for #0 of for', 'A: trigger avg']);
    expect(e.matrix('A')).toEqual([1, 0]);
  });

  it('refuse malformed input and leave the state untouched', () => {
    const e = busyEngine();
    const good = e.snapshot();
    const bad = (patch: (s: EngineSnapshot) => void): EngineSnapshot => {
      const s = JSON.parse(JSON.stringify(good)) as EngineSnapshot;
      patch(s);
      return s;
    };
    expect(() => e.restore(bad((s) => ((s as { format: string }).format = 'v0')))).toThrow('format must be pss-triggers/v1');
    expect(() => e.restore(bad((s) => (s.seq = -1)))).toThrow('seq must be an integer');
    expect(() => e.restore(bad((s) => (s.assets[0].statuses[0].value = 'x' as unknown as number)))).toThrow('assets[0].statuses[0] needs ref, time and value');
    expect(() => e.restore(bad((s) => (s.assets[0].statuses[1].samples = [[1, null as unknown as number]])))).toThrow('samples must be [time, value] pairs');
    expect(() => e.restore(null as unknown as EngineSnapshot)).toThrow('not an object');
    expect(e.snapshot()).toEqual(good);
  });
});

describe('adoptFiring (a crash between storing an event and saving the snapshot)', () => {
  it('latches from a stored event so that the condition does not fire again under a new id', () => {
    const before = new TriggerEngine(model, { gateway: 'gw' });
    before.ingest(sample('A', 'p.a.x', T0, 0));
    const saved = before.snapshot();
    const fired = before.ingest(sample('A', 'p.a.x', T0 + SECOND, 9)).fired;
    expect(fired.map((f) => f.trigger)).toEqual(['now']);

    const after = new TriggerEngine(model, { gateway: 'gw' });
    after.restore(saved);
    expect(after.adoptFiring(fired[0])).toBe(true);
    expect(after.adoptFiring(fired[0])).toBe(false);
    expect(after.matrix('A')).toEqual([1, 0, 0]);
    expect(after.ingest(sample('A', 'p.a.x', T0 + 2 * SECOND, 10)).fired).toEqual([]);
    expect(after.close('A', 'now', fired[0].id)).toMatchObject({ ok: true });
  });

  it('ignores a firing the snapshot already reflects and one of an asset it may not serve', () => {
    const e = busyEngine();
    const last = e.inspect('A').triggers[0].eventId!;
    expect(e.adoptFiring({ id: last, asset: 'A', trigger: 'now', time: T0 })).toBe(false);
    // Older than the asset's clock: a later state already covers it.
    expect(e.adoptFiring({ id: 'old', asset: 'A', trigger: 'avg', time: T0 - SECOND })).toBe(false);
    expect(e.adoptFiring({ id: 'x', asset: 'A', trigger: 'no-such-trigger', time: T0 + SECOND })).toBe(false);
    const strict = new TriggerEngine(model, { assets: { A: ['now'] }, unlistedAssets: 'reject' });
    expect(strict.adoptFiring({ id: 'y', asset: 'Z', trigger: 'now', time: T0 })).toBe(false);
  });
});
