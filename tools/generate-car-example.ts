// Generates examples/passenger-car.model.yaml and examples/passenger-car.problem.yaml: the seed
// paper's (004) passenger-car case at its published scale -- 193 parts, 8 service triggers and flows
// with 80 service activities, 20 resource kinds with 70 personnel and 50 equipment resources -- and
// its configuration task (trigger matrix [1 1 0 0 0 0 0 0]: running and steering system maintenance).
//
// The paper printed the case's data only as figures, so every name and number here is ours: the
// structure (systems, parts, flows, resources) is written out below, and the numbers the paper
// shows as matrices (cost rates, thetas, reliabilities) come from a seeded PRNG. The output is
// byte-for-byte the same on every run.
//
//   npm run examples:car
import { writeFileSync } from 'fs';
import { join } from 'path';
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';

const SEED = 20_170_004;
const OUT_DIR = join(__dirname, '..', 'examples');
const MODEL_FILE = 'passenger-car.model.yaml';
const PROBLEM_FILE = 'passenger-car.problem.yaml';

// ---------------------------------------------------------------------------------------------
// Deterministic PRNG (mulberry32) and helpers.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(SEED);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
const intBetween = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const round = (x: number, digits: number) => Number(x.toFixed(digits));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`generate-car-example: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Product layer: 193 parts in eight systems.

interface StatusOut {
  key: string;
  unit: string;
  min: number;
  max: number;
}
interface PartOut {
  id: string;
  name: string;
  info: Record<string, string>;
  statuses?: StatusOut[];
}

const S = (key: string, unit: string, min: number, max: number): StatusOut => ({ key, unit, min, max });
const VIBRATION = S('vibration_rms', 'mm/s', 0, 50);

/** Positions used to expand one part spec into several parts. */
const WHEELS: [string, string][] = [['fl', 'front left'], ['fr', 'front right'], ['rl', 'rear left'], ['rr', 'rear right']];
const FRONT_WHEELS = WHEELS.slice(0, 2);
const SIDES: [string, string][] = [['l', 'left'], ['r', 'right']];
const CYLINDERS: [string, string][] = [['1', 'cylinder 1'], ['2', 'cylinder 2'], ['3', 'cylinder 3'], ['4', 'cylinder 4']];

const parts: PartOut[] = [];
const partIds = new Set<string>();

function part(system: string, local: string, name: string, material: string, statuses?: StatusOut[], extra: Record<string, string> = {}): string {
  const id = `p.${system}.${local}`;
  check(!partIds.has(id), `duplicate part ${id}`);
  partIds.add(id);
  parts.push({ id, name, info: { system, material, ...extra }, ...(statuses?.length ? { statuses } : {}) });
  return id;
}

/** One part per position: `local-<pos>`, "<Name> (<position>)". */
function parts4(system: string, local: string, name: string, material: string, positions: [string, string][], statuses?: StatusOut[]): string[] {
  return positions.map(([pos, label]) => part(system, `${local}-${pos}`, `${name} (${label})`, material, statuses));
}

// Running system (driving gear).
part('running', 'frame', 'Frame', 'high-strength steel', [S('crack_len', 'mm', 0, 50), S('corrosion_pct', '%', 0, 100)], { role: 'load-bearing base of the whole car' });
part('running', 'subframe-front', 'Front subframe', 'steel');
part('running', 'axle-front', 'Front axle', 'forged steel', [VIBRATION, S('temperature', 'C', -40, 150)]);
part('running', 'axle-rear', 'Rear axle (multi-link)', 'forged steel', [VIBRATION, S('temperature', 'C', -40, 150)]);
parts4('running', 'hub', 'Wheel hub', 'cast iron', WHEELS);
parts4('running', 'wheel-bearing', 'Wheel bearing', 'bearing steel', WHEELS, [S('temperature', 'C', -40, 200)]);
parts4('running', 'knuckle', 'Steering knuckle', 'cast iron', FRONT_WHEELS);
parts4('running', 'control-arm', 'Lower control arm', 'stamped steel', WHEELS);
parts4('running', 'coil-spring', 'Coil spring', 'spring steel', WHEELS);
parts4('running', 'shock', 'Shock absorber', 'steel / hydraulic oil', WHEELS, [S('damping_loss', '%', 0, 100)]);
part('running', 'stabilizer-front', 'Front stabilizer bar', 'spring steel');
part('running', 'stabilizer-rear', 'Rear stabilizer bar', 'spring steel');
parts4('running', 'wheel', 'Wheel rim', 'aluminium alloy', WHEELS);
parts4('running', 'tyre', 'Tyre', 'rubber', WHEELS, [S('pressure', 'bar', 0, 4.5), S('tread_depth', 'mm', 0, 10)]);
parts4('running', 'tpms', 'Tyre pressure sensor', 'electronics', WHEELS);

// Steering system.
part('steering', 'wheel', 'Steering wheel', 'magnesium / leather', [S('free_play', 'deg', 0, 90)]);
part('steering', 'column', 'Steering column', 'steel');
part('steering', 'intermediate-shaft', 'Intermediate shaft', 'steel');
part('steering', 'rack', 'Steering rack and pinion', 'steel / aluminium', [S('rack_play', 'mm', 0, 10)]);
parts4('steering', 'tie-rod', 'Tie rod', 'steel', SIDES);
parts4('steering', 'tie-rod-end', 'Tie-rod end', 'steel', SIDES, [S('joint_play', 'mm', 0, 5)]);
parts4('steering', 'rack-boot', 'Rack boot', 'rubber', SIDES);
part('steering', 'ps-pump', 'Power-steering pump', 'aluminium', [S('pressure', 'bar', 0, 150), S('temperature', 'C', -40, 150)]);
part('steering', 'ps-reservoir', 'Power-steering fluid reservoir', 'polymer', [S('fluid_level', '%', 0, 100)]);
part('steering', 'ps-hose-pressure', 'Power-steering pressure hose', 'rubber / steel');
part('steering', 'ps-hose-return', 'Power-steering return hose', 'rubber');
part('steering', 'angle-sensor', 'Steering angle sensor', 'electronics');

// Braking system.
part('braking', 'pedal', 'Brake pedal', 'steel');
part('braking', 'booster', 'Vacuum brake booster', 'steel');
part('braking', 'master-cylinder', 'Brake master cylinder', 'aluminium', [S('pressure', 'bar', 0, 200)]);
part('braking', 'fluid-reservoir', 'Brake fluid reservoir', 'polymer', [S('fluid_level', '%', 0, 100), S('moisture', '%', 0, 10)]);
part('braking', 'abs-unit', 'ABS/ESC hydraulic unit', 'aluminium / electronics', [S('fault_count', 'count', 0, 255)]);
part('braking', 'yaw-sensor', 'Yaw-rate sensor', 'electronics');
parts4('braking', 'speed-sensor', 'Wheel speed sensor', 'electronics', WHEELS);
parts4('braking', 'disc', 'Brake disc', 'cast iron', WHEELS, [S('temperature', 'C', -40, 800)]);
parts4('braking', 'pad', 'Brake pad set', 'friction composite', WHEELS, [S('pad_thickness', 'mm', 0, 15)]);
parts4('braking', 'caliper', 'Brake caliper', 'cast iron', WHEELS);
parts4('braking', 'line', 'Brake line', 'steel / rubber', WHEELS);
part('braking', 'parking-lever', 'Parking brake lever', 'steel');
part('braking', 'parking-cables', 'Parking brake cables', 'steel');

// Engine.
part('engine', 'block', 'Cylinder block', 'cast aluminium', [S('oil_pressure', 'bar', 0, 10), S('oil_temp', 'C', -40, 160), S('oil_life', '%', 0, 100)]);
part('engine', 'head', 'Cylinder head', 'cast aluminium');
part('engine', 'crankshaft', 'Crankshaft', 'forged steel', [VIBRATION]);
part('engine', 'camshaft', 'Camshaft', 'chilled cast iron');
parts4('engine', 'piston', 'Piston', 'aluminium alloy', CYLINDERS);
part('engine', 'timing-belt', 'Timing belt', 'rubber', [S('wear', '%', 0, 100)]);
part('engine', 'accessory-belt', 'Accessory drive belt', 'rubber');
part('engine', 'oil-pump', 'Oil pump', 'aluminium');
part('engine', 'oil-filter', 'Oil filter', 'paper / steel');
part('engine', 'air-filter', 'Air filter', 'paper', [S('pressure_drop', 'mbar', 0, 100)]);
part('engine', 'maf-sensor', 'Mass air-flow sensor', 'electronics');
part('engine', 'turbocharger', 'Turbocharger', 'nickel alloy', [S('boost_pressure', 'bar', 0, 3)]);
part('engine', 'throttle-body', 'Throttle body', 'aluminium');
part('engine', 'intake-manifold', 'Intake manifold', 'polymer');
parts4('engine', 'injector', 'Fuel injector', 'stainless steel', CYLINDERS);
part('engine', 'fuel-pump', 'Fuel pump', 'polymer / electronics', [S('pressure', 'bar', 0, 10)]);
part('engine', 'fuel-filter', 'Fuel filter', 'paper / steel');
part('engine', 'fuel-tank', 'Fuel tank', 'HDPE', [S('level', '%', 0, 100)]);
parts4('engine', 'spark-plug', 'Spark plug', 'ceramic / iridium', CYLINDERS);
part('engine', 'coil-pack', 'Ignition coil pack', 'electronics');
part('engine', 'ecu', 'Engine control unit', 'electronics', [S('fault_count', 'count', 0, 255)]);
part('engine', 'crank-sensor', 'Crankshaft position sensor', 'electronics');
part('engine', 'cam-sensor', 'Camshaft position sensor', 'electronics');
part('engine', 'knock-sensor', 'Knock sensor', 'piezo ceramic', [S('knock_count', 'count', 0, 1e9)]);
part('engine', 'lambda-sensor', 'Lambda (oxygen) sensor', 'zirconia');
part('engine', 'exhaust-manifold', 'Exhaust manifold', 'cast iron');
part('engine', 'catalytic-converter', 'Catalytic converter', 'ceramic / platinum', [S('temperature', 'C', 0, 1100)]);
part('engine', 'exhaust-pipe', 'Exhaust pipe', 'stainless steel');
part('engine', 'muffler', 'Muffler', 'stainless steel');
parts4('engine', 'mount', 'Engine mount', 'rubber / steel', [['left', 'left'], ['right', 'right'], ['rear', 'rear']]);

// Transmission (front-wheel drive).
part('transmission', 'gearbox', 'Gearbox housing', 'cast aluminium', [S('oil_temp', 'C', -40, 180), VIBRATION]);
part('transmission', 'flywheel', 'Dual-mass flywheel', 'steel');
part('transmission', 'clutch', 'Clutch', 'friction composite', [S('slip_pct', '%', 0, 100), S('wear', '%', 0, 100)]);
part('transmission', 'gear-set', 'Gear set', 'case-hardened steel');
part('transmission', 'shift-mechanism', 'Shift mechanism', 'steel');
part('transmission', 'tcu', 'Transmission control unit', 'electronics', [S('fault_count', 'count', 0, 255)]);
part('transmission', 'oil-pump', 'Transmission oil pump', 'aluminium');
part('transmission', 'differential', 'Differential', 'case-hardened steel', [S('temperature', 'C', -40, 180)]);
parts4('transmission', 'driveshaft', 'Drive shaft', 'steel', SIDES);
parts4('transmission', 'cv-inner', 'Inner CV joint', 'steel', SIDES);
parts4('transmission', 'cv-outer', 'Outer CV joint', 'steel', SIDES);
part('transmission', 'mount', 'Transmission mount', 'rubber / steel');

// Electrical system.
part('electrical', 'battery', '12 V battery', 'lead / acid', [S('voltage', 'V', 0, 16), S('soc', '%', 0, 100)]);
part('electrical', 'alternator', 'Alternator', 'copper / aluminium', [S('output_voltage', 'V', 0, 16)]);
part('electrical', 'starter', 'Starter motor', 'copper / steel');
part('electrical', 'fuse-box', 'Engine-bay fuse and relay box', 'polymer');
part('electrical', 'harness-main', 'Main wiring harness', 'copper');
part('electrical', 'harness-body', 'Body wiring harness', 'copper');
part('electrical', 'bcm', 'Body control module', 'electronics', [S('fault_count', 'count', 0, 255)]);
part('electrical', 'can-gateway', 'CAN gateway', 'electronics', [S('bus_errors', 'count', 0, 1e9)]);
part('electrical', 'instrument-cluster', 'Instrument cluster', 'electronics');
part('electrical', 'head-unit', 'Infotainment head unit', 'electronics');
part('electrical', 'telematics', 'Telematics unit (IIoT gateway)', 'electronics');
part('electrical', 'obd-port', 'OBD-II diagnostic port', 'polymer');
parts4('electrical', 'headlamp', 'Headlamp', 'polycarbonate / LED', SIDES);
parts4('electrical', 'taillamp', 'Tail lamp', 'polycarbonate / LED', SIDES);
part('electrical', 'wiper-motor', 'Wiper motor', 'copper / steel');
parts4('electrical', 'window-motor', 'Window motor', 'copper / steel', FRONT_WHEELS);

// Cooling and air conditioning.
part('cooling', 'radiator', 'Radiator', 'aluminium', [S('inlet_temp', 'C', -40, 150), S('outlet_temp', 'C', -40, 150)]);
part('cooling', 'water-pump', 'Water pump', 'aluminium', [VIBRATION]);
part('cooling', 'thermostat', 'Thermostat', 'brass / wax');
part('cooling', 'fan', 'Radiator fan', 'polymer / copper', [S('current', 'A', 0, 40)]);
part('cooling', 'expansion-tank', 'Coolant expansion tank', 'polymer', [S('coolant_level', '%', 0, 100)]);
part('cooling', 'hose-upper', 'Upper radiator hose', 'EPDM rubber');
part('cooling', 'hose-lower', 'Lower radiator hose', 'EPDM rubber');
part('cooling', 'heater-core', 'Heater core', 'aluminium');
part('cooling', 'coolant-sensor', 'Coolant temperature sensor', 'electronics', [S('coolant_temp', 'C', -40, 150)]);
part('cooling', 'ac-compressor', 'A/C compressor', 'aluminium');
part('cooling', 'condenser', 'A/C condenser', 'aluminium');
part('cooling', 'evaporator', 'A/C evaporator', 'aluminium');
part('cooling', 'ac-pressure-sensor', 'A/C pressure sensor', 'electronics');

// Body.
part('body', 'shell', 'Body shell (body-in-white)', 'steel', [S('impact_g', 'g', 0, 50)]);
part('body', 'underbody', 'Underbody and floor pan', 'galvanised steel', [S('corrosion_pct', '%', 0, 100)]);
part('body', 'hood', 'Hood', 'aluminium');
part('body', 'trunk-lid', 'Trunk lid', 'steel');
parts4('body', 'door', 'Door', 'steel', WHEELS);
parts4('body', 'fender', 'Front fender', 'steel', SIDES);
part('body', 'bumper-front', 'Front bumper', 'polypropylene');
part('body', 'bumper-rear', 'Rear bumper', 'polypropylene');
part('body', 'windshield', 'Windshield', 'laminated glass');
part('body', 'rear-window', 'Rear window', 'tempered glass');
parts4('body', 'mirror', 'Side mirror', 'polymer / glass', SIDES);
part('body', 'seat-driver', 'Driver seat', 'steel / foam');
part('body', 'seat-passenger', 'Passenger seat', 'steel / foam');
part('body', 'seatbelt-driver', 'Driver seat belt', 'polyester');
part('body', 'seatbelt-passenger', 'Passenger seat belt', 'polyester');
part('body', 'airbag-driver', 'Driver airbag', 'nylon / pyrotechnic');
part('body', 'airbag-passenger', 'Passenger airbag', 'nylon / pyrotechnic');

// ---------------------------------------------------------------------------------------------
// Part links: provider -> receiver, with interaction types (s spatial, e energy, i information, m material).

interface LinkOut {
  from: string;
  to: string;
  types: string[];
}
const links: LinkOut[] = [];
const linkKeys = new Set<string>();
const TYPE_LETTERS: Record<string, string> = { s: 'spatial', e: 'energy', i: 'information', m: 'material' };

function link(from: string, to: string, letters: string): void {
  const f = from.startsWith('p.') ? from : `p.${from}`;
  const t = to.startsWith('p.') ? to : `p.${to}`;
  check(partIds.has(f), `link from unknown part ${f}`);
  check(partIds.has(t), `link to unknown part ${t}`);
  const key = `${f}>${t}`;
  check(!linkKeys.has(key), `duplicate link ${key}`);
  linkKeys.add(key);
  links.push({ from: f, to: t, types: [...letters].map((c) => TYPE_LETTERS[c]) });
}
const each = (positions: [string, string][], fn: (pos: string) => void) => positions.forEach(([pos]) => fn(pos));

// The frame carries the body, the axles, the powertrain mounts and the long underbody runs.
for (const to of [
  'running.subframe-front', 'running.axle-front', 'running.axle-rear', 'body.shell', 'body.underbody',
  'engine.mount-left', 'engine.mount-right', 'engine.mount-rear', 'transmission.mount', 'engine.fuel-tank',
  'engine.exhaust-pipe', 'engine.muffler', 'electrical.harness-main', 'electrical.battery', 'cooling.radiator',
  'body.bumper-front', 'body.bumper-rear', 'braking.parking-cables',
]) link('running.frame', to, 's');
each(WHEELS, (w) => link('running.frame', `braking.line-${w}`, 's'));
for (const to of ['running.control-arm-fl', 'running.control-arm-fr', 'running.stabilizer-front', 'steering.rack', 'cooling.condenser']) link('running.subframe-front', to, 's');
each(FRONT_WHEELS, (w) => {
  link('running.axle-front', `running.knuckle-${w}`, 's');
  link(`running.control-arm-${w}`, `running.knuckle-${w}`, 's');
  link(`running.knuckle-${w}`, `running.wheel-bearing-${w}`, 's');
  link(`running.knuckle-${w}`, `running.shock-${w}`, 's');
  link(`running.knuckle-${w}`, `braking.caliper-${w}`, 's');
  link('running.stabilizer-front', `running.control-arm-${w}`, 'se');
});
for (const w of ['rl', 'rr']) {
  link('running.axle-rear', `running.wheel-bearing-${w}`, 's');
  link('running.axle-rear', `running.control-arm-${w}`, 's');
  link('running.axle-rear', `running.shock-${w}`, 's');
  link('running.axle-rear', `braking.caliper-${w}`, 's');
  link('running.stabilizer-rear', `running.control-arm-${w}`, 'se');
  link(`running.control-arm-${w}`, `running.coil-spring-${w}`, 's');
}
link('running.axle-rear', 'running.stabilizer-rear', 's');
each(FRONT_WHEELS, (w) => link(`running.shock-${w}`, `running.coil-spring-${w}`, 's'));
each(WHEELS, (w) => {
  link(`running.coil-spring-${w}`, 'body.shell', 'se');
  link(`running.shock-${w}`, 'body.shell', 'e');
  link(`running.wheel-bearing-${w}`, `running.hub-${w}`, 'se');
  link(`running.hub-${w}`, `running.wheel-${w}`, 'se');
  link(`running.hub-${w}`, `braking.disc-${w}`, 'se');
  link(`running.hub-${w}`, `braking.speed-sensor-${w}`, 'i');
  link(`running.wheel-${w}`, `running.tyre-${w}`, 'se');
  link(`running.wheel-${w}`, `running.tpms-${w}`, 's');
  link(`running.tpms-${w}`, 'electrical.bcm', 'i');
});

// Steering: driver input through the column to the rack and the knuckles; hydraulic assist.
link('body.shell', 'steering.column', 's');
link('steering.wheel', 'steering.column', 'se');
link('steering.wheel', 'body.airbag-driver', 's');
link('steering.column', 'steering.intermediate-shaft', 'e');
link('steering.column', 'steering.angle-sensor', 'si');
link('steering.angle-sensor', 'braking.abs-unit', 'i');
link('steering.intermediate-shaft', 'steering.rack', 'e');
each(SIDES, (s) => {
  link('steering.rack', `steering.tie-rod-${s}`, 'se');
  link('steering.rack', `steering.rack-boot-${s}`, 's');
  link(`steering.tie-rod-${s}`, `steering.tie-rod-end-${s}`, 'e');
});
link('steering.tie-rod-end-l', 'running.knuckle-fl', 'e');
link('steering.tie-rod-end-r', 'running.knuckle-fr', 'e');
link('engine.accessory-belt', 'steering.ps-pump', 'e');
link('steering.ps-pump', 'steering.ps-hose-pressure', 'me');
link('steering.ps-hose-pressure', 'steering.rack', 'me');
link('steering.rack', 'steering.ps-hose-return', 'm');
link('steering.ps-hose-return', 'steering.ps-reservoir', 'm');
link('steering.ps-reservoir', 'steering.ps-pump', 'm');

// Braking: pedal -> booster -> master cylinder -> ABS unit -> lines -> calipers -> pads -> discs.
link('body.shell', 'braking.pedal', 's');
link('braking.pedal', 'braking.booster', 'e');
link('engine.intake-manifold', 'braking.booster', 'e');
link('braking.booster', 'braking.master-cylinder', 'e');
link('braking.fluid-reservoir', 'braking.master-cylinder', 'm');
link('braking.master-cylinder', 'braking.abs-unit', 'me');
link('braking.yaw-sensor', 'braking.abs-unit', 'i');
link('braking.abs-unit', 'electrical.can-gateway', 'i');
each(WHEELS, (w) => {
  link('braking.abs-unit', `braking.line-${w}`, 'me');
  link(`braking.line-${w}`, `braking.caliper-${w}`, 'me');
  link(`braking.caliper-${w}`, `braking.pad-${w}`, 'se');
  link(`braking.pad-${w}`, `braking.disc-${w}`, 'e');
  link(`braking.speed-sensor-${w}`, 'braking.abs-unit', 'i');
});
link('braking.parking-lever', 'braking.parking-cables', 'e');
link('braking.parking-cables', 'braking.caliper-rl', 'e');
link('braking.parking-cables', 'braking.caliper-rr', 'e');

// Engine: mechanics, lubrication, air, fuel, ignition, control, exhaust; powertrain to the gearbox.
for (const m of ['left', 'right', 'rear']) link(`engine.mount-${m}`, 'engine.block', 's');
link('engine.mount-rear', 'transmission.gearbox', 's');
for (const to of ['engine.head', 'engine.crankshaft', 'engine.oil-pump', 'engine.knock-sensor', 'engine.crank-sensor', 'electrical.starter', 'electrical.alternator', 'cooling.water-pump']) link('engine.block', to, 's');
link('engine.block', 'transmission.gearbox', 's');
link('engine.head', 'engine.camshaft', 's');
link('engine.head', 'engine.cam-sensor', 's');
each(CYLINDERS, (c) => {
  link(`engine.piston-${c}`, 'engine.crankshaft', 'e');
  link('engine.head', `engine.injector-${c}`, 's');
  link('engine.head', `engine.spark-plug-${c}`, 's');
  link('engine.fuel-filter', `engine.injector-${c}`, 'm');
  link(`engine.injector-${c}`, `engine.piston-${c}`, 'm');
  link('engine.ecu', `engine.injector-${c}`, 'i');
  link('engine.coil-pack', `engine.spark-plug-${c}`, 'e');
  link(`engine.spark-plug-${c}`, `engine.piston-${c}`, 'e');
});
link('engine.crankshaft', 'engine.timing-belt', 'e');
link('engine.timing-belt', 'engine.camshaft', 'e');
link('engine.crankshaft', 'engine.accessory-belt', 'e');
link('engine.crankshaft', 'engine.oil-pump', 'e');
link('engine.oil-pump', 'engine.oil-filter', 'm');
link('engine.oil-filter', 'engine.block', 'm');
link('engine.air-filter', 'engine.maf-sensor', 'm');
link('engine.maf-sensor', 'engine.turbocharger', 'm');
link('engine.turbocharger', 'engine.throttle-body', 'm');
link('engine.throttle-body', 'engine.intake-manifold', 'm');
link('engine.intake-manifold', 'engine.head', 'm');
link('engine.fuel-tank', 'engine.fuel-pump', 'm');
link('engine.fuel-pump', 'engine.fuel-filter', 'm');
link('engine.ecu', 'engine.coil-pack', 'i');
link('engine.ecu', 'engine.throttle-body', 'i');
link('engine.ecu', 'engine.fuel-pump', 'i');
link('engine.ecu', 'electrical.can-gateway', 'i');
for (const from of ['engine.crank-sensor', 'engine.cam-sensor', 'engine.knock-sensor', 'engine.lambda-sensor', 'engine.maf-sensor']) link(from, 'engine.ecu', 'i');
link('engine.head', 'engine.exhaust-manifold', 'm');
link('engine.exhaust-manifold', 'engine.turbocharger', 'me');
link('engine.exhaust-manifold', 'engine.lambda-sensor', 'i');
link('engine.turbocharger', 'engine.catalytic-converter', 'm');
link('engine.catalytic-converter', 'engine.exhaust-pipe', 'm');
link('engine.exhaust-pipe', 'engine.muffler', 'm');
link('engine.accessory-belt', 'electrical.alternator', 'e');
link('engine.accessory-belt', 'cooling.water-pump', 'e');
link('engine.accessory-belt', 'cooling.ac-compressor', 'e');
link('engine.crankshaft', 'transmission.flywheel', 'e');

// Transmission: flywheel -> clutch -> gears -> differential -> CV joints and drive shafts -> front hubs.
link('transmission.mount', 'transmission.gearbox', 's');
for (const to of ['transmission.gear-set', 'transmission.oil-pump', 'transmission.shift-mechanism', 'transmission.differential', 'transmission.tcu']) link('transmission.gearbox', to, 's');
link('transmission.flywheel', 'transmission.clutch', 'e');
link('transmission.clutch', 'transmission.gear-set', 'e');
link('transmission.shift-mechanism', 'transmission.gear-set', 'e');
link('transmission.tcu', 'transmission.shift-mechanism', 'i');
link('transmission.tcu', 'electrical.can-gateway', 'i');
link('transmission.oil-pump', 'transmission.gear-set', 'm');
link('transmission.gear-set', 'transmission.oil-pump', 'e');
link('transmission.gear-set', 'transmission.differential', 'e');
each(SIDES, (s) => {
  link('transmission.differential', `transmission.cv-inner-${s}`, 'e');
  link(`transmission.cv-inner-${s}`, `transmission.driveshaft-${s}`, 'e');
  link(`transmission.driveshaft-${s}`, `transmission.cv-outer-${s}`, 'e');
});
link('transmission.cv-outer-l', 'running.hub-fl', 'e');
link('transmission.cv-outer-r', 'running.hub-fr', 'e');

// Electrical: charging, starting, power distribution, buses, consumers.
link('electrical.alternator', 'electrical.battery', 'e');
link('electrical.battery', 'electrical.starter', 'e');
link('electrical.starter', 'transmission.flywheel', 'e');
link('electrical.battery', 'electrical.fuse-box', 'e');
link('electrical.fuse-box', 'electrical.harness-main', 'e');
link('electrical.harness-main', 'electrical.harness-body', 'e');
for (const to of ['electrical.bcm', 'engine.ecu', 'transmission.tcu', 'braking.abs-unit', 'cooling.fan', 'engine.fuel-pump', 'electrical.can-gateway', 'electrical.telematics']) link('electrical.harness-main', to, 'e');
for (const to of ['electrical.instrument-cluster', 'electrical.head-unit', 'electrical.wiper-motor', 'electrical.headlamp-l', 'electrical.headlamp-r', 'electrical.taillamp-l', 'electrical.taillamp-r', 'electrical.window-motor-fl', 'electrical.window-motor-fr']) link('electrical.harness-body', to, 'e');
for (const to of ['electrical.headlamp-l', 'electrical.headlamp-r', 'electrical.taillamp-l', 'electrical.taillamp-r', 'electrical.wiper-motor', 'electrical.window-motor-fl', 'electrical.window-motor-fr']) link('electrical.bcm', to, 'i');
for (const to of ['electrical.instrument-cluster', 'electrical.head-unit', 'electrical.telematics', 'electrical.bcm']) link('electrical.can-gateway', to, 'i');
link('electrical.obd-port', 'electrical.can-gateway', 'i');
link('electrical.battery', 'electrical.bcm', 'i');

// Cooling: coolant loop through block, head, thermostat and radiator; A/C loop.
link('cooling.water-pump', 'engine.block', 'm');
link('engine.head', 'cooling.thermostat', 'm');
link('engine.head', 'cooling.coolant-sensor', 'i');
link('cooling.thermostat', 'cooling.hose-upper', 'm');
link('cooling.thermostat', 'cooling.heater-core', 'm');
link('cooling.hose-upper', 'cooling.radiator', 'm');
link('cooling.radiator', 'cooling.hose-lower', 'm');
link('cooling.hose-lower', 'cooling.water-pump', 'm');
link('cooling.expansion-tank', 'cooling.water-pump', 'm');
link('cooling.fan', 'cooling.radiator', 'e');
link('cooling.fan', 'cooling.condenser', 'e');
link('cooling.coolant-sensor', 'engine.ecu', 'i');
link('engine.ecu', 'cooling.fan', 'i');
link('cooling.ac-compressor', 'cooling.condenser', 'm');
link('cooling.condenser', 'cooling.evaporator', 'm');
link('cooling.evaporator', 'cooling.ac-compressor', 'm');
link('cooling.ac-pressure-sensor', 'engine.ecu', 'i');
link('cooling.condenser', 'cooling.ac-pressure-sensor', 'i');

// Body: the shell carries closures, glazing, seats and restraints.
for (const to of ['body.hood', 'body.trunk-lid', 'body.fender-l', 'body.fender-r', 'body.windshield', 'body.rear-window', 'body.seat-driver', 'body.seat-passenger', 'body.airbag-passenger', 'cooling.expansion-tank', 'electrical.fuse-box', 'braking.fluid-reservoir', 'braking.parking-lever', 'braking.yaw-sensor', 'electrical.obd-port']) link('body.shell', to, 's');
each(WHEELS, (w) => link('body.shell', `body.door-${w}`, 's'));
link('body.door-fl', 'body.mirror-l', 's');
link('body.door-fr', 'body.mirror-r', 's');
link('body.door-fl', 'electrical.window-motor-fl', 's');
link('body.door-fr', 'electrical.window-motor-fr', 's');
link('body.seat-driver', 'body.seatbelt-driver', 's');
link('body.seat-passenger', 'body.seatbelt-passenger', 's');
link('electrical.bcm', 'body.airbag-driver', 'i');
link('electrical.bcm', 'body.airbag-passenger', 'i');
link('body.underbody', 'engine.fuel-tank', 's');
link('body.underbody', 'running.subframe-front', 's');

// ---------------------------------------------------------------------------------------------
// Resource layer: 10 personnel kinds (70 people), 10 equipment kinds (50 units).

interface KindSpec {
  id: string;
  name: string;
  category: 'personnel' | 'equipment';
  count: number;
  rate: [number, number];
  unit?: string;
}
const KINDS: KindSpec[] = [
  { id: 'kr.mechanic', name: 'Mechanic', category: 'personnel', count: 14, rate: [60, 110] },
  { id: 'kr.chassis-technician', name: 'Chassis and suspension technician', category: 'personnel', count: 8, rate: [80, 130] },
  { id: 'kr.brake-specialist', name: 'Brake specialist', category: 'personnel', count: 6, rate: [90, 140] },
  { id: 'kr.engine-technician', name: 'Engine technician', category: 'personnel', count: 8, rate: [100, 160] },
  { id: 'kr.transmission-technician', name: 'Transmission technician', category: 'personnel', count: 6, rate: [110, 170] },
  { id: 'kr.electrician', name: 'Automotive electrician', category: 'personnel', count: 7, rate: [90, 150] },
  { id: 'kr.diagnostics-engineer', name: 'Diagnostics engineer', category: 'personnel', count: 6, rate: [130, 200] },
  { id: 'kr.body-worker', name: 'Body repairer', category: 'personnel', count: 6, rate: [80, 130] },
  { id: 'kr.tyre-fitter', name: 'Tyre fitter', category: 'personnel', count: 5, rate: [60, 90] },
  { id: 'kr.inspector', name: 'Quality inspector / test driver', category: 'personnel', count: 4, rate: [100, 150] },
  { id: 'kr.lift', name: 'Two-post lift', category: 'equipment', count: 9, rate: [20, 40], unit: 'Lift' },
  { id: 'kr.wheel-aligner', name: '3D wheel aligner', category: 'equipment', count: 4, rate: [80, 150], unit: 'Wheel aligner' },
  { id: 'kr.diagnostic-scanner', name: 'Diagnostic scanner', category: 'equipment', count: 8, rate: [30, 60], unit: 'Diagnostic scanner' },
  { id: 'kr.brake-tester', name: 'Roller brake tester', category: 'equipment', count: 3, rate: [60, 110], unit: 'Brake tester' },
  { id: 'kr.tyre-changer', name: 'Tyre changer', category: 'equipment', count: 4, rate: [25, 45], unit: 'Tyre changer' },
  { id: 'kr.wheel-balancer', name: 'Wheel balancer', category: 'equipment', count: 4, rate: [25, 45], unit: 'Wheel balancer' },
  { id: 'kr.hydraulic-press', name: 'Hydraulic press and spring compressor', category: 'equipment', count: 4, rate: [30, 60], unit: 'Press' },
  { id: 'kr.fluid-exchanger', name: 'Fluid exchange machine', category: 'equipment', count: 7, rate: [35, 70], unit: 'Fluid exchanger' },
  { id: 'kr.crack-detector', name: 'Ultrasonic crack detector', category: 'equipment', count: 4, rate: [90, 150], unit: 'Crack detector' },
  { id: 'kr.frame-bench', name: 'Frame straightening bench', category: 'equipment', count: 3, rate: [100, 150], unit: 'Frame bench' },
];

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Gao', 'Luo'];
const GIVEN = ['Wei', 'Fang', 'Lei', 'Min', 'Jun', 'Jie', 'Tao', 'Hui', 'Ming', 'Yan', 'Qiang', 'Ping', 'Gang', 'Hong', 'Bin', 'Hao', 'Peng', 'Xin', 'Yong', 'Ling', 'Chao', 'Kai', 'Bo', 'Dan'];

interface ResourceOut {
  id: string;
  name: string;
  kind: string;
  costRate: number;
}
const resources: ResourceOut[] = [];
/** Skill in [0, 1] per resource: drives its thetas and (partly) its cost rate, so skill costs money. */
const skill = new Map<string, number>();
const ofKind = new Map<string, string[]>();
const usedNames = new Set<string>();

for (const k of KINDS) {
  const short = k.id.slice(3);
  const list: string[] = [];
  for (let n = 1; n <= k.count; n++) {
    const id = `${k.category === 'personnel' ? 'pr' : 'er'}.${short}-${String(n).padStart(2, '0')}`;
    let name: string;
    if (k.category === 'personnel') {
      do name = `${SURNAMES[intBetween(0, SURNAMES.length - 1)]} ${GIVEN[intBetween(0, GIVEN.length - 1)]}`;
      while (usedNames.has(name));
      usedNames.add(name);
    } else {
      name = `${k.unit} #${n}`;
    }
    const s = random();
    const rate = k.rate[0] + (k.rate[1] - k.rate[0]) * clamp(0.75 * s + 0.25 * random(), 0, 1);
    resources.push({ id, name, kind: k.id, costRate: Math.round(rate) });
    skill.set(id, s);
    list.push(id);
  }
  ofKind.set(k.id, list);
}

// ---------------------------------------------------------------------------------------------
// Service layer: 8 triggers, 8 flows, 80 activities.

type Body = string | { seq: Body[] } | { and: Body[] } | { xor: Body[] };
const seq = (...b: Body[]): Body => ({ seq: b });
const and = (...b: Body[]): Body => ({ and: b });
const xor = (...b: Body[]): Body => ({ xor: b });

interface ActivityOut {
  id: string;
  name: string;
  time: number;
  cost: number;
  reliability: number;
  objects: string[];
  demands: { kind: string; qty: number }[];
  virtual?: boolean;
}
const activities: ActivityOut[] = [];

/** Demand shorthand: kind id without `kr.` and a quantity. */
type D = [string, number];

function act(id: string, name: string, time: number, cost: number, objects: string[], demands: D[]): string {
  check(time >= 0.5 && time <= 6, `${id}: time ${time} outside 0.5..6 h`);
  check(cost >= 100 && cost <= 3000, `${id}: cost ${cost} outside 100..3000`);
  check(demands.length >= 1 && demands.length <= 3, `${id}: 1-3 demand kinds`);
  const objs = objects.map((o) => `p.${o}`);
  objs.forEach((o) => check(partIds.has(o), `${id}: unknown object ${o}`));
  // Longer, more invasive work completes on time a little less often.
  const reliability = round(clamp(0.985 - 0.018 * time - uniform(0, 0.05), 0.8, 0.99), 2);
  activities.push({ id, name, time, cost, reliability, objects: objs, demands: demands.map(([k, qty]) => ({ kind: `kr.${k}`, qty })) });
  return id;
}

function virtualAct(id: string, name: string): string {
  activities.push({ id, name, time: 0, cost: 0, reliability: 1, objects: [], demands: [], virtual: true });
  return id;
}

const W4 = (p: string) => WHEELS.map(([w]) => `${p}-${w}`);
const LR = (p: string) => SIDES.map(([s]) => `${p}-${s}`);

// 1. Running system maintenance: axles, suspension, shock absorbers, wheels, frame (the paper's decomposition).
const running = seq(
  act('sa.running.inspect', 'Running-system inspection on lift', 1.0, 150, ['running.axle-front', 'running.axle-rear'], [['chassis-technician', 1], ['lift', 1]]),
  and(
    xor(
      act('sa.running.axle-service', 'Axle maintenance: check, re-torque and lubricate', 2.0, 320, ['running.axle-front', 'running.axle-rear'], [['mechanic', 2], ['lift', 1]]),
      act('sa.running.axle-bearing', 'Axle maintenance with wheel-bearing replacement', 3.5, 1250, ['running.axle-front', ...W4('running.wheel-bearing')], [['mechanic', 2], ['hydraulic-press', 1]]),
    ),
    seq(
      act('sa.running.suspension', 'Suspension maintenance: control arms, bushings, springs', 2.5, 480, [...W4('running.control-arm'), ...W4('running.coil-spring')], [['chassis-technician', 1], ['mechanic', 1]]),
      xor(
        act('sa.running.shock-service', 'Shock absorber maintenance: test and top-mount service', 1.5, 260, W4('running.shock'), [['chassis-technician', 1]]),
        act('sa.running.shock-replace', 'Shock absorber replacement (front pair)', 2.5, 1800, ['running.shock-fl', 'running.shock-fr'], [['chassis-technician', 1], ['mechanic', 1], ['hydraulic-press', 1]]),
      ),
    ),
    seq(
      xor(
        act('sa.running.wheel-balance', 'Wheel maintenance: rotate and balance', 1.5, 200, [...W4('running.wheel'), ...W4('running.hub')], [['tyre-fitter', 1], ['wheel-balancer', 1]]),
        act('sa.running.tyre-replace', 'Wheel maintenance: four new tyres, mount and balance', 2.0, 2400, W4('running.tyre'), [['tyre-fitter', 2], ['tyre-changer', 1], ['wheel-balancer', 1]]),
      ),
      act('sa.running.alignment', 'Four-wheel alignment', 1.0, 300, ['running.knuckle-fl', 'running.knuckle-fr'], [['chassis-technician', 1], ['wheel-aligner', 1]]),
    ),
  ),
  virtualAct('sa.running.join', 'Virtual node: running-system branches joined'),
  act('sa.running.frame', 'Frame maintenance: crack inspection, weld repair, anti-corrosion', 4.0, 1500, ['running.frame', 'running.subframe-front'], [['body-worker', 1], ['crack-detector', 1], ['lift', 1]]),
  act('sa.running.road-test', 'Road test and running-system sign-off', 0.5, 100, W4('running.tyre'), [['inspector', 1]]),
);

// 2. Steering system maintenance.
const steering = seq(
  act('sa.steering.check', 'Steering check: free play, leaks, noise, fault codes', 0.8, 150, ['steering.wheel', 'steering.column'], [['mechanic', 1], ['diagnostic-scanner', 1]]),
  and(
    xor(
      act('sa.steering.rack-adjust', 'Steering gear adjustment and rack boot replacement', 1.5, 380, ['steering.rack', ...LR('steering.rack-boot')], [['chassis-technician', 1], ['lift', 1]]),
      act('sa.steering.rack-replace', 'Steering rack replacement', 4.0, 2900, ['steering.rack', 'steering.intermediate-shaft'], [['chassis-technician', 1], ['mechanic', 1], ['lift', 1]]),
    ),
    seq(
      act('sa.steering.pump-service', 'Power-steering pump and hose maintenance', 1.2, 420, ['steering.ps-pump', 'steering.ps-hose-pressure', 'steering.ps-hose-return'], [['mechanic', 1]]),
      act('sa.steering.fluid-exchange', 'Power-steering fluid exchange', 0.8, 180, ['steering.ps-reservoir'], [['mechanic', 1], ['fluid-exchanger', 1]]),
    ),
  ),
  virtualAct('sa.steering.join', 'Virtual node: steering branches joined before the tie-rod choice'),
  xor(
    act('sa.steering.tie-rod-check', 'Tie rods: inspect and re-torque', 0.6, 120, [...LR('steering.tie-rod'), ...LR('steering.tie-rod-end')], [['chassis-technician', 1]]),
    act('sa.steering.tie-rod-ends', 'Tie-rod end replacement (both sides)', 1.5, 560, LR('steering.tie-rod-end'), [['chassis-technician', 1], ['mechanic', 1]]),
    act('sa.steering.tie-rods', 'Tie rod replacement (both sides)', 2.5, 980, [...LR('steering.tie-rod'), ...LR('steering.tie-rod-end')], [['chassis-technician', 2], ['lift', 1]]),
  ),
  act('sa.steering.toe-calibrate', 'Toe setting and steering-angle sensor calibration', 1.0, 260, ['steering.angle-sensor', ...LR('steering.tie-rod-end')], [['chassis-technician', 1], ['wheel-aligner', 1], ['diagnostic-scanner', 1]]),
);

// 3. Braking system repair.
const braking = seq(
  act('sa.braking.diagnose', 'Brake diagnosis: ABS scan and roller brake test', 1.0, 200, ['braking.abs-unit', 'braking.master-cylinder'], [['brake-specialist', 1], ['diagnostic-scanner', 1], ['brake-tester', 1]]),
  and(
    xor(
      act('sa.braking.front-pads', 'Front brake pad replacement', 1.2, 450, ['braking.pad-fl', 'braking.pad-fr'], [['brake-specialist', 1], ['lift', 1]]),
      act('sa.braking.front-discs', 'Front disc and pad replacement', 2.2, 1350, ['braking.disc-fl', 'braking.disc-fr', 'braking.pad-fl', 'braking.pad-fr'], [['brake-specialist', 1], ['mechanic', 1], ['lift', 1]]),
    ),
    xor(
      act('sa.braking.rear-pads', 'Rear brake pad replacement', 1.0, 400, ['braking.pad-rl', 'braking.pad-rr'], [['mechanic', 1]]),
      act('sa.braking.rear-discs', 'Rear disc and pad replacement', 2.0, 1200, ['braking.disc-rl', 'braking.disc-rr', 'braking.pad-rl', 'braking.pad-rr'], [['brake-specialist', 1], ['mechanic', 1]]),
    ),
    xor(
      act('sa.braking.caliper-overhaul', 'Caliper overhaul: seals, pistons, slide pins', 2.0, 520, W4('braking.caliper'), [['brake-specialist', 1]]),
      act('sa.braking.caliper-replace', 'Front caliper replacement', 1.8, 1600, ['braking.caliper-fl', 'braking.caliper-fr'], [['brake-specialist', 1], ['mechanic', 1]]),
    ),
  ),
  virtualAct('sa.braking.join', 'Virtual node: wheel-brake branches joined before the hydraulic choice'),
  xor(
    act('sa.braking.abs-repair', 'ABS unit repair: valve block, pump motor, speed sensors', 3.0, 2200, ['braking.abs-unit', ...W4('braking.speed-sensor')], [['electrician', 1], ['brake-specialist', 1], ['diagnostic-scanner', 1]]),
    act('sa.braking.master-cylinder', 'Master cylinder and booster check, cylinder replacement', 2.5, 1100, ['braking.master-cylinder', 'braking.booster'], [['brake-specialist', 1], ['mechanic', 1]]),
  ),
  act('sa.braking.bleed', 'Brake fluid exchange and bleeding', 1.0, 220, ['braking.fluid-reservoir', ...W4('braking.line')], [['mechanic', 1], ['fluid-exchanger', 1]]),
  act('sa.braking.test', 'Brake performance test', 0.5, 150, ['braking.disc-fl', 'braking.disc-fr'], [['inspector', 1], ['brake-tester', 1]]),
);

// 4. Engine service.
const engine = seq(
  act('sa.engine.diagnose', 'Engine diagnosis: fault codes, compression, leak-down', 1.2, 250, ['engine.ecu', 'engine.block'], [['engine-technician', 1], ['diagnostic-scanner', 1]]),
  and(
    seq(
      act('sa.engine.oil-change', 'Engine oil and filter change', 0.6, 380, ['engine.block', 'engine.oil-filter'], [['mechanic', 1], ['lift', 1]]),
      xor(
        act('sa.engine.air-filter', 'Air filter replacement', 0.5, 150, ['engine.air-filter'], [['mechanic', 1]]),
        act('sa.engine.fuel-filter', 'Fuel filter replacement', 0.8, 260, ['engine.fuel-filter'], [['mechanic', 1]]),
      ),
    ),
    xor(
      act('sa.engine.spark-plugs', 'Spark plug replacement', 1.0, 420, CYLINDERS.map(([c]) => `engine.spark-plug-${c}`), [['engine-technician', 1]]),
      act('sa.engine.coil-pack', 'Ignition coil pack replacement', 1.0, 900, ['engine.coil-pack'], [['engine-technician', 1], ['diagnostic-scanner', 1]]),
    ),
    seq(
      act('sa.engine.throttle-clean', 'Throttle body and intake cleaning', 1.0, 300, ['engine.throttle-body', 'engine.intake-manifold'], [['mechanic', 1]]),
      act('sa.engine.injectors', 'Fuel injector cleaning and flow test', 2.0, 650, CYLINDERS.map(([c]) => `engine.injector-${c}`), [['engine-technician', 1], ['diagnostic-scanner', 1]]),
    ),
  ),
  xor(
    act('sa.engine.timing-inspect', 'Timing belt inspection', 0.8, 120, ['engine.timing-belt'], [['engine-technician', 1]]),
    act('sa.engine.timing-replace', 'Timing belt kit replacement', 4.5, 2400, ['engine.timing-belt', 'engine.camshaft'], [['engine-technician', 2], ['lift', 1]]),
    act('sa.engine.mounts', 'Engine mount replacement', 2.5, 1300, ['engine.mount-left', 'engine.mount-right', 'engine.mount-rear'], [['mechanic', 2], ['lift', 1]]),
  ),
  act('sa.engine.test-run', 'Engine test run and emission check', 0.7, 180, ['engine.catalytic-converter', 'engine.lambda-sensor'], [['engine-technician', 1], ['diagnostic-scanner', 1]]),
);

// 5. Transmission service.
const transmission = seq(
  act('sa.transmission.diagnose', 'Transmission diagnosis: TCU fault codes and shift test', 1.0, 220, ['transmission.tcu', 'transmission.gearbox'], [['transmission-technician', 1], ['diagnostic-scanner', 1]]),
  xor(
    act('sa.transmission.oil-change', 'Gear oil drain and refill', 0.8, 450, ['transmission.gearbox'], [['mechanic', 1], ['lift', 1]]),
    act('sa.transmission.oil-flush', 'Transmission oil machine flush', 1.5, 900, ['transmission.gearbox', 'transmission.oil-pump'], [['transmission-technician', 1], ['fluid-exchanger', 1]]),
  ),
  xor(
    act('sa.transmission.clutch-adapt', 'Clutch adjustment and adaptation reset', 1.0, 200, ['transmission.clutch'], [['transmission-technician', 1], ['diagnostic-scanner', 1]]),
    act('sa.transmission.clutch-replace', 'Clutch and dual-mass flywheel replacement', 6.0, 2950, ['transmission.clutch', 'transmission.flywheel'], [['transmission-technician', 2], ['lift', 1]]),
  ),
  xor(
    act('sa.transmission.cv-boots', 'CV joint boot replacement', 2.0, 480, [...LR('transmission.cv-outer'), ...LR('transmission.cv-inner')], [['mechanic', 1], ['lift', 1]]),
    act('sa.transmission.driveshaft', 'Drive shaft replacement', 2.5, 1700, LR('transmission.driveshaft'), [['mechanic', 1], ['hydraulic-press', 1]]),
  ),
  act('sa.transmission.test-drive', 'Test drive and shift-quality check', 0.8, 150, ['transmission.gear-set'], [['inspector', 1]]),
);

// 6. Electrical diagnosis.
const electrical = seq(
  act('sa.electrical.scan', 'Full-vehicle fault-code scan and CAN bus check', 0.8, 200, ['electrical.can-gateway', 'electrical.bcm'], [['diagnostics-engineer', 1], ['diagnostic-scanner', 1]]),
  and(
    xor(
      act('sa.electrical.battery-test', 'Battery load test and terminal service', 0.5, 100, ['electrical.battery'], [['electrician', 1]]),
      act('sa.electrical.battery-replace', 'Battery replacement and registration', 0.8, 1100, ['electrical.battery'], [['electrician', 1], ['diagnostic-scanner', 1]]),
    ),
    xor(
      act('sa.electrical.charging-test', 'Charging system test', 0.7, 150, ['electrical.alternator'], [['electrician', 1]]),
      act('sa.electrical.alternator-replace', 'Alternator replacement', 2.0, 1800, ['electrical.alternator'], [['electrician', 1], ['mechanic', 1]]),
    ),
    act('sa.electrical.starter-test', 'Starter motor and ground check', 0.6, 120, ['electrical.starter'], [['electrician', 1]]),
  ),
  virtualAct('sa.electrical.join', 'Virtual node: power-supply checks joined before the repair choice'),
  xor(
    act('sa.electrical.harness-repair', 'Wiring harness and connector repair', 3.0, 850, ['electrical.harness-main', 'electrical.harness-body'], [['electrician', 2]]),
    act('sa.electrical.ecu-update', 'Control unit software update and coding', 1.5, 600, ['electrical.bcm', 'electrical.can-gateway'], [['diagnostics-engineer', 1], ['diagnostic-scanner', 1]]),
  ),
  act('sa.electrical.verify', 'Functional check: lights, wipers, windows, telematics', 0.6, 100, ['electrical.headlamp-l', 'electrical.headlamp-r', 'electrical.telematics'], [['electrician', 1]]),
);

// 7. Cooling system service.
const cooling = seq(
  act('sa.cooling.pressure-test', 'Cooling system pressure and leak test', 0.6, 150, ['cooling.radiator', 'cooling.expansion-tank'], [['mechanic', 1]]),
  and(
    xor(
      act('sa.cooling.thermostat', 'Thermostat replacement', 1.2, 450, ['cooling.thermostat'], [['mechanic', 1]]),
      act('sa.cooling.water-pump', 'Water pump replacement', 3.0, 1600, ['cooling.water-pump'], [['engine-technician', 1], ['mechanic', 1], ['lift', 1]]),
      act('sa.cooling.radiator', 'Radiator and hose replacement', 2.5, 1400, ['cooling.radiator', 'cooling.hose-upper', 'cooling.hose-lower'], [['mechanic', 2]]),
    ),
    seq(
      act('sa.cooling.fan', 'Radiator fan and relay check', 0.8, 200, ['cooling.fan'], [['electrician', 1]]),
      act('sa.cooling.ac-service', 'A/C refrigerant recovery and recharge', 1.0, 350, ['cooling.ac-compressor', 'cooling.condenser', 'cooling.evaporator'], [['mechanic', 1], ['fluid-exchanger', 1]]),
    ),
  ),
  act('sa.cooling.coolant-flush', 'Coolant flush and refill', 1.0, 380, ['cooling.radiator', 'cooling.expansion-tank', 'cooling.heater-core'], [['mechanic', 1], ['fluid-exchanger', 1]]),
  act('sa.cooling.verify', 'Warm-up test and temperature log', 0.5, 100, ['cooling.coolant-sensor', 'cooling.thermostat'], [['engine-technician', 1], ['diagnostic-scanner', 1]]),
);

// 8. Body and chassis inspection.
const body = seq(
  act('sa.body.visual', 'Body and paint visual inspection', 0.8, 120, ['body.shell', 'body.hood', ...W4('body.door')], [['body-worker', 1]]),
  and(
    act('sa.body.underbody', 'Underbody and corrosion inspection on lift', 1.0, 200, ['body.underbody'], [['body-worker', 1], ['lift', 1]]),
    act('sa.body.safety', 'Seat belt and airbag system check', 0.8, 150, ['body.seatbelt-driver', 'body.seatbelt-passenger', 'body.airbag-driver', 'body.airbag-passenger'], [['electrician', 1], ['diagnostic-scanner', 1]]),
  ),
  act('sa.body.crack-test', 'Ultrasonic crack test of load-bearing members', 1.5, 600, ['body.shell', 'body.underbody'], [['inspector', 1], ['crack-detector', 1]]),
  xor(
    act('sa.body.rust-treatment', 'Rust treatment and underbody sealing', 3.0, 900, ['body.underbody'], [['body-worker', 2]]),
    act('sa.body.panel-repair', 'Panel straightening and repaint', 5.0, 2600, ['body.fender-l', 'body.fender-r', 'body.door-fl', 'body.door-fr'], [['body-worker', 2], ['frame-bench', 1]]),
    act('sa.body.realign', 'Body alignment on the frame bench', 6.0, 3000, ['body.shell'], [['body-worker', 2], ['frame-bench', 1], ['crack-detector', 1]]),
  ),
  act('sa.body.report', 'Inspection report and handover', 0.5, 100, ['body.shell'], [['inspector', 1]]),
);

interface TriggerOut {
  id: string;
  name: string;
  monitors: string[];
  condition: string;
  window: { start: number; deadline: number };
}
const triggers: TriggerOut[] = [
  {
    id: 'ss.running',
    name: 'Running system maintenance',
    monitors: ['running.axle-front', 'running.axle-rear', 'running.frame', 'running.shock-fl', 'running.shock-fr'],
    condition:
      "avg(p.running.axle-front.vibration_rms, '10m') > 7.1 || avg(p.running.axle-rear.vibration_rms, '10m') > 7.1 || p.running.frame.crack_len >= 2" +
      ' || p.running.shock-fl.damping_loss > 30 || p.running.shock-fr.damping_loss > 30',
    window: { start: 0, deadline: 24 },
  },
  {
    id: 'ss.steering',
    name: 'Steering system maintenance',
    monitors: ['steering.wheel', 'steering.rack', 'steering.ps-pump', 'steering.tie-rod-end-l', 'steering.tie-rod-end-r'],
    condition:
      "p.steering.wheel.free_play > 30 || p.steering.rack.rack_play > 1.5 || avg(p.steering.ps-pump.pressure, '5m') < 60" +
      ' || p.steering.tie-rod-end-l.joint_play > 1 || p.steering.tie-rod-end-r.joint_play > 1',
    window: { start: 0, deadline: 8 },
  },
  {
    id: 'ss.braking',
    name: 'Braking system repair',
    monitors: [...W4('braking.pad'), 'braking.disc-fl', 'braking.disc-fr', 'braking.fluid-reservoir', 'braking.abs-unit'],
    condition:
      'p.braking.pad-fl.pad_thickness < 3 || p.braking.pad-fr.pad_thickness < 3 || p.braking.pad-rl.pad_thickness < 2.5 || p.braking.pad-rr.pad_thickness < 2.5' +
      " || for(p.braking.disc-fl.temperature > 450 || p.braking.disc-fr.temperature > 450, '2m') || p.braking.fluid-reservoir.moisture >= 3 || p.braking.abs-unit.fault_count > 0",
    window: { start: 0, deadline: 12 },
  },
  {
    id: 'ss.engine',
    name: 'Engine service',
    monitors: ['engine.block', 'engine.crankshaft', 'engine.knock-sensor', 'engine.timing-belt', 'engine.ecu'],
    condition:
      "p.engine.block.oil_pressure < 1 || p.engine.block.oil_life <= 10 || avg(p.engine.crankshaft.vibration_rms, '10m') > 4.5" +
      " || delta(p.engine.knock-sensor.knock_count, '10m') > 50 || p.engine.timing-belt.wear >= 80 || p.engine.ecu.fault_count > 0",
    window: { start: 0, deadline: 24 },
  },
  {
    id: 'ss.transmission',
    name: 'Transmission service',
    monitors: ['transmission.gearbox', 'transmission.clutch', 'transmission.tcu'],
    condition: "for(p.transmission.gearbox.oil_temp > 120, '5m') || p.transmission.clutch.slip_pct > 5 || p.transmission.clutch.wear >= 85 || p.transmission.tcu.fault_count > 0",
    window: { start: 0, deadline: 48 },
  },
  {
    id: 'ss.electrical',
    name: 'Electrical diagnosis',
    monitors: ['electrical.battery', 'electrical.alternator', 'electrical.can-gateway', 'electrical.bcm'],
    condition:
      "min(p.electrical.battery.voltage, '1h') < 11.8 || (avg(p.electrical.alternator.output_voltage, '10m') < 13.2 && p.electrical.battery.soc < 60)" +
      " || delta(p.electrical.can-gateway.bus_errors, '1h') > 100 || p.electrical.bcm.fault_count > 0",
    window: { start: 0, deadline: 24 },
  },
  {
    id: 'ss.cooling',
    name: 'Cooling system service',
    monitors: ['cooling.coolant-sensor', 'cooling.radiator', 'cooling.expansion-tank', 'cooling.fan'],
    condition:
      "for(p.cooling.coolant-sensor.coolant_temp > 110, '2m') || p.cooling.expansion-tank.coolant_level < 20" +
      ' || (p.cooling.coolant-sensor.coolant_temp > 95 && p.cooling.radiator.inlet_temp - p.cooling.radiator.outlet_temp < 4)' +
      " || (p.cooling.coolant-sensor.coolant_temp > 100 && avg(p.cooling.fan.current, '5m') < 2)",
    window: { start: 0, deadline: 12 },
  },
  {
    id: 'ss.body',
    name: 'Body and chassis inspection',
    monitors: ['body.shell', 'body.underbody', 'running.frame'],
    condition: "max(p.body.shell.impact_g, '1h') > 4 || p.body.underbody.corrosion_pct >= 20 || p.running.frame.corrosion_pct >= 15",
    window: { start: 0, deadline: 72 },
  },
];
for (const t of triggers) t.monitors = t.monitors.map((m) => `p.${m}`);

const flows = [
  { trigger: 'ss.running', body: running },
  { trigger: 'ss.steering', body: steering },
  { trigger: 'ss.braking', body: braking },
  { trigger: 'ss.engine', body: engine },
  { trigger: 'ss.transmission', body: transmission },
  { trigger: 'ss.electrical', body: electrical },
  { trigger: 'ss.cooling', body: cooling },
  { trigger: 'ss.body', body: body },
];

// ---------------------------------------------------------------------------------------------
// Assignable edges: per activity and demanded kind, 3-8 candidates (at least qty + 1, at most the
// kind's size); theta follows the resource's skill with some activity-specific noise.

interface AssignableOut {
  resource: string;
  activity: string;
  theta: number;
}
const assignable: AssignableOut[] = [];
const edgeCount = new Map<string, number>();

function addEdge(resource: string, activity: string): void {
  const theta = round(clamp(0.62 + 0.34 * skill.get(resource)! + uniform(-0.06, 0.06), 0.6, 0.99), 2);
  assignable.push({ resource, activity, theta });
  edgeCount.set(resource, (edgeCount.get(resource) ?? 0) + 1);
}

for (const a of activities) {
  for (const d of a.demands) {
    const pool = ofKind.get(d.kind)!;
    const n = clamp(intBetween(3, 8), d.qty + 1, pool.length);
    check(pool.length >= d.qty + 1, `${a.id}: kind ${d.kind} has only ${pool.length} resources for qty ${d.qty}`);
    for (const r of shuffled(pool).slice(0, n)) addEdge(r, a.id);
  }
}
// Every resource can do something: give idle ones an edge to a random activity demanding their kind.
for (const r of resources) {
  if (edgeCount.has(r.id)) continue;
  const users = activities.filter((a) => a.demands.some((d) => d.kind === r.kind));
  check(users.length > 0, `no activity demands kind ${r.kind}`);
  addEdge(r.id, users[intBetween(0, users.length - 1)].id);
}
// Keep the file readable: edges grouped by activity in model order, then by resource id.
const activityOrder = new Map(activities.map((a, i) => [a.id, i]));
assignable.sort((x, y) => activityOrder.get(x.activity)! - activityOrder.get(y.activity)! || x.resource.localeCompare(y.resource));

// ---------------------------------------------------------------------------------------------
// Consistency checks: the paper's scale, and a connected product layer.

const nonVirtual = activities.filter((a) => !a.virtual);
check(parts.length === 193, `expected 193 parts, got ${parts.length}`);
check(activities.length === 80, `expected 80 activities, got ${activities.length}`);
check(triggers.length === 8 && flows.length === 8, 'expected 8 triggers and flows');
check(KINDS.length === 20, `expected 20 resource kinds, got ${KINDS.length}`);
const personnel = resources.filter((r) => r.id.startsWith('pr.')).length;
const equipment = resources.filter((r) => r.id.startsWith('er.')).length;
check(personnel === 70 && equipment === 50, `expected 70 personnel and 50 equipment, got ${personnel} and ${equipment}`);
check(new Set(activities.map((a) => a.id)).size === activities.length, 'activity ids must be unique');
{
  const adjacent = new Map<string, string[]>();
  for (const l of links) {
    adjacent.set(l.from, [...(adjacent.get(l.from) ?? []), l.to]);
    adjacent.set(l.to, [...(adjacent.get(l.to) ?? []), l.from]);
  }
  const seen = new Set<string>(['p.running.frame']);
  const stack = ['p.running.frame'];
  while (stack.length) {
    for (const next of adjacent.get(stack.pop()!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  const isolated = parts.filter((p) => !seen.has(p.id)).map((p) => p.id);
  check(isolated.length === 0, `product layer not connected: ${isolated.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Output.

const model = {
  apiVersion: 'pss/v1',
  kind: 'PssModel',
  name: 'passenger-car',
  description:
    "Seed 004's passenger-car PSS case at its published scale (193 parts; 8 triggers, 80 activities, 8 flows; " +
    '20 resource kinds, 70 personnel and 50 equipment resources). Names and numbers are ours: the paper printed its data only as figures.',
  timeUnit: 'h',
  currency: 'CNY',
  interactionWeights: { spatial: 0.25, energy: 0.25, information: 0.25, material: 0.25 },
  parts,
  partLinks: links,
  resourceKinds: KINDS.map((k) => ({ id: k.id, name: k.name, category: k.category })),
  resources,
  triggers,
  activities: activities.map((a) => (a.virtual ? { id: a.id, name: a.name, virtual: true } : { ...a })),
  assignable,
  flows,
};

/** The assignable resource of a kind with the highest theta for an activity (first by id on ties). */
function bestCandidate(activity: string, kind: string): string {
  const kindOf = new Map(resources.map((r) => [r.id, r.kind]));
  const edges = assignable.filter((e) => e.activity === activity && kindOf.get(e.resource) === kind);
  check(edges.length > 0, `no ${kind} assignable to ${activity}`);
  return edges.reduce((best, e) => (e.theta > best.theta ? e : best)).resource;
}

const problem = {
  apiVersion: 'pss/v1',
  kind: 'ConfigurationProblem',
  name: 'passenger-car: running and steering system maintenance for car-0017',
  model: `./${MODEL_FILE}`,
  // Trigger matrix at t = 0: [1 1 0 0 0 0 0 0] over the model's eight triggers. Start and
  // deadline follow from `at` and each trigger's window.
  triggered: [
    { asset: 'car-0017', trigger: 'ss.running', at: 0 },
    { asset: 'car-0017', trigger: 'ss.steering', at: 0 },
  ],
  // Open work orders on other cars keep a few resources busy at the start.
  // Chosen so that they matter: the best-rated chassis technician and lift for the inspection
  // and the best-rated mechanic for the steering check are taken for the first hours.
  busy: [
    { resource: bestCandidate('sa.running.inspect', 'kr.chassis-technician'), from: 0, to: 3, workOrder: 'WO-0412' },
    { resource: bestCandidate('sa.running.inspect', 'kr.lift'), from: 0, to: 5, workOrder: 'WO-0412' },
    { resource: bestCandidate('sa.steering.check', 'kr.mechanic'), from: 0, to: 2, workOrder: 'WO-0409' },
  ],
  reliabilityObjective: 'importance-weighted',
};

const FLOW_KEYS = new Set(['statuses', 'partLinks', 'resourceKinds', 'resources', 'window', 'demands', 'assignable', 'info', 'monitors', 'objects', 'types', 'interactionWeights', 'triggered', 'busy']);

const BLOCK_KEYS = new Set(['seq', 'and', 'xor']);

function toYaml(value: unknown, header: string[]): string {
  const doc = new Document(value, { aliasDuplicateObjects: false });
  // Short records on one line each: parts of a list under these keys, and these keys' own values;
  // in flow bodies, blocks whose branches are all plain activities.
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key)) return;
      const key = String(pair.key.value);
      const v = pair.value;
      if (BLOCK_KEYS.has(key) && isSeq(v) && v.items.every((item) => isScalar(item))) v.flow = true;
      if (!FLOW_KEYS.has(key)) return;
      if (isSeq(v) && v.items.every((item) => isMap(item))) v.items.forEach((item) => isMap(item) && (item.flow = true));
      else if (isSeq(v) || isMap(v)) v.flow = true;
    },
  });
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

const header = [
  'Generated by `npm run examples:car` (tools/generate-car-example.ts) -- do not edit by hand.',
  "Seed 004's passenger-car case at the paper's scale and structure. The paper published its data",
  'only as figures, so every name and number in this file is ours (seeded PRNG, deterministic).',
];
writeFileSync(join(OUT_DIR, MODEL_FILE), toYaml(model, header));
writeFileSync(join(OUT_DIR, PROBLEM_FILE), toYaml(problem, [...header.slice(0, 1), "Seed 004's configuration task: trigger matrix [1 1 0 0 0 0 0 0] -- running and steering system", 'maintenance triggered for one car at t = 0. The numbers are ours (see the model file).']));

// ---------------------------------------------------------------------------------------------
// Summary.

const countAlternatives = (b: Body): number => {
  if (typeof b === 'string') return 1;
  if ('xor' in b) return b.xor.reduce((s, c) => s + countAlternatives(c), 0);
  const children = 'seq' in b ? b.seq : b.and;
  return children.reduce((p, c) => p * countAlternatives(c), 1);
};
const statusCount = parts.reduce((s, p) => s + (p.statuses?.length ?? 0), 0);
console.log(`wrote examples/${MODEL_FILE} and examples/${PROBLEM_FILE} (seed ${SEED})`);
console.log(`  product layer:  ${parts.length} parts (${parts.filter((p) => p.statuses).length} monitored, ${statusCount} statuses), ${links.length} part links`);
console.log(`  service layer:  ${triggers.length} triggers, ${flows.length} flows, ${activities.length} activities (${activities.length - nonVirtual.length} virtual)`);
console.log(`  resource layer: ${KINDS.length} kinds, ${resources.length} resources (${personnel} personnel, ${equipment} equipment), ${assignable.length} assignable edges`);
console.log(`  alternatives per flow: ${flows.map((f) => `${f.trigger} ${countAlternatives(f.body)}`).join(', ')}`);
console.log(`  problem: ${problem.triggered.map((t) => `${t.asset}/${t.trigger}`).join(', ')}; ${problem.busy.length} busy intervals`);
