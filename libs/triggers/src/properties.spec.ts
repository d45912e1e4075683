// Property tests of the engine over random sample streams: it agrees with the naive reference
// (testing/naive.ts), never fires twice while latched, `for` agrees with its definition, and a
// snapshot restored into a fresh engine continues exactly like the original.
import fc from 'fast-check';
import { EngineSnapshot, IngestResult, TriggerEngine, TriggerFired } from './engine';
import { testModel } from './testing/model';
import { NaiveEngine, naiveFor } from './testing/naive';

// Time unit: seconds, so that clear times are a few seconds of a random stream.
const MODEL = testModel(
  { 'p.a': [{ key: 'x', min: 0, max: 100 }, 'y'], 'p.b-c': ['z'] },
  [
    { id: 't1', condition: 'p.a.x > 50' },
    { id: 't2', condition: "avg(p.a.x, '5s') > 40 || p.b-c.z >= 8", clear: 3 },
    { id: 't3', condition: "for(p.a.y > 5, '4s') && !(p.b-c.z == 3)", clear: 2 },
    { id: 't4', condition: "max(p.a.y, '10s') - min(p.a.y, '10s') > 6 || delta(p.b-c.z, '6s') >= 5 || rate(p.a.x, '8s') > 10 || count(p.a.x, '3s') >= 4", clear: 1 },
    { id: 't5', condition: 'p.a.x / (p.a.y - 5) > 2' },
    { id: 't6', condition: "for(for(p.a.x > 20, '2s') || p.b-c.z > 5, '3s')", clear: 1 },
    { id: 't7' },
    { id: 't8', condition: "p.a.y > 3 || for(p.b-c.z > 4, '2s')", clear: 0.5 },
  ],
  's',
);
const REFS = [
  ['p.a', 'x'],
  ['p.a', 'y'],
  ['p.b-c', 'z'],
] as const;
const ASSETS = ['A', 'B'];
const T0 = 1_000_000;

type Op =
  | { kind: 'sample'; asset: number; status: number; dt: number; value: number; late: boolean }
  | { kind: 'tick'; dt: number }
  | { kind: 'close'; asset: number; trigger: number; wrongId: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('sample' as const),
      asset: fc.integer({ min: 0, max: 1 }),
      status: fc.integer({ min: 0, max: 2 }),
      dt: fc.constantFrom(0, 0, 250, 500, 1000, 2000),
      // x in 0..100 by tens (and 150: out of range); y and z in 0..10.
      value: fc.integer({ min: 0, max: 11 }),
      late: fc.integer({ min: 0, max: 9 }).map((k) => k === 0),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: fc.constantFrom(500, 1000, 3000) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('close' as const), asset: fc.integer({ min: 0, max: 1 }), trigger: fc.integer({ min: 0, max: 7 }), wrongId: fc.integer({ min: 0, max: 9 }).map((k) => k === 0) }),
  },
);

/** What one step produced, comparable across engines. */
interface StepOutput {
  outcome?: string;
  fired: TriggerFired[];
  closed?: boolean;
  matrix: number[][];
  conditions: boolean[][];
}

/** Drives an engine through ops; `lastEvent` remembers the latest firing per asset and trigger for closes. */
class Driver {
  time = T0;
  readonly lastEvent = new Map<string, string>();

  constructor(readonly engine: { ingest(s: { asset: string; part: string; status: string; time: number; value: number }): Pick<IngestResult, 'outcome' | 'fired'>; tick(t: number): TriggerFired[]; close(a: string, t: string, id: string): boolean; matrix(a: string): number[]; condition(a: string, t: number): boolean }) {}

  step(op: Op): StepOutput {
    let out: Omit<StepOutput, 'matrix' | 'conditions'>;
    if (op.kind === 'sample') {
      this.time += op.dt;
      const [part, status] = REFS[op.status];
      const value = op.status === 0 ? op.value * 10 + (op.value === 11 ? 40 : 0) : op.value;
      const r = this.engine.ingest({ asset: ASSETS[op.asset], part, status, time: op.late ? this.time - 1000 : this.time, value });
      out = { outcome: r.outcome, fired: [...r.fired] };
    } else if (op.kind === 'tick') {
      this.time += op.dt;
      out = { fired: this.engine.tick(this.time) };
    } else {
      const trigger = MODEL.triggers[op.trigger].id;
      const id = this.lastEvent.get(`${ASSETS[op.asset]}/${trigger}`);
      out = { fired: [], closed: this.engine.close(ASSETS[op.asset], trigger, op.wrongId || !id ? 'bogus' : id) };
    }
    for (const f of out.fired) this.lastEvent.set(`${f.asset}/${f.trigger}`, f.id);
    return {
      ...out,
      matrix: ASSETS.map((a) => this.engine.matrix(a)),
      conditions: ASSETS.map((a) => MODEL.triggers.map((_, t) => this.engine.condition(a, t))),
    };
  }
}

/** The engine under test behind the driver's interface. */
function real(engine: TriggerEngine) {
  return {
    ingest: (s: Parameters<TriggerEngine['ingest']>[0]) => engine.ingest(s),
    tick: (t: number) => engine.tick(t),
    close: (a: string, t: string, id: string) => {
      const r = engine.close(a, t, id);
      return r.ok && !r.alreadyClosed;
    },
    matrix: (a: string) => engine.matrix(a),
    condition: (a: string, t: number) => engine.inspect(a).triggers[t].condition,
  };
}

function reference(naive: NaiveEngine) {
  return {
    ingest: (s: Parameters<TriggerEngine['ingest']>[0]) => naive.ingest(s),
    tick: (t: number) => naive.tick(t),
    close: (a: string, t: string, id: string) => naive.close(a, t, id),
    matrix: (a: string) => naive.matrix(a),
    condition: (a: string, t: number) => naive.condition(a, t),
  };
}

describe('TriggerEngine properties over random sample streams', () => {
  it('agrees with the naive reference: outcomes, firings (ids, times, values), closes, matrix and conditions', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const engine = new Driver(real(new TriggerEngine(MODEL)));
        const naive = new Driver(reference(new NaiveEngine(MODEL)));
        ops.forEach((op, i) => {
          const got = engine.step(op);
          const want = naive.step(op);
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            throw new Error(`step ${i} ${JSON.stringify(op)}:\n got  ${JSON.stringify(got)}\n want ${JSON.stringify(want)}`);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('never fires a trigger again while it is latched: each refiring follows a close and a false stretch of at least the clear time', () => {
    const clearMs = MODEL.triggers.map((t) => t.clear * 1000);
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const engine = new TriggerEngine(MODEL);
        const driver = new Driver(real(engine));
        // Per asset/trigger: the open firing, when it was closed, and the condition history since.
        const state = new Map<string, { fired: number; closedAt: number | null; history: { time: number; value: boolean }[] }>();
        for (const op of ops) {
          const before = ASSETS.map((a) => engine.inspect(a).triggers.map((t) => t.condition));
          // Here the cloud closes every open service of the asset at once: refirings get frequent.
          const closes: Op[] = op.kind === 'close' ? MODEL.triggers.map((_, trigger) => ({ ...op, trigger })) : [op];
          let out = driver.step(closes[0]);
          for (const c of closes) {
            if (c !== closes[0]) out = driver.step(c);
            if (c.kind === 'close' && out.closed) {
              const s = state.get(`${ASSETS[c.asset]}/${MODEL.triggers[c.trigger].id}`)!;
              s.closedAt = engine.inspect(ASSETS[c.asset]).clock;
            }
          }
          const firedNow = new Set<string>();
          for (const f of out.fired) {
            const key = `${f.asset}/${f.trigger}`;
            const t = MODEL.triggers.findIndex((x) => x.id === f.trigger);
            const a = ASSETS.indexOf(f.asset);
            expect(firedNow.has(key)).toBe(false);
            firedNow.add(key);
            // A rising edge of a condition that is true now.
            expect(before[a][t]).toBe(false);
            expect(out.conditions[a][t]).toBe(true);
            const prev = state.get(key);
            if (prev) {
              expect(prev.closedAt).not.toBeNull();
              // Some run of false evaluations [from, to) lasted the clear time and reached past the close.
              let ok = false;
              let from: number | null = null;
              for (const h of [...prev.history, { time: f.time, value: true }]) {
                if (!h.value && from === null) from = h.time;
                if (h.value && from !== null) {
                  if (Math.max(from + clearMs[t], prev.closedAt!) <= h.time) ok = true;
                  from = null;
                }
              }
              expect(ok).toBe(true);
            }
            state.set(key, { fired: f.time, closedAt: null, history: [] });
          }
          // Record each condition after the step (one evaluation per trigger and step at most).
          ASSETS.forEach((asset, a) => {
            const clock = engine.inspect(asset).clock;
            MODEL.triggers.forEach((tr, t) => {
              const s = state.get(`${asset}/${tr.id}`);
              if (s && !firedNow.has(`${asset}/${tr.id}`) && clock !== null) s.history.push({ time: clock, value: out.conditions[a][t] });
              // Latched from the firing until closed, at least.
              if (s && s.closedAt === null) expect(out.matrix[a][t]).toBe(1);
            });
          });
        }
      }),
      { numRuns: 150 },
    );
  });

  it('for() agrees with its definition over random streams of true, false and unknown', () => {
    const model = testModel({ 'p.a': ['x', 'y'] }, [{ id: 'f', condition: "for(p.a.x / p.a.y > 1, '3s')" }], 's');
    const stepArb = fc.record({ dt: fc.constantFrom(0, 250, 500, 1000, 1500), x: fc.integer({ min: 0, max: 3 }), y: fc.integer({ min: 0, max: 2 }), tick: fc.boolean() });
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const engine = new TriggerEngine(model);
        const history: { time: number; value: boolean | null }[] = [];
        let time = T0;
        let x: number | null = null;
        let y: number | null = null;
        for (const s of steps) {
          time += s.dt;
          if (s.tick) {
            engine.tick(time);
          } else {
            // Both statuses move together; only accepted samples are evaluations.
            const rx = engine.ingest({ asset: 'A', part: 'p.a', status: 'x', time, value: s.x });
            if (rx.accepted) x = s.x;
            if (rx.accepted) history.push({ time, value: inner(x, y) });
            const ry = engine.ingest({ asset: 'A', part: 'p.a', status: 'y', time, value: s.y });
            if (ry.accepted) y = s.y;
            if (ry.accepted) history.push({ time, value: inner(x, y) });
          }
          if (s.tick && history.length) history.push({ time, value: inner(x, y) });
          const want = history.length ? naiveFor(history, time, 3000) === true : false;
          expect(engine.inspect('A').triggers[0].condition).toBe(want);
        }
      }),
      { numRuns: 200 },
    );
    function inner(x: number | null, y: number | null): boolean | null {
      if (x === null || y === null || y === 0) return null;
      return x / y > 1;
    }
  });

  it('a snapshot (through JSON) restored into a fresh engine continues exactly like the original', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), fc.nat(), (ops, cut) => {
        const split = ops.length ? cut % ops.length : 0;
        const original = new TriggerEngine(MODEL, { gateway: 'gw' });
        const a = new Driver(real(original));
        for (const op of ops.slice(0, split)) a.step(op);
        const json = JSON.stringify(original.snapshot());
        const restored = new TriggerEngine(MODEL, { gateway: 'gw' });
        expect(restored.restore(JSON.parse(json) as EngineSnapshot)).toEqual({ skipped: [] });
        expect(JSON.stringify(restored.snapshot())).toBe(json);
        const b = new Driver(real(restored));
        b.time = a.time;
        for (const [k, v] of a.lastEvent) b.lastEvent.set(k, v);
        for (const op of ops.slice(split)) expect(JSON.stringify(b.step(op))).toBe(JSON.stringify(a.step(op)));
        expect(restored.snapshot()).toEqual(original.snapshot());
      }),
      { numRuns: 100 },
    );
  });
});
