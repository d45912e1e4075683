// A deterministic fleet of passenger cars (pure: no I/O, no clock, no Math.random).
//
// Every vehicle has its own seeded PRNG stream (derived from the fleet seed and the vehicle's index), so a
// vehicle's samples do not depend on how many other vehicles there are, and the fleet advances in fixed steps of
// simulated time: the same model, seed, step and fault schedule give identical sequences.
//
// Per step a vehicle runs a driving cycle (urban and highway segments, stops with the engine idling), warms up from
// a cold start, heats its brakes, wears its parts (pads, shocks, tyres, belts, oil), then computes every status of
// the model from that state, applies the faults scheduled on it, adds measurement noise, clamps to the status's
// min/max and rounds. The cars are in continuous service (taxi-like duty): the ignition never goes off, because a
// parked car would report engine-off values (oil pressure 0) that the model's triggers read as faults.
import { PssModel } from '@pss/model';
import { FAULTS, FaultContext, FaultDef, FaultSpec, severity } from './faults';

// Math's functions bound once: the hot paths call them millions of times, and a global lookup of `Math` is slow
// inside a vm context (Jest runs tests in one), up to 20 times slower than a module binding.
const { sqrt, log, cos, sin, exp, max, min, floor, round: roundInt, PI } = Math;

// ---- PRNG: sfc32 seeded through splitmix32 -------------------------------------------------------------------

/** A small seeded PRNG (sfc32). `next()` is uniform in [0, 1). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller; always consumes two uniforms). */
  gauss(): number {
    const u = 1 - this.next();
    const v = this.next();
    return sqrt(-2 * log(u)) * cos(2 * PI * v);
  }
}

// ---- Status channels -------------------------------------------------------------------------------------------

export type MetricType = 'Double' | 'UInt32' | 'UInt64';

/** One status of the model as the simulator publishes it. */
export interface StatusChannel {
  /** `<part>.<status>`, as trigger conditions write it. */
  ref: string;
  part: string;
  key: string;
  unit?: string;
  min?: number;
  max?: number;
  /** Integer statuses (counts) are UInt32, or UInt64 when max exceeds 2^32 - 1; the rest Double. */
  type: MetricType;
  /** Published values are rounded to this many decimals. */
  decimals: number;
  /** Standard deviation of the measurement noise. */
  noise: number;
  /** Whether the vehicle model knows this status (false: a generic value near the low end of its range). */
  modelled: boolean;
}

const WHEELS = ['fl', 'fr', 'rl', 'rr'] as const;

type Phase = 'idle' | 'drive';

/** A vehicle's physical state. Temperatures in °C, speeds in km/h, times in simulated seconds. */
class VehicleState {
  // traits
  readonly ambientBase: number;
  readonly ambientPhase: number;
  readonly altNominal: number;
  readonly psBase: number;
  readonly coolantBase: number;
  readonly psFluid: number;
  readonly brakeFluidBase: number;
  readonly fuelPump: number;
  // driving cycle
  t = 0;
  phase: Phase = 'idle';
  phaseLeft: number;
  highway = false;
  target = 0;
  speed = 0;
  accel = 0;
  decelEnergy = 0;
  brakeDuty = 0;
  steer = 0.35;
  load = 0.08;
  rpm = 0.06;
  dist = 0;
  odometer: number;
  // temperatures
  ambient: number;
  coolant: number;
  oil: number;
  gearOil: number;
  diff: number;
  psTemp: number;
  cat: number;
  axleF: number;
  axleR: number;
  readonly bearing: number[];
  readonly disc: number[];
  readonly tyreT: number[];
  fanOn = false;
  // wear and levels
  readonly pad: number[];
  readonly damping: number[];
  readonly tread: number[];
  readonly tyreCold: number[];
  oilLife: number;
  belt: number;
  clutchWear: number;
  corrosionFrame: number;
  corrosionUnder: number;
  crack: number;
  moisture: number;
  fuel: number;
  soc: number;
  filterClog: number;
  knocks: number;
  busErrors: number;
  rackPlay: number;
  readonly joint: number[];
  // per-step samples of events
  brakePressure = 0;
  impact = 0.2;

  constructor(readonly rng: Rng) {
    const r = rng;
    this.ambientBase = r.range(0, 25);
    this.ambientPhase = r.range(0, 2 * PI);
    this.altNominal = r.range(13.9, 14.3);
    this.psBase = r.range(70, 80);
    this.coolantBase = r.range(55, 80);
    this.psFluid = r.range(85, 95);
    this.brakeFluidBase = r.range(85, 95);
    this.fuelPump = r.range(3.8, 4.1);
    this.phaseLeft = r.range(30, 120);
    this.odometer = r.range(5000, 120000);
    this.ambient = this.ambientAt(0);
    const a = this.ambient;
    this.coolant = a;
    this.oil = a;
    this.gearOil = a;
    this.diff = a;
    this.psTemp = a;
    this.cat = max(0, a);
    this.axleF = a;
    this.axleR = a;
    this.bearing = WHEELS.map(() => a);
    this.disc = WHEELS.map(() => a);
    this.tyreT = WHEELS.map(() => a);
    const frontPad = r.range(6.5, 11);
    const rearPad = r.range(6, 10);
    this.pad = WHEELS.map((_, i) => (i < 2 ? frontPad : rearPad) + r.range(-0.3, 0.3));
    this.damping = WHEELS.map(() => r.range(0, 15));
    this.tread = WHEELS.map(() => r.range(4, 8));
    const cold = r.range(2.2, 2.6);
    this.tyreCold = WHEELS.map(() => cold + r.range(-0.08, 0.05));
    this.oilLife = r.range(30, 95);
    this.belt = r.range(5, 60);
    this.clutchWear = r.range(5, 60);
    this.corrosionFrame = r.range(0, 8);
    this.corrosionUnder = r.range(0, 12);
    this.crack = r.next() < 0.9 ? 0 : r.range(0.1, 0.8);
    this.moisture = r.range(0.5, 2);
    this.fuel = r.range(30, 100);
    this.soc = r.range(65, 95);
    this.filterClog = r.range(5, 20);
    this.knocks = floor(r.range(0, 5000));
    this.busErrors = floor(r.range(0, 500));
    this.rackPlay = r.range(0.1, 0.4);
    this.joint = [r.range(0.05, 0.3), r.range(0.05, 0.3)];
  }

  ambientAt(t: number): number {
    return this.ambientBase + 5 * sin((2 * PI * t) / 86400 + this.ambientPhase);
  }

  /** Warm-up factor: 0 cold, 1 at operating temperature. */
  get warm(): number {
    const span = 88 - this.ambient;
    return span <= 1 ? 1 : clamp((this.coolant - this.ambient) / span, 0, 1);
  }

  step(dt: number): void {
    const r = this.rng;
    this.t += dt;
    this.ambient = this.ambientAt(this.t);

    // Driving cycle: segments of urban or highway driving, stops with the engine idling.
    this.phaseLeft -= dt;
    while (this.phaseLeft <= 0) {
      const refill = r.range(95, 100);
      if (this.fuel < 15) this.fuel = refill; // the next stop is at a filling station
      if (this.phase === 'drive' && r.next() < 0.55) {
        this.phase = 'idle';
        this.target = 0;
        this.phaseLeft += r.range(30, 240);
      } else {
        this.phase = 'drive';
        this.highway = r.next() < 0.3;
        this.target = this.highway ? r.range(90, 130) : r.range(20, 60);
        this.phaseLeft += this.highway ? r.range(300, 1800) : r.range(60, 480);
      }
    }
    const prev = this.speed;
    this.speed = relax(prev, this.target, 20, dt);
    this.accel = (this.speed - prev) / dt;
    this.decelEnergy = max(0, prev * prev - this.speed * this.speed);
    this.dist = (((prev + this.speed) / 2) * dt) / 3600;
    this.odometer += this.dist;
    const driving = this.phase === 'drive';
    this.brakeDuty = driving ? (this.highway ? 0.03 : 0.15) : 0.02;
    this.steer = driving ? (this.highway ? 0.15 : 0.6) : 0.35;
    this.load = clamp(0.08 + 0.55 * (this.speed / 130) ** 2 + 0.35 * clamp(this.accel / 4, 0, 1), 0, 1);
    this.rpm = clamp(0.06 + 0.7 * (this.speed / 130) + 0.15 * clamp(this.accel / 4, 0, 1), 0, 1);

    // Thermal state: first-order lags, exact for any step length.
    const amb = this.ambient;
    const warm = this.warm;
    this.coolant = relax(this.coolant, 87 + 4 * this.load + 0.12 * (amb - 15) - (this.fanOn ? 3 : 0), driving ? 360 : 600, dt);
    if (this.coolant > 90.5) this.fanOn = true;
    else if (this.coolant < 88) this.fanOn = false;
    this.oil = relax(this.oil, this.coolant + 4 + 12 * this.load, 720, dt);
    this.gearOil = relax(this.gearOil, amb + warm * (40 + 20 * this.load) + 0.08 * this.speed, 900, dt);
    this.diff = relax(this.diff, amb + warm * 18 + 0.28 * this.speed, 900, dt);
    this.psTemp = relax(this.psTemp, amb + warm * (35 + 12 * this.steer), 900, dt);
    this.cat = relax(this.cat, amb + warm * (360 + 330 * this.load), 180, dt);
    this.axleF = relax(this.axleF, amb + 4 + 0.12 * this.speed, 600, dt);
    this.axleR = relax(this.axleR, amb + 3 + 0.1 * this.speed, 600, dt);
    const discTau = 400 / (1 + this.speed / 40);
    for (let i = 0; i < 4; i++) {
      const share = i < 2 ? 1 : 0.6;
      this.disc[i] += 0.012 * this.decelEnergy * share;
      this.disc[i] = relax(this.disc[i], amb + 900 * this.brakeDuty * (this.speed / 50) * share, discTau, dt);
      this.bearing[i] = relax(this.bearing[i], amb + 6 + 0.2 * this.speed + 0.1 * (this.disc[i] - amb), 480, dt);
      this.tyreT[i] = relax(this.tyreT[i], amb + 0.22 * this.speed, 600, dt);
    }

    // Wear, levels, counters.
    const km = this.dist;
    const hours = dt / 3600;
    for (let i = 0; i < 4; i++) {
      const front = i < 2;
      this.pad[i] = max(0, this.pad[i] - km * this.brakeDuty * (front ? 1.5e-3 : 1.0e-3) - this.decelEnergy * 2e-8 * (front ? 1 : 0.6));
      this.damping[i] += km * (front ? 4e-4 : 3e-4);
      this.tread[i] = max(0, this.tread[i] - km / (front ? 12000 : 18000));
      this.tyreCold[i] -= hours * 1.4e-4;
    }
    this.oilLife = max(0, this.oilLife - (km * 100) / 15000 - (driving ? 0 : hours * 0.1));
    this.belt += (km * 100) / 100000;
    this.clutchWear += ((km * 100) / 150000) * (this.highway ? 0.5 : 1.5);
    this.corrosionFrame += hours * 1.14e-4;
    this.corrosionUnder += hours * 1.5e-4;
    this.crack += km * 1e-7;
    this.moisture += hours * 1.14e-4;
    this.fuel = max(0, this.fuel - ((km * 7) / 100 + (driving ? 0 : hours * 0.8)) * 2);
    this.soc = relax(this.soc, 95, 7200, dt);
    this.filterClog += (km * 10) / 10000;
    this.rackPlay += (km * 0.1) / 20000;
    this.joint[0] += (km * 0.1) / 25000;
    this.joint[1] += (km * 0.1) / 25000;
    this.knocks += poisson(r, (0.2 + 1.5 * this.load * this.load) * (dt / 60));
    this.busErrors += poisson(r, 2 * hours);

    // Sampled events: brake pressure at the sample instant, the largest road impact since the last sample.
    const braking = r.next() < this.brakeDuty || this.accel < -1;
    const pressure = r.range(5, 35);
    this.brakePressure = braking ? pressure + 2 * max(0, -this.accel) : 0;
    const pothole = driving && r.next() < 1 - exp(-dt / 600);
    const bump = r.range(0.8, 2.2);
    this.impact = 0.2 + 0.006 * this.speed + (pothole ? bump : 0);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function relax(x: number, target: number, tau: number, dt: number): number {
  return x + (target - x) * (1 - exp(-dt / tau));
}

/** A Poisson-like count (normal approximation, never negative); always consumes one gaussian. */
function poisson(r: Rng, mean: number): number {
  const g = r.gauss();
  return max(0, roundInt(mean + sqrt(mean) * g));
}

// ---- The passenger-car statuses ----------------------------------------------------------------------------------

interface Behaviour {
  value: (v: VehicleState) => number;
  noise: number;
  decimals: number;
}

const b = (value: (v: VehicleState) => number, noise: number, decimals: number): Behaviour => ({ value, noise, decimals });

function frontVibration(v: VehicleState): number {
  return (0.4 + 0.032 * v.speed) * (1 + (0.9 * (v.damping[0] + v.damping[1])) / 2 / 100);
}

function rearVibration(v: VehicleState): number {
  return (0.4 + 0.03 * v.speed) * (1 + (0.9 * (v.damping[2] + v.damping[3])) / 2 / 100);
}

function thermostat(v: VehicleState): number {
  return clamp((v.coolant - 80) / 8, 0, 1);
}

/** What the vehicle model computes for each status of examples/passenger-car.model.yaml, before noise. */
export const BEHAVIOURS: Readonly<Record<string, Behaviour>> = {
  'p.running.frame.crack_len': b((v) => v.crack, 0.005, 2),
  'p.running.frame.corrosion_pct': b((v) => v.corrosionFrame, 0.02, 2),
  'p.running.axle-front.vibration_rms': b(frontVibration, 0.15, 2),
  'p.running.axle-front.temperature': b((v) => v.axleF, 0.3, 1),
  'p.running.axle-rear.vibration_rms': b(rearVibration, 0.15, 2),
  'p.running.axle-rear.temperature': b((v) => v.axleR, 0.3, 1),
  ...Object.fromEntries(WHEELS.map((w, i) => [`p.running.wheel-bearing-${w}.temperature`, b((v) => v.bearing[i], 0.3, 1)])),
  ...Object.fromEntries(WHEELS.map((w, i) => [`p.running.shock-${w}.damping_loss`, b((v) => v.damping[i], 0.1, 2)])),
  ...Object.fromEntries(
    WHEELS.flatMap((w, i) => [
      [`p.running.tyre-${w}.pressure`, b((v) => (v.tyreCold[i] * (273 + v.tyreT[i])) / (273 + v.ambient), 0.01, 3)],
      [`p.running.tyre-${w}.tread_depth`, b((v) => v.tread[i], 0.02, 2)],
    ]),
  ),
  'p.steering.wheel.free_play': b((v) => 2 + 6 * v.rackPlay + 5 * (v.joint[0] + v.joint[1]), 0.3, 1),
  'p.steering.rack.rack_play': b((v) => v.rackPlay, 0.01, 3),
  'p.steering.tie-rod-end-l.joint_play': b((v) => v.joint[0], 0.01, 3),
  'p.steering.tie-rod-end-r.joint_play': b((v) => v.joint[1], 0.01, 3),
  'p.steering.ps-pump.pressure': b((v) => v.psBase + 18 * v.steer, 3, 1),
  'p.steering.ps-pump.temperature': b((v) => v.psTemp, 0.3, 1),
  'p.steering.ps-reservoir.fluid_level': b((v) => v.psFluid + 3 * v.warm, 0.2, 1),
  'p.braking.master-cylinder.pressure': b((v) => v.brakePressure, 0.2, 1),
  'p.braking.fluid-reservoir.fluid_level': b((v) => v.brakeFluidBase - 1.5 * (11 - (v.pad[0] + v.pad[1]) / 2), 0.2, 1),
  'p.braking.fluid-reservoir.moisture': b((v) => v.moisture, 0.01, 2),
  'p.braking.abs-unit.fault_count': b(() => 0, 0, 0),
  ...Object.fromEntries(WHEELS.map((w, i) => [`p.braking.disc-${w}.temperature`, b((v) => v.disc[i], 1, 1)])),
  ...Object.fromEntries(WHEELS.map((w, i) => [`p.braking.pad-${w}.pad_thickness`, b((v) => v.pad[i], 0.02, 2)])),
  'p.engine.block.oil_pressure': b((v) => 1.5 + 2.5 * v.rpm + 1.2 * (1 - v.warm), 0.05, 2),
  'p.engine.block.oil_temp': b((v) => v.oil, 0.3, 1),
  'p.engine.block.oil_life': b((v) => v.oilLife, 0, 2),
  'p.engine.crankshaft.vibration_rms': b((v) => 0.8 + 1.6 * v.rpm, 0.1, 2),
  'p.engine.timing-belt.wear': b((v) => v.belt, 0, 2),
  'p.engine.air-filter.pressure_drop': b((v) => v.filterClog * (0.2 + 1.3 * v.load), 0.3, 1),
  'p.engine.turbocharger.boost_pressure': b((v) => 0.05 + 1.4 * v.load, 0.02, 3),
  'p.engine.fuel-pump.pressure': b((v) => v.fuelPump + 0.2 * v.load, 0.03, 2),
  'p.engine.fuel-tank.level': b((v) => v.fuel, 0.2, 1),
  'p.engine.ecu.fault_count': b(() => 0, 0, 0),
  'p.engine.knock-sensor.knock_count': b((v) => v.knocks, 0, 0),
  'p.engine.catalytic-converter.temperature': b((v) => v.cat, 2, 1),
  'p.transmission.gearbox.oil_temp': b((v) => v.gearOil, 0.3, 1),
  'p.transmission.gearbox.vibration_rms': b((v) => 0.6 + 1.2 * v.rpm, 0.08, 2),
  'p.transmission.clutch.slip_pct': b((v) => 0.2 + 1.5 * clamp(v.accel / 4, 0, 1), 0.05, 2),
  'p.transmission.clutch.wear': b((v) => v.clutchWear, 0, 2),
  'p.transmission.tcu.fault_count': b(() => 0, 0, 0),
  'p.transmission.differential.temperature': b((v) => v.diff, 0.3, 1),
  'p.electrical.battery.voltage': b((v) => v.altNominal - 0.12 - (v.fanOn ? 0.1 : 0), 0.03, 2),
  'p.electrical.battery.soc': b((v) => v.soc, 0.1, 1),
  'p.electrical.alternator.output_voltage': b((v) => v.altNominal - (v.fanOn ? 0.1 : 0), 0.04, 2),
  'p.electrical.bcm.fault_count': b(() => 0, 0, 0),
  'p.electrical.can-gateway.bus_errors': b((v) => v.busErrors, 0, 0),
  'p.cooling.radiator.inlet_temp': b((v) => v.coolant - 1, 0.3, 1),
  'p.cooling.radiator.outlet_temp': b((v) => {
    const open = thermostat(v);
    const airflow = min(1, v.speed / 80 + (v.fanOn ? 0.6 : 0));
    return v.coolant - 1 - (open * (5.5 + 7 * airflow) + (1 - open) * 0.6 * max(0, v.coolant - 1 - v.ambient));
  }, 0.2, 1),
  'p.cooling.water-pump.vibration_rms': b((v) => 0.5 + 0.9 * v.rpm, 0.05, 2),
  'p.cooling.fan.current': b((v) => (v.fanOn ? 9.5 : 0), 0.2, 2),
  'p.cooling.expansion-tank.coolant_level': b((v) => v.coolantBase + 8 * v.warm, 0.3, 1),
  'p.cooling.coolant-sensor.coolant_temp': b((v) => v.coolant, 0.3, 1),
  'p.body.shell.impact_g': b((v) => v.impact, 0.05, 2),
  'p.body.underbody.corrosion_pct': b((v) => v.corrosionUnder, 0.02, 2),
};

function decimalsFor(min: number | undefined, max: number | undefined): number {
  if (min === undefined || max === undefined) return 2;
  const span = max - min;
  return span <= 10 ? 3 : span <= 200 ? 2 : 1;
}

/** The status channels of a model, in model order. */
export function statusChannels(model: PssModel): StatusChannel[] {
  return model.parts.flatMap((part) =>
    part.statuses.map((s): StatusChannel => {
      const ref = `${part.id}.${s.key}`;
      const known = BEHAVIOURS[ref];
      const integer = s.unit === 'count';
      const type: MetricType = integer ? ((s.max ?? Infinity) > 4294967295 ? 'UInt64' : 'UInt32') : 'Double';
      const span = s.min !== undefined && s.max !== undefined ? s.max - s.min : 100;
      return {
        ref,
        part: part.id,
        key: s.key,
        ...(s.unit !== undefined ? { unit: s.unit } : {}),
        ...(s.min !== undefined ? { min: s.min } : {}),
        ...(s.max !== undefined ? { max: s.max } : {}),
        type,
        decimals: integer ? 0 : (known?.decimals ?? decimalsFor(s.min, s.max)),
        noise: integer ? 0 : (known?.noise ?? span * 0.002),
        modelled: known !== undefined,
      };
    }),
  );
}

/** The generic value of a status the vehicle model does not know: 20 % into its range (0 without one). */
function genericValue(c: StatusChannel): number {
  if (c.min !== undefined && c.max !== undefined) return c.min + 0.2 * (c.max - c.min);
  return c.min ?? 0;
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const y = roundInt(x * f) / f;
  return y === 0 ? 0 : y; // no -0 in JSON
}

// ---- Vehicles and the fleet -------------------------------------------------------------------------------------

/** `car-0001` for index 0. */
export function vehicleId(index: number, prefix = 'car-'): string {
  return `${prefix}${String(index + 1).padStart(4, '0')}`;
}

interface ScheduledFault {
  spec: FaultSpec;
  def: FaultDef;
  ramp: number;
}

export interface VehicleFrame {
  vehicle: string;
  /** Values by channel index (FleetFrame order = Fleet.channels order). */
  values: Float64Array;
  /** Not published (the model has no such status); for tests and logs. */
  speed: number;
  phase: Phase;
  /** Faults past their onset, with their severity. */
  faults: { fault: string; severity: number }[];
}

export interface FleetFrame {
  /** 0 for the initial state, then 1, 2, ... */
  step: number;
  /** Simulated seconds since the start. */
  elapsed: number;
  /** The samples' time: start + elapsed, in ms since the epoch. */
  time: number;
  vehicles: VehicleFrame[];
}

export interface FleetOptions {
  model: PssModel;
  vehicles: number;
  seed: number;
  /** Simulated seconds per step (> 0): time scale / samples per wall-clock second. */
  stepSeconds: number;
  /** ms since the epoch of the first frame (default 0). Shifts timestamps only, never values. */
  start?: number;
  faults?: readonly FaultSpec[];
  /** Vehicle ids are `${prefix}0001`, ... (default `car-`). */
  idPrefix?: string;
}

/** A fleet that cannot be built as asked (bad size, step, or a fault the model or fleet cannot take). */
export class FleetConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetConfigError';
  }
}

class Vehicle {
  readonly state: VehicleState;
  private readonly clean: Float64Array;

  constructor(
    readonly id: string,
    readonly index: number,
    seed: number,
    private readonly channels: readonly StatusChannel[],
    private readonly refIndex: ReadonlyMap<string, number>,
    private readonly faults: readonly ScheduledFault[],
  ) {
    this.state = new VehicleState(new Rng(seed, index));
    this.clean = new Float64Array(channels.length);
  }

  frame(elapsed: number, dt: number): VehicleFrame {
    const v = this.state;
    const channels = this.channels;
    for (let i = 0; i < channels.length; i++) {
      const behaviour = BEHAVIOURS[channels[i].ref];
      this.clean[i] = behaviour ? behaviour.value(v) : genericValue(channels[i]);
    }
    const active: VehicleFrame['faults'] = [];
    for (const f of this.faults) {
      const since = elapsed - f.spec.onset;
      if (since < 0) continue;
      const s = severity(since, f.ramp);
      active.push({ fault: f.spec.fault, severity: s });
      const ctx: FaultContext = {
        s,
        sinceOnset: since,
        dt,
        speed: v.speed,
        get: (ref) => this.clean[this.refIndex.get(ref)!],
        set: (ref, value) => {
          this.clean[this.refIndex.get(ref)!] = value;
        },
      };
      f.def.apply(ctx);
    }
    const values = new Float64Array(channels.length);
    for (let i = 0; i < channels.length; i++) {
      const c = channels[i];
      const noisy = this.clean[i] + c.noise * v.rng.gauss(); // one draw per status and step, noisy or not
      values[i] = round(clamp(noisy, c.min ?? -Infinity, c.max ?? Infinity), c.decimals);
    }
    return { vehicle: this.id, values, speed: v.speed, phase: v.phase, faults: active };
  }
}

export class Fleet {
  readonly channels: readonly StatusChannel[];
  readonly vehicleIds: readonly string[];
  readonly stepSeconds: number;
  readonly start: number;
  private readonly vehicles: Vehicle[];
  private stepCount = 0;

  constructor(options: FleetOptions) {
    const { model, seed } = options;
    if (!Number.isInteger(options.vehicles) || options.vehicles < 1) throw new FleetConfigError(`vehicles must be an integer >= 1, got ${options.vehicles}`);
    if (!(options.stepSeconds > 0) || !Number.isFinite(options.stepSeconds)) throw new FleetConfigError(`stepSeconds must be a finite number > 0, got ${options.stepSeconds}`);
    this.stepSeconds = options.stepSeconds;
    this.start = options.start ?? 0;
    this.channels = statusChannels(model);
    const refIndex = new Map(this.channels.map((c, i) => [c.ref, i]));
    const ids = Array.from({ length: options.vehicles }, (_, i) => vehicleId(i, options.idPrefix));
    this.vehicleIds = ids;
    const byVehicle = new Map<string, ScheduledFault[]>();
    for (const spec of options.faults ?? []) {
      if (!ids.includes(spec.vehicle)) throw new FleetConfigError(`fault ${spec.fault}: no vehicle "${spec.vehicle}" in a fleet of ${ids.length} (${ids[0]} … ${ids[ids.length - 1]})`);
      const def = FAULTS[spec.fault];
      const missing = def.statuses.filter((ref) => !refIndex.has(ref));
      if (missing.length) throw new FleetConfigError(`fault ${spec.fault} needs statuses the model "${model.name}" does not have: ${missing.join(', ')}`);
      if (!model.triggers.some((t) => t.id === def.trigger)) throw new FleetConfigError(`fault ${spec.fault} is meant for trigger ${def.trigger}, which the model "${model.name}" does not have`);
      if (!(spec.onset >= 0)) throw new FleetConfigError(`fault ${spec.fault} on ${spec.vehicle}: onset must be >= 0 s, got ${spec.onset}`);
      const list = byVehicle.get(spec.vehicle) ?? [];
      list.push({ spec, def, ramp: spec.ramp ?? def.ramp });
      byVehicle.set(spec.vehicle, list);
    }
    this.vehicles = ids.map((id, i) => new Vehicle(id, i, seed >>> 0, this.channels, refIndex, byVehicle.get(id) ?? []));
  }

  /** Simulated seconds of the next frame `next()` returns. */
  get elapsed(): number {
    return this.stepCount * this.stepSeconds;
  }

  /** The next frame: the initial state first, then one step of simulated time further each call. */
  next(): FleetFrame {
    const step = this.stepCount++;
    const dt = this.stepSeconds;
    const elapsed = step * dt;
    if (step > 0) for (const v of this.vehicles) v.state.step(dt);
    return {
      step,
      elapsed,
      time: this.start + roundInt(elapsed * 1000),
      vehicles: this.vehicles.map((v) => v.frame(elapsed, dt)),
    };
  }

  /** A vehicle frame's values keyed by `<part>.<status>`. */
  valuesOf(frame: VehicleFrame): Record<string, number> {
    const out: Record<string, number> = {};
    this.channels.forEach((c, i) => {
      out[c.ref] = frame.values[i];
    });
    return out;
  }
}
