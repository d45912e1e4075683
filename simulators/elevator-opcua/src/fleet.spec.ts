// The fleet model on its own: determinism, independence of elevators, replay of runtime faults,
// bounds, traffic and wear, and each fault firing its documented trigger in its documented time,
// checked with the edge gateway's own trigger engine (@pss/triggers) on the example model.
import { join } from 'path';
import { loadDocument } from '@pss/documents';
import type { PssModel } from '@pss/model';
import { TriggerEngine } from '@pss/triggers';
import { FAULTS, FAULT_KINDS, Fleet, Rng, assetIds, mixSeed, trafficFactor, type FaultEvent, type FaultKind } from './fleet';

const MODEL_FILE = join(__dirname, '..', '..', '..', 'examples', 'elevator-fleet.model.yaml');

function loadModel(): PssModel {
  const { document } = loadDocument(MODEL_FILE);
  if (document.kind !== 'PssModel') throw new Error(`expected a PssModel, got ${document.kind}`);
  return document.value;
}

const model = loadModel();
const EPOCH = Date.UTC(2025, 0, 6, 8); // engine times are ms since the epoch; any fixed origin will do

/** Where two traces first differ (null: equal); comparing by hand keeps a failure's message short. */
function firstDifference(a: number[][], b: number[][]): { row: number; a: number[]; b: number[] } | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]?.length !== b[i]?.length || a[i].some((x, j) => x !== b[i][j])) return { row: i, a: a[i], b: b[i] };
  }
  return null;
}

/** Every reading of every elevator after each of `steps` steps. */
function trace(fleet: Fleet, steps: number): number[][] {
  const rows: number[][] = [];
  for (let k = 0; k < steps; k++) {
    fleet.step();
    for (const a of fleet.assets) rows.push(fleet.values(a));
  }
  return rows;
}

interface Firing {
  asset: string;
  trigger: string;
  /** Simulated seconds. */
  t: number;
}

/** Runs the fleet to `until`, feeding every status of `assets` to a trigger engine every `every` simulated seconds. */
function fire(fleet: Fleet, assets: readonly string[], until: number, every: number): Firing[] {
  const engine = new TriggerEngine(model);
  const out: Firing[] = [];
  for (let t = fleet.time; t <= until + 1e-9; t += every) {
    fleet.advanceTo(t);
    for (const asset of assets) {
      const v = fleet.readingsView(asset);
      fleet.statuses.forEach((s, i) => {
        const r = engine.ingest({ asset, part: s.part, status: s.key, time: EPOCH + fleet.time * 1000, value: v[i] });
        if (!r.accepted && r.outcome !== 'duplicate') throw new Error(`${asset} ${s.ref}=${v[i]} rejected: ${r.reason}`);
        for (const f of r.fired) out.push({ asset: f.asset, trigger: f.trigger, t: (f.time - EPOCH) / 1000 });
      });
    }
  }
  return out;
}

describe('Rng and seeds', () => {
  it('is a deterministic uniform stream; noise has mean 0, sd 1 and bounds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 20000 }, () => a.next());
    expect(Array.from({ length: 20000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 2);
    const g = new Rng(7);
    const ns = Array.from({ length: 20000 }, () => g.noise());
    const mean = ns.reduce((s, x) => s + x, 0) / ns.length;
    const sd = Math.sqrt(ns.reduce((s, x) => s + (x - mean) ** 2, 0) / ns.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(sd).toBeCloseTo(1, 1);
    // Bounded, so that no single draw can carry a healthy reading over a threshold.
    expect(Math.max(...ns.map(Math.abs))).toBeLessThanOrEqual(2 * Math.sqrt(3));
  });

  it('mixSeed separates seeds, indexes and the high half of large seeds', () => {
    const seen = new Set([mixSeed(1, 1), mixSeed(1, 2), mixSeed(2, 1), mixSeed(2 ** 40 + 1, 1), mixSeed(1, 1, 0)]);
    expect(seen.size).toBe(5);
    expect(mixSeed(1, 1)).toBe(mixSeed(1, 1));
  });

  it('names elevators elevator-01... with enough digits to sort', () => {
    expect(assetIds(3)).toEqual(['elevator-01', 'elevator-02', 'elevator-03']);
    expect(assetIds(150)[0]).toBe('elevator-001');
    expect(assetIds(150)[149]).toBe('elevator-150');
  });
});

describe('Fleet determinism', () => {
  const faults: FaultEvent[] = [
    { asset: 'elevator-03', kind: 'bearing-wear', at: 120 },
    { asset: 'elevator-02', kind: 'door-obstruction', at: 200, duration: 400 },
  ];

  it('same seed and schedule: identical value sequences; another seed: different ones', () => {
    const a = trace(new Fleet(model, { assets: 4, seed: 7, faults }), 1500);
    const b = trace(new Fleet(model, { assets: 4, seed: 7, faults }), 1500);
    expect(firstDifference(a, b)).toBeNull();
    const c = trace(new Fleet(model, { assets: 4, seed: 8, faults }), 1500);
    expect(firstDifference(a, c)).not.toBeNull();
  });

  it('does not depend on how time is advanced (one call, many calls, odd targets)', () => {
    const one = new Fleet(model, { assets: 3, seed: 5, faults });
    one.advanceTo(1000);
    const many = new Fleet(model, { assets: 3, seed: 5, faults });
    for (let t = 0.37; t < 1000; t += 3.71) many.advanceTo(t);
    many.advanceTo(1000);
    expect(many.time).toBe(1000);
    for (const a of one.assets) expect(many.values(a)).toEqual(one.values(a));
  });

  it('an elevator behaves the same whatever the fleet size and whatever happens to the others', () => {
    const small = new Fleet(model, { assets: 2, seed: 3 });
    const big = new Fleet(model, { assets: 30, seed: 3, faults: [{ asset: 'elevator-02', kind: 'brake-wear', at: 10 }, { asset: 'elevator-07', kind: 'controller-fault', at: 0 }] });
    const a: number[][] = [];
    const b: number[][] = [];
    for (let k = 0; k < 600; k++) {
      small.step();
      big.step();
      a.push(small.values('elevator-01'));
      b.push(big.values('elevator-01'));
    }
    expect(firstDifference(a, b)).toBeNull();
  });

  it('a fault changes only the statuses it acts on', () => {
    for (const kind of FAULT_KINDS) {
      const clean = new Fleet(model, { assets: 2, seed: 11 });
      const faulty = new Fleet(model, { assets: 2, seed: 11, faults: [{ asset: 'elevator-02', kind, at: 60 }] });
      const touched = new Set<string>();
      for (let k = 0; k < 900; k++) {
        clean.step();
        faulty.step();
        const before = clean.values('elevator-02');
        const after = faulty.values('elevator-02');
        clean.statuses.forEach((s, i) => {
          if (before[i] !== after[i]) touched.add(s.ref);
        });
      }
      expect({ kind, touched: [...touched].sort() }).toEqual({ kind, touched: [...FAULTS[kind].statuses].sort() });
    }
  });

  it('a fault injected at run time (and cleared) replays exactly from the recorded schedule', () => {
    const live = new Fleet(model, { assets: 3, seed: 9 });
    const rows: number[][] = [];
    for (let k = 1; k <= 1800; k++) {
      live.step();
      if (live.time === 120) live.injectFault('elevator-03', 'bearing-wear');
      if (live.time === 300) live.injectFault('elevator-01', 'door-obstruction', 200);
      if (live.time === 900) expect(live.clearFaults('elevator-03')).toBe(1);
      rows.push(...live.assets.map((a) => live.values(a)));
    }
    expect(live.faultSchedule()).toEqual([
      { asset: 'elevator-03', kind: 'bearing-wear', at: 120, duration: 780 },
      { asset: 'elevator-01', kind: 'door-obstruction', at: 300, duration: 200 },
    ]);
    const replay = new Fleet(model, { assets: 3, seed: 9, faults: live.faultSchedule() });
    expect(firstDifference(trace(replay, 1800), rows)).toBeNull();
  });
});

describe('Fleet values', () => {
  it('stay within each status min/max, even with every fault at once, over two simulated days', () => {
    const faults = FAULT_KINDS.map((kind): FaultEvent => ({ asset: 'elevator-01', kind, at: 3600, duration: 36000 }));
    const fleet = new Fleet(model, { assets: 3, seed: 2, stepSeconds: 10, faults });
    for (let k = 0; k < 17280; k++) {
      fleet.step();
      for (const a of fleet.assets) {
        const v = fleet.readingsView(a);
        fleet.statuses.forEach((s, i) => {
          if (!(v[i] >= s.low && v[i] <= s.high)) throw new Error(`${a} ${s.ref} = ${v[i]} outside [${s.low}, ${s.high}] at t=${fleet.time}`);
        });
      }
    }
  });

  it('count up door cycles with the daily traffic profile; counters never go down', () => {
    expect(trafficFactor(8.5 * 3600)).toBeGreaterThan(4 * trafficFactor(3 * 3600));
    const fleet = new Fleet(model, { assets: 5, seed: 4, startOfDaySeconds: 0, stepSeconds: 10 });
    const cycles = (): number => fleet.assets.reduce((s, a) => s + fleet.value(a, 'p.doors.door_cycles'), 0);
    const counters = ['p.doors.door_cycles', 'p.controller.controller_faults', 'p.ropes.broken_wires', 'p.governor.overspeed_trips'];
    let last = fleet.assets.map((a) => counters.map((c) => fleet.value(a, c)));
    const perHour: number[] = [];
    const decreases: string[] = [];
    for (let h = 0; h < 24; h++) {
      const start = cycles();
      for (let k = 0; k < 360; k++) {
        fleet.step();
        const now = fleet.assets.map((a) => counters.map((c) => fleet.value(a, c)));
        now.forEach((row, i) => row.forEach((v, j) => v < last[i][j] && decreases.push(`${fleet.assets[i]} ${counters[j]} at t=${fleet.time}`)));
        last = now;
      }
      perHour.push(cycles() - start);
    }
    expect(decreases).toEqual([]);
    // Five elevators: the 08:00-09:00 peak carries several times the 02:00-03:00 night traffic.
    expect(perHour[8]).toBeGreaterThan(3 * perHour[2]);
    expect(Math.max(...perHour) / 5).toBeLessThan(500); // the door trigger's delta stays out of reach
  });

  it('moves the motor current with the car load', () => {
    const fleet = new Fleet(model, { assets: 1, seed: 6 });
    const pairs: [number, number][] = [];
    for (let k = 0; k < 7200; k++) {
      fleet.step();
      const load = fleet.value('elevator-01', 'p.car-frame.load_pct');
      if (load > 0) pairs.push([load, fleet.value('elevator-01', 'p.traction.motor_current')]);
    }
    expect(pairs.length).toBeGreaterThan(100);
    // Current follows the imbalance against the counterweight (45 % of rated load), within 5 sigma of the 0.3 A noise.
    const off = pairs.filter(([load, current]) => Math.abs(current - (6 + 0.4 * Math.abs(load - 45))) > 1.5);
    expect(off).toEqual([]);
  });

  it('degrades slowly over simulated months: wear, elongation and vibration rise', () => {
    const fleet = new Fleet(model, { assets: 20, seed: 1, stepSeconds: 3600 });
    const mean = (ref: string): number => fleet.assets.reduce((s, a) => s + fleet.value(a, ref), 0) / fleet.assets.length;
    const refs = ['p.brake.brake_wear', 'p.ropes.rope_elongation', 'p.sheave.groove_wear', 'p.traction.vibration_rms', 'p.ropes.broken_wires'];
    // Daily means smooth out the noise and the traffic.
    const dayMean = (): number[] => {
      const sums = refs.map(() => 0);
      for (let h = 0; h < 24; h++) {
        fleet.step();
        refs.forEach((r, i) => (sums[i] += mean(r) / 24));
      }
      return sums;
    };
    const first = dayMean();
    fleet.advanceTo(180 * 86400);
    const later = dayMean();
    refs.forEach((r, i) => expect({ r, rose: later[i] > first[i] }).toEqual({ r, rose: true }));
    // Brake wear: 0.04-0.1 % a day.
    expect(later[0] - first[0]).toBeGreaterThan(180 * 0.04 * 0.9);
    expect(later[0] - first[0]).toBeLessThan(180 * 0.1 * 1.1);
    // Left alone for two years, the worst brakes pass the 70 % threshold on their own.
    fleet.advanceTo(730 * 86400);
    expect(fleet.assets.some((a) => fleet.value(a, 'p.brake.brake_wear') >= 70)).toBe(true);
  });

  it('handles statuses it has no physics for, and statuses without a range', () => {
    const custom: PssModel = {
      ...model,
      parts: [...model.parts, { id: 'p.hydraulics', statuses: [{ key: 'oil_level', unit: '%', min: 0, max: 100 }, { key: 'oil_quality' }] }],
    };
    const fleet = new Fleet(custom, { assets: 2, seed: 1 });
    const quality = fleet.statuses.find((s) => s.ref === 'p.hydraulics.oil_quality')!;
    expect(quality).toMatchObject({ low: 0, high: 100, modelRange: false });
    const seen = new Set<number>();
    const outside: number[] = [];
    for (let k = 0; k < 3000; k++) {
      fleet.step();
      for (const ref of ['p.hydraulics.oil_level', 'p.hydraulics.oil_quality']) {
        const v = fleet.value('elevator-02', ref);
        if (!(v >= 0 && v <= 100)) outside.push(v);
        seen.add(v);
      }
    }
    expect(outside).toEqual([]);
    expect(seen.size).toBeGreaterThan(100);
  });

  it('rejects bad options and faults with clear messages', () => {
    expect(() => new Fleet(model, { assets: 0, seed: 1 })).toThrow('assets must be an integer in 1..9999, got 0');
    expect(() => new Fleet(model, { assets: 1, seed: 1.5 })).toThrow('seed must be an integer');
    expect(() => new Fleet(model, { assets: 1, seed: 1, stepSeconds: 0 })).toThrow('stepSeconds');
    expect(() => new Fleet(model, { assets: 2, seed: 1, faults: [{ asset: 'elevator-03', kind: 'brake-wear', at: 0 }] })).toThrow(
      'fault on unknown elevator elevator-03 (the fleet has elevator-01..elevator-02)',
    );
    const fleet = new Fleet(model, { assets: 2, seed: 1 });
    expect(() => fleet.injectFault('elevator-01', 'melt' as FaultKind)).toThrow('unknown fault kind melt');
    expect(() => fleet.injectFault('elevator-01', 'brake-wear', -5)).toThrow('fault duration must be > 0 seconds, got -5');
    expect(() => fleet.value('elevator-01', 'p.nope.x')).toThrow('unknown status p.nope.x');
  });
});

describe('Faults fire their documented triggers (trigger engine on the example model)', () => {
  const ONSET = 600;

  it('a healthy fleet fires no trigger for a simulated week (sampled every minute)', () => {
    const fleet = new Fleet(model, { assets: 4, seed: 12, stepSeconds: 30 });
    expect(fire(fleet, fleet.assets, 7 * 86400, 60)).toEqual([]);
  });

  it('nor over the morning peak sampled every second', () => {
    const fleet = new Fleet(model, { assets: 3, seed: 13 });
    expect(fire(fleet, fleet.assets, 2 * 3600, 1)).toEqual([]);
  });

  describe.each(FAULT_KINDS)('%s', (kind) => {
    const info = FAULTS[kind];
    it.each([1, 10])(`fires ${info.trigger} only, ${info.firesAfterSeconds}-${info.firesWithinSeconds} s after onset, sampled every %i s (seeds 1-5)`, (every) => {
      for (let seed = 1; seed <= 5; seed++) {
        const fleet = new Fleet(model, { assets: 2, seed, faults: [{ asset: 'elevator-02', kind, at: ONSET }] });
        // Only the faulted elevator: the healthy-fleet tests cover the others.
        const fired = fire(fleet, ['elevator-02'], ONSET + info.firesWithinSeconds + 120, every);
        expect({ seed, fired: fired.map((f) => `${f.asset} ${f.trigger}`) }).toEqual({ seed, fired: [`elevator-02 ${info.trigger}`] });
        const after = fired[0].t - ONSET;
        expect({ seed, after, ok: after >= info.firesAfterSeconds && after <= info.firesWithinSeconds }).toEqual({ seed, after, ok: true });
      }
    });
  });

  it('an obstruction shorter than five minutes fires nothing', () => {
    const fleet = new Fleet(model, { assets: 1, seed: 3, faults: [{ asset: 'elevator-01', kind: 'door-obstruction', at: ONSET, duration: 290 }] });
    expect(fire(fleet, fleet.assets, ONSET + 1800, 1)).toEqual([]);
  });

  it('ClearFaults ends the fault: vibration falls back below the threshold at once, pending faults are dropped', () => {
    const fleet = new Fleet(model, { assets: 1, seed: 3, faults: [{ asset: 'elevator-01', kind: 'brake-wear', at: 5000 }] });
    fleet.advanceTo(100);
    fleet.injectFault('elevator-01', 'bearing-wear');
    fleet.advanceTo(100 + 600);
    expect(fleet.value('elevator-01', 'p.traction.vibration_rms')).toBeGreaterThan(7.1);
    expect(fleet.activeFaults('elevator-01').map((f) => f.kind)).toEqual(['bearing-wear']);
    expect(fleet.clearFaults('elevator-01')).toBe(2);
    fleet.step();
    expect(fleet.value('elevator-01', 'p.traction.vibration_rms')).toBeLessThan(7.1);
    fleet.advanceTo(6000);
    expect(fleet.activeFaults('elevator-01')).toEqual([]);
    expect(fleet.faultSchedule()).toEqual([{ asset: 'elevator-01', kind: 'bearing-wear', at: 100, duration: 600 }]);
  });
});
