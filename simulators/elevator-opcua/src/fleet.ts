// The elevator fleet behind the OPC UA simulator: N elevators of one PSS model whose statuses
// evolve with simulated time. Pure (no I/O, no node-opcua, no clock) so that it can be tested
// on its own and replayed exactly.
//
// Determinism. Simulated time advances in fixed steps (`stepSeconds`, default 1 s), never by
// whatever real time passed between two timer callbacks: the value sequence is a function of
// (model, seed, step, fault schedule) alone. Each elevator draws from its own PRNG stream (seeded
// from the seed and its index), so elevator-01 behaves the same in a fleet of 5 or of 500; faults
// never consume random numbers, so a fault on one elevator changes nothing on another, and on its
// own elevator changes only the statuses it acts on (all tested).
//
// Physics, in brief (all numbers plausible, none measured):
//   - traffic: trips per hour follow a daily profile (night low, morning/lunch/evening peaks);
//     each trip is one door cycle, draws a car load and moves the car for 8-20 s; the motor
//     current follows the imbalance between car load and counterweight (45 % of rated load);
//   - temperatures follow first-order lags towards targets set by ambient, traffic and wear;
//   - slow degradation over days: bearing wear (vibration, bearing temperature), brake lining
//     wear (and the brake release time with it), sheave groove wear, rope elongation, broken
//     wires, door operator drift;
//   - sensor noise on every analog reading, bounded (see Rng.noise) so that the margins below the
//     thresholds hold for sure, not just almost surely; every reading is clamped to its status min/max.
// Initial wear and rates are drawn per elevator so that a healthy fleet fires no trigger of the
// example model for at least a simulated week (tested); left alone for a simulated year or two,
// the worst elevators wear their brakes and ropes past the thresholds on their own (tested for
// brakes).
import type { PssModel, StatusDef } from '@pss/model';

// Math's functions as module constants: in a vm context (Jest runs tests in one) every global
// lookup such as `Math` goes through an interceptor that keeps V8 from optimizing, which made the
// step loop 50 times slower there. Module-level constants are plain closure variables.
const { abs, exp, floor, imul, max, min, round, sin, sqrt, PI } = Math;
const SQRT3 = sqrt(3);

// ---- Seeded PRNG (written inline: the simulator must not depend on a library's sequence) ----

/** Mixes integers into one 32-bit seed (murmur3's finalizer over a running hash). */
export function mixSeed(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    // Two 32-bit halves so that seeds above 2^32 still matter.
    for (const part of [v >>> 0, floor(v / 4294967296) >>> 0]) {
      h = imul(h ^ part, 0x85ebca6b);
      h ^= h >>> 13;
      h = imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** mulberry32: 32 bits of state, uniform in [0, 1). Small, fast and good enough for noise. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * Sensor noise: mean 0, standard deviation 1, bell-shaped (Irwin-Hall: the sum of 4 uniforms,
   * rescaled) and bounded at +-2*sqrt(3) = +-3.46. Cheaper than Box-Muller (no log, sqrt or cos,
   * which matters at thousands of elevator-steps per second), and bounded, so that a healthy
   * elevator can never drift over a threshold on one unlucky draw.
   */
  noise(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * SQRT3;
  }
}

// ---- Faults ----

export const FAULT_KINDS = ['bearing-wear', 'brake-wear', 'door-obstruction', 'controller-fault', 'rope-stretch', 'inverter-overheat'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

export interface FaultInfo {
  kind: FaultKind;
  /** The trigger of examples/elevator-fleet.model.yaml the fault fires. */
  trigger: string;
  /** The clause of that trigger's condition that becomes true. */
  clause: string;
  /** The statuses (part.key) the fault acts on. */
  statuses: string[];
  /** Default duration in simulated seconds; Infinity = until ClearFaults (wear does not heal). */
  defaultDurationSeconds: number;
  /**
   * Upper bound, in simulated seconds after onset, on when the trigger fires for a gateway that
   * samples at least every 10 simulated seconds (tested with the trigger engine for many seeds).
   */
  firesWithinSeconds: number;
  /** The trigger fires no earlier than this many simulated seconds after onset. */
  firesAfterSeconds: number;
  description: string;
}

/** What each fault does, which trigger it fires and when. The README's table is this one. */
export const FAULTS: Readonly<Record<FaultKind, FaultInfo>> = {
  'bearing-wear': {
    kind: 'bearing-wear',
    trigger: 'ss.traction',
    clause: "avg(p.traction.vibration_rms, '10m') > 7.1",
    statuses: ['p.traction.vibration_rms', 'p.motor-bearing.bearing_temp'],
    defaultDurationSeconds: Infinity,
    firesAfterSeconds: 180,
    firesWithinSeconds: 600,
    description:
      'Drive-end bearing damage: vibration_rms rises by 2 mm/s per simulated minute up to +12 mm/s, bearing_temp heads for +30 °C. ' +
      'The 10-minute average of vibration passes 7.1 mm/s 6 to 10 minutes after onset.',
  },
  'brake-wear': {
    kind: 'brake-wear',
    trigger: 'ss.brake',
    clause: "max(p.brake.release_time, '1h') > 500 || p.brake.brake_wear >= 70",
    statuses: ['p.brake.release_time', 'p.brake.brake_wear'],
    defaultDurationSeconds: Infinity,
    firesAfterSeconds: 30,
    firesWithinSeconds: 300,
    description:
      'Worn brake lining: release_time rises by 200 ms per simulated minute up to +600 ms (passes 500 ms within about 2.5 minutes), ' +
      'brake_wear rises by 10 % per minute up to 80 %.',
  },
  'door-obstruction': {
    kind: 'door-obstruction',
    trigger: 'ss.doors',
    clause: "for(p.doors.door_obstruction > 0, '5m')",
    statuses: ['p.doors.door_obstruction'],
    defaultDurationSeconds: 600,
    firesAfterSeconds: 300,
    firesWithinSeconds: 320,
    description:
      'Something blocks the light curtain: door_obstruction = 4-8 beams for the whole duration (default 10 min). ' +
      'Fires 5 minutes after the first sample that shows it; an obstruction shorter than 5 minutes fires nothing.',
  },
  'controller-fault': {
    kind: 'controller-fault',
    trigger: 'ss.controller',
    clause: "delta(p.controller.controller_faults, '1h') >= 3",
    statuses: ['p.controller.controller_faults'],
    defaultDurationSeconds: 600,
    firesAfterSeconds: 120,
    firesWithinSeconds: 190,
    description:
      'Intermittent controller fault: one fault-log entry per simulated minute while active (default 10 min); ' +
      'the third entry, 3 minutes after onset, fires (2 minutes if a natural entry fell in the hour before).',
  },
  'rope-stretch': {
    kind: 'rope-stretch',
    trigger: 'ss.ropes',
    clause: 'p.ropes.rope_elongation > 0.5',
    statuses: ['p.ropes.rope_elongation'],
    defaultDurationSeconds: Infinity,
    firesAfterSeconds: 240,
    firesWithinSeconds: 600,
    description: 'Rope elongation rises by 0.05 % per simulated minute up to +0.6 %: passes 0.5 % 5 to 9 minutes after onset.',
  },
  'inverter-overheat': {
    kind: 'inverter-overheat',
    trigger: 'ss.controller',
    clause: 'p.inverter.inverter_temp > 85',
    statuses: ['p.inverter.inverter_temp'],
    defaultDurationSeconds: Infinity,
    firesAfterSeconds: 120,
    firesWithinSeconds: 600,
    description: 'Inverter fan failure: inverter_temp rises by 8 °C per simulated minute up to +70 °C: passes 85 °C within 8 minutes.',
  },
};

/**
 * A fault on the schedule: from `at` (simulated seconds since start) for `duration` seconds. It
 * acts on the steps with at < t <= at + duration: a fault injected or cleared at simulated time
 * `now` happens after the step at `now` was computed, so a schedule replays runtime injections
 * and clears exactly.
 */
export interface FaultEvent {
  asset: string;
  kind: FaultKind;
  at: number;
  /** Simulated seconds; omitted or Infinity = the kind's default (see FAULTS). */
  duration?: number;
}

/** A fault as the fleet holds it: `end` is when it stops (duration elapsed or cleared). */
export interface ScheduledFault {
  asset: string;
  kind: FaultKind;
  at: number;
  end: number;
}

// ---- The fleet ----

/** One status of the model, flattened: `ref` is `<part id>.<status key>` as in trigger conditions. */
export interface FleetStatus {
  part: string;
  key: string;
  ref: string;
  unit?: string;
  /** The range readings are clamped to: the model's min/max, else the simulator's own. */
  low: number;
  high: number;
  /** Whether low/high come from the model (false: the model gives no range for this status). */
  modelRange: boolean;
}

export interface FleetOptions {
  /** Number of elevators, 1..9999. */
  assets: number;
  /** Any integer; the same seed gives the same fleet. */
  seed: number;
  /** Simulated seconds per step (default 1). Values exist only at step boundaries. */
  stepSeconds?: number;
  /** Faults known in advance. */
  faults?: readonly FaultEvent[];
  /** Simulated time of day at t = 0, seconds after midnight (default 8 h: the morning peak begins). */
  startOfDaySeconds?: number;
}

/** `elevator-01` ... : two digits at least, more for fleets of 100 and up, so ids sort. */
export function assetIds(count: number): string[] {
  const width = max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `elevator-${String(i + 1).padStart(width, '0')}`);
}

const DAY = 86400;
const COUNTERWEIGHT_PCT = 45;

/** Trips per hour relative to the elevator's base rate, by time of day: 0.3 at night, about 1.7 at the morning peak. */
export function trafficFactor(secondsOfDay: number): number {
  const h = (((secondsOfDay % DAY) + DAY) % DAY) / 3600;
  const bump = (centre: number, width: number): number => exp(-0.5 * ((h - centre) / width) ** 2);
  const daytime = 1 / (1 + exp(-2 * (h - 7))) / (1 + exp(2 * (h - 20)));
  return 0.3 + 0.35 * daytime + 1.0 * bump(8.5, 0.8) + 0.6 * bump(12.5, 0.8) + 0.9 * bump(17.5, 0.8);
}

/** Per-elevator constants, drawn once from its stream. */
interface AssetParams {
  tripsPerHour: number;
  ambientOffset: number;
  vibration0: number;
  bearingWear0: number;
  bearingWearPerDay: number;
  brakeWear0: number;
  brakeWearPerDay: number;
  releaseTime0: number;
  grooveWear0: number;
  grooveWearPerDay: number;
  ropeElongation0: number;
  ropeElongationPerDay: number;
  brokenWires0: number;
  brokenWiresPerDay: number;
  doorCycles0: number;
  closeTime0: number;
  controllerFaults0: number;
  overspeedTrips: number;
  dcBus0: number;
  /** Beams a door-obstruction fault blocks (4-8), fixed per elevator so faults draw nothing. */
  obstructionBeams: number;
}

interface AssetState {
  readonly index: number;
  readonly id: string;
  readonly rng: Rng;
  readonly p: AssetParams;
  doorCycles: number;
  movingUntil: number;
  load: number;
  obstructedUntil: number;
  obstructionBeams: number;
  closeTime: number;
  releaseTimeNoise: number;
  windingTemp: number;
  bearingTemp: number;
  inverterTemp: number;
  cabinetTemp: number;
  controllerFaults: number;
  lastNaturalFault: number;
  /** Ornstein-Uhlenbeck state of statuses the simulator has no physics for, by status index. */
  readonly generic: Float64Array;
  /** The current readings, by status index. */
  readonly readings: Float64Array;
}

/** The combined effect of the active faults on one elevator at one time. */
interface FaultEffects {
  vibration: number;
  bearingTemp: number;
  releaseTime: number;
  /** How far brake wear rises above its natural value (capped at 80 % when read). */
  brakeWearRise: number;
  obstruction: number;
  controllerEntries: number;
  rope: number;
  inverterTemp: number;
}

const round3 = (x: number): number => round(x * 1000) / 1000;

/** First-order lag: the share of the gap to the target closed in dt seconds with time constant tau. */
const lag = (dt: number, tau: number): number => 1 - exp(-dt / tau);

export class Fleet {
  readonly assets: readonly string[];
  readonly statuses: readonly FleetStatus[];
  readonly stepSeconds: number;
  readonly seed: number;
  private readonly startOfDay: number;
  private readonly states: AssetState[];
  private readonly byId = new Map<string, AssetState>();
  private readonly statusIndex = new Map<string, number>();
  /** Per status index, the physics it gets (Kind.Generic: mean-reverting noise). */
  private readonly kinds: Kind[];
  /** Status indexes without physics, for the generic noise loop. */
  private readonly genericSlots: number[];
  /** Every fault, in the order scheduled, and the same objects by elevator for the step loop. */
  private readonly schedule: ScheduledFault[] = [];
  private readonly faultsOf = new Map<string, ScheduledFault[]>();
  private stepCount = 0;
  /** First-order lag factors for the fixed step, by time constant (computed once: exp is not free). */
  private readonly lagWinding: number;
  private readonly lagBearing: number;
  private readonly lagInverter: number;
  private readonly lagCabinet: number;
  /** Reused by effects(): the step loop allocates nothing. */
  private readonly fx: FaultEffects = { vibration: 0, bearingTemp: 0, releaseTime: 0, brakeWearRise: 0, obstruction: 0, controllerEntries: 0, rope: 0, inverterTemp: 0 };

  constructor(model: PssModel, options: FleetOptions) {
    if (!Number.isInteger(options.assets) || options.assets < 1 || options.assets > 9999) throw new RangeError(`assets must be an integer in 1..9999, got ${options.assets}`);
    if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
    const step = options.stepSeconds ?? 1;
    if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`stepSeconds must be a finite number > 0, got ${options.stepSeconds}`);
    this.stepSeconds = step;
    this.lagWinding = lag(step, 900);
    this.lagBearing = lag(step, 600);
    this.lagInverter = lag(step, 300);
    this.lagCabinet = lag(step, 1800);
    this.seed = options.seed;
    this.startOfDay = options.startOfDaySeconds ?? 8 * 3600;
    this.assets = assetIds(options.assets);
    this.statuses = model.parts.flatMap((part) => part.statuses.map((s) => flattenStatus(part.id, s)));
    this.statuses.forEach((s, i) => this.statusIndex.set(s.ref, i));
    // The physics is keyed by status key, so a model with other part ids but the same sensors
    // works too; a key that occurs twice gets the physics once (its first occurrence).
    const seen = new Set<string>();
    this.kinds = this.statuses.map((s) => {
      const kind = KIND_OF_KEY.get(s.key);
      if (kind === undefined || seen.has(s.key)) return Kind.Generic;
      seen.add(s.key);
      return kind;
    });
    this.genericSlots = this.kinds.flatMap((k, i) => (k === Kind.Generic ? [i] : []));

    this.states = this.assets.map((id, index) => this.createAsset(id, index));
    for (const s of this.states) {
      this.byId.set(s.id, s);
      this.faultsOf.set(s.id, []);
    }
    for (const f of options.faults ?? []) this.addFault(this.checkFault(f));
    for (const s of this.states) this.read(s, 0, false, 0.4, s.p.bearingWear0, this.effects(s.id, 0));
  }

  /** Simulated seconds since start. */
  get time(): number {
    return this.stepCount * this.stepSeconds;
  }

  get steps(): number {
    return this.stepCount;
  }

  /** Advances one step. */
  step(): void {
    this.stepCount++;
    const t = this.time;
    const traffic = trafficFactor(this.startOfDay + t);
    for (const s of this.states) this.advance(s, t, this.stepSeconds, traffic);
  }

  /** Advances whole steps up to simulated time t (never past it); returns how many. */
  advanceTo(t: number): number {
    let n = 0;
    // Compare step counts, not accumulated floats: time is always stepCount * stepSeconds.
    const target = floor(t / this.stepSeconds + 1e-9);
    while (this.stepCount < target) {
      this.step();
      n++;
    }
    return n;
  }

  hasAsset(asset: string): boolean {
    return this.byId.has(asset);
  }

  /** The current reading of one status (`part.key`) of one elevator. */
  value(asset: string, ref: string): number {
    const i = this.statusIndex.get(ref);
    if (i === undefined) throw new Error(`unknown status ${ref}`);
    return this.asset(asset).readings[i];
  }

  /** The current readings of one elevator, in `statuses` order (a copy). */
  values(asset: string): number[] {
    return Array.from(this.asset(asset).readings);
  }

  /** The readings array itself, for the server's hot loop; read only. */
  readingsView(asset: string): Readonly<Float64Array> {
    return this.asset(asset).readings;
  }

  /**
   * Starts a fault on an elevator now (at the current simulated time). duration: simulated
   * seconds, 0 or omitted = the kind's default. The fault is added to the schedule, so a fleet
   * built with `faults: fleet.faultSchedule()` replays it exactly.
   */
  injectFault(asset: string, kind: FaultKind, duration?: number): ScheduledFault {
    const fault = this.checkFault({ asset, kind, at: this.time, duration: duration === 0 ? undefined : duration });
    this.addFault(fault);
    return { ...fault };
  }

  /** Ends every active or pending fault of an elevator now; returns how many it ended. */
  clearFaults(asset: string): number {
    this.asset(asset);
    const now = this.time;
    let n = 0;
    for (const f of this.schedule) {
      if (f.asset !== asset || f.end <= now) continue;
      // A fault not yet begun is dropped entirely (end = at): it never happened.
      f.end = max(f.at, now);
      n++;
    }
    return n;
  }

  /** The faults on from now on (injected at or before now, not ended): what the next step will feel. */
  activeFaults(asset: string): ScheduledFault[] {
    const now = this.time;
    return this.faultsOf.get(this.asset(asset).id)!.filter((f) => f.at <= now && now < f.end).map((f) => ({ ...f }));
  }

  /** Every fault ever scheduled, with its end (cleared faults end when cleared), as FaultEvents. */
  faultSchedule(): FaultEvent[] {
    return this.schedule.filter((f) => f.end > f.at).map((f) => ({ asset: f.asset, kind: f.kind, at: f.at, duration: f.end - f.at }));
  }

  // ---- internals ----

  private asset(id: string): AssetState {
    const s = this.byId.get(id);
    if (!s) throw new Error(`unknown elevator ${id} (the fleet has ${this.assets[0]}..${this.assets[this.assets.length - 1]})`);
    return s;
  }

  private addFault(f: ScheduledFault): void {
    this.schedule.push(f);
    this.faultsOf.get(f.asset)!.push(f);
  }

  private checkFault(f: FaultEvent): ScheduledFault {
    if (!this.byId.has(f.asset)) throw new Error(`fault on unknown elevator ${f.asset} (the fleet has ${this.assets[0]}..${this.assets[this.assets.length - 1]})`);
    if (!isFaultKind(f.kind)) throw new Error(`unknown fault kind ${String(f.kind)} (known: ${FAULT_KINDS.join(', ')})`);
    if (!(f.at >= 0) || !Number.isFinite(f.at)) throw new Error(`fault time must be a finite number of seconds >= 0, got ${f.at}`);
    const duration = f.duration ?? FAULTS[f.kind].defaultDurationSeconds;
    if (!(duration > 0)) throw new Error(`fault duration must be > 0 seconds, got ${f.duration}`);
    return { asset: f.asset, kind: f.kind, at: f.at, end: f.at + duration };
  }

  private createAsset(id: string, index: number): AssetState {
    // The stream is keyed by elevator index, not by fleet size: elevator-01 is the same in any fleet.
    const rng = new Rng(mixSeed(this.seed, index + 1));
    const p: AssetParams = {
      tripsPerHour: rng.uniform(60, 140),
      ambientOffset: rng.uniform(-3, 3),
      vibration0: rng.uniform(0.8, 2.0),
      bearingWear0: rng.uniform(0, 0.4),
      bearingWearPerDay: rng.uniform(0.0005, 0.0015),
      brakeWear0: rng.uniform(5, 35),
      brakeWearPerDay: rng.uniform(0.04, 0.1),
      releaseTime0: rng.uniform(150, 230),
      grooveWear0: rng.uniform(5, 30),
      grooveWearPerDay: rng.uniform(0.02, 0.05),
      ropeElongation0: rng.uniform(0.05, 0.25),
      ropeElongationPerDay: rng.uniform(0.0003, 0.0008),
      brokenWires0: rng.uniform(0, 2.9),
      brokenWiresPerDay: rng.uniform(0.002, 0.008),
      doorCycles0: floor(rng.uniform(100_000, 3_000_000)),
      closeTime0: rng.uniform(2.6, 3.4),
      controllerFaults0: floor(rng.uniform(0, 200)),
      overspeedTrips: floor(rng.uniform(0, 4)),
      dcBus0: rng.uniform(550, 570),
      obstructionBeams: 4 + floor(rng.uniform(0, 5)),
    };
    const ambient = this.ambient(p, 0);
    const f = trafficFactor(this.startOfDay);
    const s: AssetState = {
      index,
      id,
      rng,
      p,
      doorCycles: p.doorCycles0,
      movingUntil: -1,
      load: 0,
      obstructedUntil: -1,
      obstructionBeams: 0,
      closeTime: p.closeTime0,
      releaseTimeNoise: 0,
      // Temperatures start at their steady state, so that t = 0 is not a cold start.
      windingTemp: ambient + 10 + 14 * f,
      bearingTemp: ambient + 10 + 6 * f + 12 * p.bearingWear0,
      inverterTemp: ambient + 8 + 6 * f,
      cabinetTemp: ambient + 6 + 3 * f,
      controllerFaults: p.controllerFaults0,
      lastNaturalFault: -Infinity,
      generic: new Float64Array(this.statuses.length),
      readings: new Float64Array(this.statuses.length),
    };
    this.statuses.forEach((st, i) => (s.generic[i] = genericCentre(st)));
    return s;
  }

  /** Machine-room temperature: 22 °C ± 4 over the day (warmest at 15:00), per-elevator offset. */
  private ambient(p: AssetParams, t: number): number {
    const sod = this.startOfDay + t;
    return 22 + p.ambientOffset + 4 * sin((2 * PI * (sod - 9 * 3600)) / DAY);
  }

  private advance(s: AssetState, t: number, dt: number, f: number): void {
    const { rng, p } = s;

    // Trips: expected count this step, integer part for sure and the fraction by chance, so the
    // mean door-cycle rate is right whatever the step.
    const expected = (p.tripsPerHour * f * dt) / 3600;
    const trips = floor(expected) + (rng.next() < expected - floor(expected) ? 1 : 0);
    const travel = rng.uniform(8, 20);
    const loadDraw = rng.next();
    const closeNoise = rng.noise();
    const releaseNoise = rng.noise();
    const obstructionDraw = rng.next();
    const obstructionLength = rng.uniform(2, 12);
    const obstructionBeams = 1 + floor(rng.next() * 3);
    if (trips > 0) {
      s.doorCycles += trips;
      s.movingUntil = t + travel;
      // Mostly light loads; heavier at peaks. Rated load is 100 %, the overload limit 110 %.
      s.load = min(110, round(100 * loadDraw ** 1.6 * (0.5 + 0.5 * min(1, f))));
      // Each door close and brake release is a new measurement with its own scatter.
      s.closeTime = p.closeTime0 + 0.1 * ((s.doorCycles - p.doorCycles0) / 100_000) + 0.08 * closeNoise;
      s.releaseTimeNoise = 8 * releaseNoise;
      // Passengers occasionally stand in the doorway for a few seconds.
      if (obstructionDraw < 0.03 * trips) {
        s.obstructedUntil = t + obstructionLength;
        s.obstructionBeams = obstructionBeams;
      }
    }
    const moving = t < s.movingUntil;
    const current = moving ? 6 + 0.4 * abs(s.load - COUNTERWEIGHT_PCT) : 0.4;
    const ambient = this.ambient(p, t);
    const days = t / DAY;
    const bearingWear = p.bearingWear0 + p.bearingWearPerDay * days;
    const fx = this.effects(s.id, t);

    s.windingTemp += (ambient + 10 + 14 * f + (moving ? 0.5 * current : 0) - s.windingTemp) * this.lagWinding;
    s.bearingTemp += (ambient + 10 + 6 * f + 12 * bearingWear + fx.bearingTemp - s.bearingTemp) * this.lagBearing;
    s.inverterTemp += (ambient + 8 + 6 * f + (moving ? 0.8 * current : 0) - s.inverterTemp) * this.lagInverter;
    s.cabinetTemp += (ambient + 6 + 3 * f - s.cabinetTemp) * this.lagCabinet;

    // Natural fault-log entries: about one every two days, never two within an hour, so they
    // alone can never reach the controller trigger's 3 per hour.
    const naturalFault = rng.next();
    if (naturalFault < dt / (2 * DAY) && t - s.lastNaturalFault >= 3600) {
      s.controllerFaults++;
      s.lastNaturalFault = t;
    }

    // Generic statuses: mean-reverting noise around a quarter of their range.
    for (const i of this.genericSlots) {
      const st = this.statuses[i];
      const sigma = 0.02 * (st.high - st.low);
      s.generic[i] += ((genericCentre(st) - s.generic[i]) * dt) / 600 + sigma * sqrt(dt / 60) * rng.noise();
    }
    this.read(s, t, moving, current, bearingWear, fx);
  }

  /** Computes every reading of an elevator at time t (noise included, rounded, clamped). */
  private read(s: AssetState, t: number, moving: boolean, current: number, bearingWear: number, fx: FaultEffects): void {
    const { rng, p } = s;
    const days = t / DAY;
    const brakeWearNatural = p.brakeWear0 + p.brakeWearPerDay * days;
    const out = s.readings;
    // Each noisy status draws once per step; which statuses are noisy depends on the model alone,
    // so the stream's position never depends on the values.
    for (let i = 0; i < this.statuses.length; i++) {
      const st = this.statuses[i];
      let raw: number;
      switch (this.kinds[i]) {
        case Kind.VibrationRms: raw = (p.vibration0 + 3 * bearingWear) * (moving ? 1 : 0.7) + fx.vibration + 0.15 * rng.noise(); break;
        case Kind.MotorCurrent: raw = current + (moving ? 0.3 : 0.05) * rng.noise(); break;
        case Kind.WindingTemp: raw = s.windingTemp + 0.3 * rng.noise(); break;
        case Kind.BearingTemp: raw = s.bearingTemp + 0.2 * rng.noise(); break;
        case Kind.BrakeWear: raw = max(brakeWearNatural, min(80, brakeWearNatural + fx.brakeWearRise)) + 0.1 * rng.noise(); break;
        // Release time is measured at each brake release (a trip): its scatter is drawn then.
        case Kind.ReleaseTime: raw = p.releaseTime0 + 1.5 * brakeWearNatural + s.releaseTimeNoise + fx.releaseTime; break;
        case Kind.GrooveWear: raw = p.grooveWear0 + p.grooveWearPerDay * days + 0.1 * rng.noise(); break;
        case Kind.RopeElongation: raw = p.ropeElongation0 + p.ropeElongationPerDay * days + fx.rope + 0.002 * rng.noise(); break;
        case Kind.BrokenWires: raw = floor(p.brokenWires0 + p.brokenWiresPerDay * days); break;
        case Kind.DoorCycles: raw = s.doorCycles; break;
        case Kind.DoorObstruction: raw = max(t < s.obstructedUntil ? s.obstructionBeams : 0, fx.obstruction); break;
        case Kind.CloseTime: raw = s.closeTime; break;
        case Kind.ControllerFaults: raw = s.controllerFaults + fx.controllerEntries; break;
        case Kind.CabinetTemp: raw = s.cabinetTemp + 0.2 * rng.noise(); break;
        case Kind.InverterTemp: raw = s.inverterTemp + fx.inverterTemp + 0.3 * rng.noise(); break;
        // The DC bus rises while the drive regenerates or accelerates.
        case Kind.DcBusVoltage: raw = p.dcBus0 + (moving ? 12 : 0) + 2 * rng.noise(); break;
        case Kind.OverspeedTrips: raw = p.overspeedTrips; break;
        case Kind.LoadPct: raw = moving ? s.load : 0; break;
        default: raw = s.generic[i];
      }
      out[i] = min(st.high, max(st.low, round3(raw)));
    }
  }

  /**
   * The combined effects of an elevator's faults at time t, in a reused object (valid until the
   * next call). Draws nothing from the PRNG.
   */
  private effects(asset: string, t: number): FaultEffects {
    const fx = this.fx;
    fx.vibration = fx.bearingTemp = fx.releaseTime = fx.brakeWearRise = fx.obstruction = fx.controllerEntries = fx.rope = fx.inverterTemp = 0;
    for (const f of this.faultsOf.get(asset)!) {
      if (t <= f.at) continue;
      if (f.kind === 'controller-fault') {
        // Log entries are cumulative: they stay in the count after the fault ends.
        fx.controllerEntries += floor((min(t, f.end) - f.at) / 60 + 1e-9);
        continue;
      }
      if (t > f.end) continue;
      const minutes = (t - f.at) / 60;
      switch (f.kind) {
        case 'bearing-wear':
          fx.vibration = max(fx.vibration, min(12, 2 * minutes));
          fx.bearingTemp = max(fx.bearingTemp, min(30, 3 * minutes));
          break;
        case 'brake-wear':
          fx.releaseTime = max(fx.releaseTime, min(600, 200 * minutes));
          fx.brakeWearRise = max(fx.brakeWearRise, 10 * minutes);
          break;
        case 'door-obstruction':
          fx.obstruction = max(fx.obstruction, this.byId.get(asset)!.p.obstructionBeams);
          break;
        case 'rope-stretch':
          fx.rope = max(fx.rope, min(0.6, 0.05 * minutes));
          break;
        case 'inverter-overheat':
          fx.inverterTemp = max(fx.inverterTemp, min(70, 8 * minutes));
          break;
      }
    }
    return fx;
  }
}

/**
 * The statuses the simulator has physics for, by status key. Numbers, not the keys themselves:
 * the hot loop switches on them, and keys parsed from YAML are not interned, so a string switch
 * would compare contents.
 */
enum Kind {
  Generic,
  VibrationRms,
  MotorCurrent,
  WindingTemp,
  BearingTemp,
  BrakeWear,
  ReleaseTime,
  GrooveWear,
  RopeElongation,
  BrokenWires,
  DoorCycles,
  DoorObstruction,
  CloseTime,
  ControllerFaults,
  CabinetTemp,
  InverterTemp,
  DcBusVoltage,
  OverspeedTrips,
  LoadPct,
}

const KIND_OF_KEY: ReadonlyMap<string, Kind> = new Map([
  ['vibration_rms', Kind.VibrationRms],
  ['motor_current', Kind.MotorCurrent],
  ['winding_temp', Kind.WindingTemp],
  ['bearing_temp', Kind.BearingTemp],
  ['brake_wear', Kind.BrakeWear],
  ['release_time', Kind.ReleaseTime],
  ['groove_wear', Kind.GrooveWear],
  ['rope_elongation', Kind.RopeElongation],
  ['broken_wires', Kind.BrokenWires],
  ['door_cycles', Kind.DoorCycles],
  ['door_obstruction', Kind.DoorObstruction],
  ['close_time', Kind.CloseTime],
  ['controller_faults', Kind.ControllerFaults],
  ['cabinet_temp', Kind.CabinetTemp],
  ['inverter_temp', Kind.InverterTemp],
  ['dc_bus_voltage', Kind.DcBusVoltage],
  ['overspeed_trips', Kind.OverspeedTrips],
  ['load_pct', Kind.LoadPct],
]);

function flattenStatus(part: string, s: StatusDef): FleetStatus {
  // Without a range in the model the simulator invents one (0..100 or 100 wide from the bound given),
  // so that readings, EURange and generic noise all have something to scale to.
  const low = s.min ?? (s.max !== undefined ? s.max - 100 : 0);
  const high = s.max ?? low + 100;
  return { part, key: s.key, ref: `${part}.${s.key}`, unit: s.unit, low, high, modelRange: s.min !== undefined && s.max !== undefined };
}

function genericCentre(s: FleetStatus): number {
  return s.low + 0.25 * (s.high - s.low);
}
