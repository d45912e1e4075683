import { TriggerEngine, TriggerFired, statusRefs } from '@pss/triggers';
import { FAULTS, FAULT_NAMES, FaultSpec, describeFault, firesWithin, parseFaultSpec } from '../src/faults';
import { Fleet, FleetConfigError, FleetFrame, Rng, statusChannels, vehicleId } from '../src/fleet';
import { carModel } from './model';

// The trigger-engine runs feed a simulated day of samples through the edge engine: seconds, not milliseconds.
jest.setTimeout(30_000);

const model = carModel();
const START = Date.UTC(2025, 0, 6, 8, 0, 0);

function run(fleet: Fleet, steps: number, visit?: (frame: FleetFrame) => void): FleetFrame[] {
  const frames: FleetFrame[] = [];
  for (let i = 0; i < steps; i++) {
    const frame = fleet.next();
    frames.push(frame);
    visit?.(frame);
  }
  return frames;
}

/** Feeds every sample of a fleet into the edge's trigger engine; returns every firing. */
function runTriggers(fleet: Fleet, hours: number): TriggerFired[] {
  const engine = new TriggerEngine(model);
  const fired: TriggerFired[] = [];
  const steps = Math.ceil((hours * 3600) / fleet.stepSeconds) + 1;
  for (let k = 0; k < steps; k++) {
    const frame = fleet.next();
    for (const v of frame.vehicles) {
      fleet.channels.forEach((c, i) => {
        const r = engine.ingest({ asset: v.vehicle, part: c.part, status: c.key, time: frame.time, value: v.values[i] });
        if (!r.accepted && r.outcome !== 'duplicate') throw new Error(`${v.vehicle} ${c.ref}: ${r.reason}`);
        fired.push(...r.fired);
      });
    }
  }
  return fired;
}

describe('status channels', () => {
  it('cover every status of the model, in model order, with datatypes and the vehicle model for each', () => {
    const channels = statusChannels(model);
    expect(channels.map((c) => c.ref)).toEqual(statusRefs(model));
    expect(channels.length).toBe(72);
    expect(channels.every((c) => c.modelled)).toBe(true);
    const type = (ref: string): string => channels.find((c) => c.ref === ref)!.type;
    expect(type('p.braking.abs-unit.fault_count')).toBe('UInt32');
    expect(type('p.engine.knock-sensor.knock_count')).toBe('UInt32');
    expect(type('p.running.axle-front.vibration_rms')).toBe('Double');
  });
});

describe('Rng', () => {
  it('is deterministic per seed and stream, uniform in [0, 1)', () => {
    const a = new Rng(7, 3);
    const b = new Rng(7, 3);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
    expect(new Rng(7, 4).next()).not.toBe(new Rng(7, 3).next());
    expect(new Rng(8, 3).next()).not.toBe(new Rng(7, 3).next());
  });
});

describe('Fleet', () => {
  const faults: FaultSpec[] = [{ vehicle: 'car-0003', fault: 'brake-wear', onset: 600 }];

  it('names vehicles car-0001 … and starts at the given time', () => {
    const fleet = new Fleet({ model, vehicles: 12, seed: 7, stepSeconds: 60, start: START });
    expect(fleet.vehicleIds[0]).toBe('car-0001');
    expect(fleet.vehicleIds[11]).toBe('car-0012');
    expect(vehicleId(199)).toBe('car-0200');
    const [f0, f1] = run(fleet, 2);
    expect([f0.step, f0.elapsed, f0.time]).toEqual([0, 0, START]);
    expect([f1.step, f1.elapsed, f1.time]).toEqual([1, 60, START + 60_000]);
  });

  it('same seed and fault schedule: identical sequences; another seed: different ones', () => {
    const make = (seed: number): Fleet => new Fleet({ model, vehicles: 5, seed, stepSeconds: 30, start: START, faults });
    const bytes = (frames: FleetFrame[]): Buffer => Buffer.concat(frames.flatMap((f) => f.vehicles.map((v) => Buffer.from(v.values.buffer))));
    const a = run(make(7), 400);
    const b = run(make(7), 400);
    expect(bytes(b).equals(bytes(a))).toBe(true);
    expect(b.map((f) => [f.time, f.vehicles.map((v) => [v.speed, v.phase, v.faults])])).toEqual(a.map((f) => [f.time, f.vehicles.map((v) => [v.speed, v.phase, v.faults])]));
    expect(a[399].vehicles[2].faults).toEqual([{ fault: 'brake-wear', severity: expect.any(Number) }]);
    expect(bytes(run(make(8), 400)).equals(bytes(a))).toBe(false);
  });

  it("a vehicle's sequence depends neither on the fleet size, the start time, nor other vehicles' faults", () => {
    const small = run(new Fleet({ model, vehicles: 2, seed: 7, stepSeconds: 60, start: START }), 300);
    const large = run(new Fleet({ model, vehicles: 9, seed: 7, stepSeconds: 60, start: START + 86_400_000, faults }), 300);
    const series = (frames: FleetFrame[], v: number): number[] => frames.flatMap((f) => Array.from(f.vehicles[v].values));
    expect(series(large, 0)).toEqual(series(small, 0));
    expect(series(large, 1)).toEqual(series(small, 1));
  });

  it('a fault changes only its own statuses, and only from its onset', () => {
    const healthy = new Fleet({ model, vehicles: 3, seed: 7, stepSeconds: 60, start: START });
    const faulty = new Fleet({ model, vehicles: 3, seed: 7, stepSeconds: 60, start: START, faults });
    const own = new Set(FAULTS['brake-wear'].statuses.map((ref) => healthy.channels.findIndex((c) => c.ref === ref)));
    for (let k = 0; k < 240; k++) {
      const h = healthy.next().vehicles[2];
      const f = faulty.next().vehicles[2];
      const differing = Array.from(h.values.keys()).filter((i) => f.values[i] !== h.values[i]);
      if (k * 60 <= 600) expect(differing).toEqual([]);
      else expect(differing.every((i) => own.has(i))).toBe(true);
      expect(f.faults.length).toBe(k * 60 >= 600 ? 1 : 0);
    }
  });

  it('keeps every value within its status min/max and rounded to its decimals', () => {
    const fleet = new Fleet({ model, vehicles: 10, seed: 3, stepSeconds: 120, start: START, faults: FAULT_NAMES.map((fault, i) => ({ vehicle: vehicleId(i % 10), fault, onset: 3600 })) });
    const problems: string[] = [];
    run(fleet, 24 * 30, (frame) => {
      for (const v of frame.vehicles) {
        fleet.channels.forEach((c, i) => {
          const x = v.values[i];
          const scaled = x * 10 ** c.decimals;
          const bad = !Number.isFinite(x) || (c.min !== undefined && x < c.min) || (c.max !== undefined && x > c.max) || Math.abs(scaled - Math.round(scaled)) > 1e-6;
          if (bad && problems.length < 10) problems.push(`${v.vehicle} ${c.ref} = ${x} at step ${frame.step}`);
        });
      }
    });
    expect(problems).toEqual([]);
  });

  it('drives: cold start and warm-up, speed-dependent vibration, brake heat, slow wear and pressure loss', () => {
    const fleet = new Fleet({ model, vehicles: 8, seed: 11, stepSeconds: 30, start: START });
    const col = (ref: string): number => fleet.channels.findIndex((c) => c.ref === ref);
    const coolant = col('p.cooling.coolant-sensor.coolant_temp');
    const vib = col('p.running.axle-front.vibration_rms');
    const pad = col('p.braking.pad-fl.pad_thickness');
    const shock = col('p.running.shock-fl.damping_loss');
    const disc = col('p.braking.disc-fl.temperature');
    const frames = run(fleet, (24 * 3600) / 30 + 1);
    const first = frames[0];
    const hour = frames[120];
    const last = frames[frames.length - 1];
    for (let v = 0; v < 8; v++) {
      expect(first.vehicles[v].values[coolant]).toBeLessThan(40); // cold start at ambient
      expect(hour.vehicles[v].values[coolant]).toBeGreaterThan(75); // warm after an hour
      expect(last.vehicles[v].values[pad]).toBeLessThan(first.vehicles[v].values[pad]);
      expect(last.vehicles[v].values[shock]).toBeGreaterThan(first.vehicles[v].values[shock]);
      expect(Math.max(...frames.map((f) => f.vehicles[v].values[disc]))).toBeGreaterThan(100);
    }
    // Vibration grows with speed: fast samples vibrate more than stopped ones.
    const samples = frames.flatMap((f) => f.vehicles);
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const fast = samples.filter((s) => s.speed > 90).map((s) => s.values[vib]);
    const stopped = samples.filter((s) => s.speed < 5).map((s) => s.values[vib]);
    expect(fast.length).toBeGreaterThan(100);
    expect(stopped.length).toBeGreaterThan(100);
    expect(mean(fast)).toBeGreaterThan(mean(stopped) + 2.5);
    // Both phases of the driving cycle occur.
    expect(new Set(samples.map((s) => s.phase))).toEqual(new Set(['idle', 'drive']));
  });

  it('rejects faults for unknown vehicles and models without the statuses', () => {
    expect(() => new Fleet({ model, vehicles: 2, seed: 1, stepSeconds: 1, faults: [{ vehicle: 'car-0003', fault: 'impact', onset: 0 }] })).toThrow(FleetConfigError);
    const bare = { ...model, parts: model.parts.filter((p) => p.id !== 'p.braking.pad-fl') };
    expect(() => new Fleet({ model: bare, vehicles: 2, seed: 1, stepSeconds: 1, faults: [{ vehicle: 'car-0001', fault: 'brake-wear', onset: 0 }] })).toThrow(
      /brake-wear needs statuses .* p\.braking\.pad-fl\.pad_thickness/,
    );
  });
});

describe('triggers of the passenger-car model (the edge trigger engine on simulated samples)', () => {
  it('a healthy fleet fires nothing for a simulated day', () => {
    const fired = runTriggers(new Fleet({ model, vehicles: 8, seed: 7, stepSeconds: 60, start: START }), 24);
    expect(fired.map((e) => `${e.asset} ${e.trigger}`)).toEqual([]);
  });

  it('nor with short steps (10 s) for 3 hours, where for() and windows see every brake application', () => {
    const fired = runTriggers(new Fleet({ model, vehicles: 6, seed: 9, stepSeconds: 10, start: START }), 3);
    expect(fired.map((e) => `${e.asset} ${e.trigger}`)).toEqual([]);
  });

  it.each(FAULT_NAMES.map((name) => [name]))('fault %s fires its trigger on the faulted vehicle only, after the onset and by onset + ramp + window', (name) => {
    const onset = 3600;
    const spec: FaultSpec = { vehicle: 'car-0002', fault: name, onset };
    const step = 60;
    const fleet = new Fleet({ model, vehicles: 3, seed: 5, stepSeconds: step, start: START, faults: [spec] });
    const fired = runTriggers(fleet, (onset + firesWithin(spec) + 2 * step) / 3600);
    expect(fired.map((e) => `${e.asset} ${e.trigger}`)).toEqual([`car-0002 ${FAULTS[name].trigger}`]);
    const at = (fired[0].time - START) / 1000;
    expect(at).toBeGreaterThanOrEqual(onset);
    expect(at).toBeLessThanOrEqual(onset + firesWithin(spec) + step);
  });

  it('a shorter ramp makes the trigger fire sooner', () => {
    const spec: FaultSpec = { vehicle: 'car-0001', fault: 'coolant-leak', onset: 0, ramp: 600 };
    const fired = runTriggers(new Fleet({ model, vehicles: 1, seed: 5, stepSeconds: 30, start: START, faults: [spec] }), 0.25);
    expect(fired.map((e) => e.trigger)).toEqual(['ss.cooling']);
    expect(fired[0].time - START).toBeLessThanOrEqual(630_000);
  });
});

describe('fault specs', () => {
  it('parse vehicle, fault, onset (bare seconds or units) and an optional ramp', () => {
    expect(parseFaultSpec('car-0003:brake-wear@60')).toEqual({ ok: true, value: { vehicle: 'car-0003', fault: 'brake-wear', onset: 60 } });
    expect(parseFaultSpec('car-0010:oil-leak@1h30m/10m')).toEqual({ ok: true, value: { vehicle: 'car-0010', fault: 'oil-leak', onset: 5400, ramp: 600 } });
    expect(parseFaultSpec('car-0003:brake-wear')).toEqual({ ok: false, error: expect.stringContaining('<vehicle>:<fault>@<onset>') });
    expect(parseFaultSpec('car-0003:brakes@60')).toEqual({ ok: false, error: expect.stringContaining('unknown fault "brakes"') });
    expect(parseFaultSpec('car-0003:brake-wear@soon')).toEqual({ ok: false, error: expect.stringContaining('onset') });
  });

  it('describe when the trigger fires', () => {
    expect(describeFault({ vehicle: 'car-0003', fault: 'brake-wear', onset: 60 })).toContain('ss.braking fires (p.braking.pad-fl.pad_thickness < 3) by sim +2h1m');
    expect(describeFault({ vehicle: 'car-0001', fault: 'axle-bearing', onset: 0 })).toContain('by sim +2h10m');
  });

  it('every fault names a trigger of the model whose condition contains its clause', () => {
    for (const name of FAULT_NAMES) {
      const trigger = model.triggers.find((t) => t.id === FAULTS[name].trigger);
      expect(trigger?.condition).toContain(FAULTS[name].clause);
    }
  });
});
