// Fault injection for the vehicle fleet (pure). Each fault drives one or more statuses of the passenger-car
// model from their healthy value to a faulty target over a ramp of simulated time, so that one known trigger of
// examples/passenger-car.model.yaml fires at the latest by `onset + ramp` (+ the condition's window for avg()).
//
// Severity s grows linearly from 0 at the onset to 1 at onset + ramp; a faulted status is
// `(1 - s) * healthy + s * target`, then the status's ordinary measurement noise is added. At s = 1 the value
// sits at the target, far enough beyond the threshold that the noise cannot bring it back.
import { formatDuration, parseDuration } from '@pss/triggers';

export const FAULT_NAMES = [
  'brake-wear',
  'axle-bearing',
  'shock-wear',
  'steering-play',
  'oil-leak',
  'clutch-slip',
  'alternator',
  'coolant-leak',
  'impact',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

/** One fault scheduled on one vehicle; times in simulated seconds since the simulation start. */
export interface FaultSpec {
  vehicle: string;
  fault: FaultName;
  onset: number;
  /** Default: the fault's own ramp (FaultDef.ramp). */
  ramp?: number;
}

/** What a fault sees and changes while a vehicle computes one frame. Values are before noise and clamping. */
export interface FaultContext {
  /** Severity: 0 at the onset, 1 from onset + ramp on. */
  readonly s: number;
  /** Simulated seconds since the onset (>= 0). */
  readonly sinceOnset: number;
  /** Simulated seconds per step. */
  readonly dt: number;
  /** The vehicle's speed in km/h. */
  readonly speed: number;
  get(ref: string): number;
  set(ref: string, value: number): void;
}

export interface FaultDef {
  name: FaultName;
  description: string;
  /** The trigger of the passenger-car model that this fault makes fire. */
  trigger: string;
  /** The clause of the trigger's condition that becomes true. */
  clause: string;
  /** Default ramp in simulated seconds (0: the fault is a single event at the onset). */
  ramp: number;
  /** Extra delay after onset + ramp for window conditions (avg over 10m: 600 s). */
  window: number;
  /** Every status the fault reads or writes (`<part>.<status>`): the model must have them. */
  statuses: readonly string[];
  apply(ctx: FaultContext): void;
}

const lerp = (healthy: number, target: number, s: number): number => healthy + (target - healthy) * s;

function towards(ctx: FaultContext, ref: string, target: number): void {
  ctx.set(ref, lerp(ctx.get(ref), target, ctx.s));
}

const H = 3600;

export const FAULTS: Readonly<Record<FaultName, FaultDef>> = {
  'brake-wear': {
    name: 'brake-wear',
    description: 'front-left caliper sticks: pad-fl wears down to 1.5 mm, disc-fl runs up to 60 °C hotter',
    trigger: 'ss.braking',
    clause: 'p.braking.pad-fl.pad_thickness < 3',
    ramp: 2 * H,
    window: 0,
    statuses: ['p.braking.pad-fl.pad_thickness', 'p.braking.disc-fl.temperature'],
    apply(ctx) {
      towards(ctx, 'p.braking.pad-fl.pad_thickness', 1.5);
      ctx.set('p.braking.disc-fl.temperature', ctx.get('p.braking.disc-fl.temperature') + 60 * ctx.s);
    },
  },
  'axle-bearing': {
    name: 'axle-bearing',
    description: 'front axle / front-left wheel bearing damage: axle-front vibration +9 mm/s (+0.04 per km/h), axle and bearing temperatures rise',
    trigger: 'ss.running',
    clause: "avg(p.running.axle-front.vibration_rms, '10m') > 7.1",
    ramp: 2 * H,
    window: 600,
    statuses: ['p.running.axle-front.vibration_rms', 'p.running.axle-front.temperature', 'p.running.wheel-bearing-fl.temperature'],
    apply(ctx) {
      // Added, not blended: at s = 1 even a stopped car reads > 9 mm/s, so every 10-minute average is > 7.1.
      ctx.set('p.running.axle-front.vibration_rms', ctx.get('p.running.axle-front.vibration_rms') + ctx.s * (9 + 0.04 * ctx.speed));
      ctx.set('p.running.axle-front.temperature', ctx.get('p.running.axle-front.temperature') + 35 * ctx.s);
      ctx.set('p.running.wheel-bearing-fl.temperature', ctx.get('p.running.wheel-bearing-fl.temperature') + 70 * ctx.s);
    },
  },
  'shock-wear': {
    name: 'shock-wear',
    description: 'front-left shock absorber leaks: damping loss to 48 %, front axle vibration rises with it',
    trigger: 'ss.running',
    clause: 'p.running.shock-fl.damping_loss > 30',
    ramp: 6 * H,
    window: 0,
    statuses: ['p.running.shock-fl.damping_loss', 'p.running.axle-front.vibration_rms'],
    apply(ctx) {
      const before = ctx.get('p.running.shock-fl.damping_loss');
      towards(ctx, 'p.running.shock-fl.damping_loss', 48);
      const added = ctx.get('p.running.shock-fl.damping_loss') - before;
      // Same coupling as the healthy model: vibration × (1 + 0.9 × mean front damping loss / 100).
      ctx.set('p.running.axle-front.vibration_rms', ctx.get('p.running.axle-front.vibration_rms') * (1 + (0.45 * added) / 100));
    },
  },
  'steering-play': {
    name: 'steering-play',
    description: 'left tie-rod end joint wears out: joint play to 1.8 mm, steering-wheel free play grows with it',
    trigger: 'ss.steering',
    clause: 'p.steering.tie-rod-end-l.joint_play > 1',
    ramp: 4 * H,
    window: 0,
    statuses: ['p.steering.tie-rod-end-l.joint_play', 'p.steering.wheel.free_play'],
    apply(ctx) {
      const before = ctx.get('p.steering.tie-rod-end-l.joint_play');
      towards(ctx, 'p.steering.tie-rod-end-l.joint_play', 1.8);
      ctx.set('p.steering.wheel.free_play', ctx.get('p.steering.wheel.free_play') + 5 * (ctx.get('p.steering.tie-rod-end-l.joint_play') - before));
    },
  },
  'oil-leak': {
    name: 'oil-leak',
    description: 'engine oil leak: oil pressure falls to 0.4 bar, oil runs up to 10 °C hotter',
    trigger: 'ss.engine',
    clause: 'p.engine.block.oil_pressure < 1',
    ramp: 2 * H,
    window: 0,
    statuses: ['p.engine.block.oil_pressure', 'p.engine.block.oil_temp'],
    apply(ctx) {
      towards(ctx, 'p.engine.block.oil_pressure', 0.4);
      ctx.set('p.engine.block.oil_temp', ctx.get('p.engine.block.oil_temp') + 10 * ctx.s);
    },
  },
  'clutch-slip': {
    name: 'clutch-slip',
    description: 'clutch slips: slip to 12 %, gearbox oil up to 10 °C hotter',
    trigger: 'ss.transmission',
    clause: 'p.transmission.clutch.slip_pct > 5',
    ramp: 3 * H,
    window: 0,
    statuses: ['p.transmission.clutch.slip_pct', 'p.transmission.gearbox.oil_temp'],
    apply(ctx) {
      towards(ctx, 'p.transmission.clutch.slip_pct', 12);
      ctx.set('p.transmission.gearbox.oil_temp', ctx.get('p.transmission.gearbox.oil_temp') + 10 * ctx.s);
    },
  },
  alternator: {
    name: 'alternator',
    description: 'alternator fails: output to 12.0 V, the battery discharges (11.4 V, 35 % charge)',
    trigger: 'ss.electrical',
    clause: "min(p.electrical.battery.voltage, '1h') < 11.8",
    ramp: 2 * H,
    window: 0,
    statuses: ['p.electrical.alternator.output_voltage', 'p.electrical.battery.voltage', 'p.electrical.battery.soc'],
    apply(ctx) {
      towards(ctx, 'p.electrical.alternator.output_voltage', 12.0);
      towards(ctx, 'p.electrical.battery.voltage', 11.4);
      towards(ctx, 'p.electrical.battery.soc', 35);
    },
  },
  'coolant-leak': {
    name: 'coolant-leak',
    description: 'coolant leak: expansion tank level falls to 8 %, coolant up to 6 °C hotter',
    trigger: 'ss.cooling',
    clause: 'p.cooling.expansion-tank.coolant_level < 20',
    ramp: 3 * H,
    window: 0,
    statuses: ['p.cooling.expansion-tank.coolant_level', 'p.cooling.coolant-sensor.coolant_temp'],
    apply(ctx) {
      towards(ctx, 'p.cooling.expansion-tank.coolant_level', 8);
      ctx.set('p.cooling.coolant-sensor.coolant_temp', ctx.get('p.cooling.coolant-sensor.coolant_temp') + 6 * ctx.s);
    },
  },
  impact: {
    name: 'impact',
    description: 'collision: a single 9.5 g body impact in the first sample at or after the onset',
    trigger: 'ss.body',
    clause: "max(p.body.shell.impact_g, '1h') > 4",
    ramp: 0,
    window: 0,
    statuses: ['p.body.shell.impact_g'],
    apply(ctx) {
      if (ctx.sinceOnset < ctx.dt) ctx.set('p.body.shell.impact_g', 9.5);
    },
  },
};

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** Severity of a fault `sinceOnset` simulated seconds after its onset (negative: not yet). */
export function severity(sinceOnset: number, ramp: number): number {
  if (sinceOnset < 0) return 0;
  if (ramp <= 0) return 1;
  return Math.min(1, sinceOnset / ramp);
}

/** Simulated seconds after the onset by which the fault's trigger has fired at the latest (plus one step). */
export function firesWithin(spec: FaultSpec): number {
  const def = FAULTS[spec.fault];
  return (spec.ramp ?? def.ramp) + def.window;
}

/** A duration: a bare number of seconds or units as in trigger conditions ('90s', '10m', '1h30m', '2d'). */
export function parseSeconds(text: string): { seconds: number } | { error: string } {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return { seconds: Number(trimmed) };
  const parsed = parseDuration(trimmed);
  if ('error' in parsed) return parsed;
  return { seconds: parsed.ms / 1000 };
}

/** '1h30m' for 5400; fractions of a second are kept in ms. */
export function formatSeconds(seconds: number): string {
  return formatDuration(Math.round(seconds * 1000));
}

const FAULT_SYNTAX = '<vehicle>:<fault>@<onset>[/<ramp>], e.g. car-0003:brake-wear@60 or car-0003:brake-wear@2h/30m';

/** Parses `car-0003:brake-wear@60` (onset 60 simulated seconds) or `car-0003:brake-wear@2h/30m` (ramp 30 min). */
export function parseFaultSpec(text: string): { ok: true; value: FaultSpec } | { ok: false; error: string } {
  const m = /^([^:@/\s]+):([^:@/\s]+)@([^/]+)(?:\/(.+))?$/.exec(text.trim());
  if (!m) return { ok: false, error: `cannot read fault "${text}": write ${FAULT_SYNTAX}` };
  const [, vehicle, fault, onsetText, rampText] = m;
  if (!isFaultName(fault)) return { ok: false, error: `unknown fault "${fault}" in "${text}" (known: ${FAULT_NAMES.join(', ')})` };
  const onset = parseSeconds(onsetText);
  if ('error' in onset) return { ok: false, error: `fault "${text}": onset: ${onset.error}` };
  const spec: FaultSpec = { vehicle, fault, onset: onset.seconds };
  if (rampText !== undefined) {
    const ramp = parseSeconds(rampText);
    if ('error' in ramp) return { ok: false, error: `fault "${text}": ramp: ${ramp.error}` };
    spec.ramp = ramp.seconds;
  }
  return { ok: true, value: spec };
}

/** One line for humans: what the fault does and when its trigger fires at the latest. */
export function describeFault(spec: FaultSpec): string {
  const def = FAULTS[spec.fault];
  const ramp = spec.ramp ?? def.ramp;
  const by = spec.onset + firesWithin(spec);
  const rampText = ramp > 0 ? ` over ${formatSeconds(ramp)}` : '';
  return `${spec.vehicle}: ${spec.fault} from sim +${formatSeconds(spec.onset)}${rampText} (${def.description}); ${def.trigger} fires (${def.clause}) by sim +${formatSeconds(by)}`;
}
