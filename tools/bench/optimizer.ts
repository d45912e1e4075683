// The optimizer benchmark: every algorithm of @pss/optimizer measured on one machine in one run, and
// docs/benchmarks.md rewritten from the measurements (between its bench:optimizer markers; the text
// around them is kept).
//
//   npm run bench:optimizer                  the full benchmark (about half an hour)
//   npm run bench:optimizer -- --quick       a smoke run: fewer seeds, smaller budgets, no paper
//                                            preset; prints the report, leaves the docs alone
//   npm run bench:optimizer -- --reference   recomputes the reference fronts in benchmarks/reference
//                                            (the car's exact front: minutes on every core) and stops
//
// Other flags: --doc (a quick run writes docs/benchmarks.md too), --no-doc, --only 1,2,... (sections),
// --write-problem SHAPE:SEED (prints one generated problem of section 1 as JSON, for the CLI).
//
// What it measures (the issue's list): 1. hypervolume ratio to the exact front on generated small
// problems; 2. the car example and a 12-elevator fleet against their best known fronts; 3. time and
// evaluations to reach 99 % of the reference hypervolume; 4. our default against seed 004's preset
// and against NSGA-II from DEAP (tools/bench/deap_nsga2.py, Debian's python3-deap) at equal
// evaluations; 5. seed 003's PES elevator case; 6. seed 004's joint-vs-sequential and
// importance-weighted-vs-mean comparisons on the car.
import { spawnSync } from 'child_process';
import { availableParallelism, cpus, loadavg, tmpdir } from 'os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, relative } from 'path';
import { ConfigurationFront, ConfigurationProblem, ConfigurationSolution, ObjectiveContext, PesFront, PesProblem, evaluateConfiguration } from '@pss/model';
import { loadDocument } from '@pss/documents';
import { Bounds, boundsOf, buildConfigurationSpace, combinationCount, configurationVector, filterFront, normalizedHypervolume, pesVector, solveConfigurationImodcs, solveConfigurationNsga2, solveProblem } from '@pss/optimizer';
import { OptimizerPool } from '@pss/optimizer-pool';
// The generator of test problems is not exported by the library's index (it is test support).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { RandomConfigurationOptions, randomConfigurationDocument, randomConfigurationProblem } from '../../libs/optimizer/src/testing/random-problem';
import { ExportedSpace, PeerSolution, exportSearchSpace, peerOccurrences } from './export-space';

const ROOT = join(__dirname, '..', '..');
const DOC = join(ROOT, 'docs', 'benchmarks.md');
const REFERENCE_DIR = join(ROOT, 'benchmarks', 'reference');
const START_MARK = '<!-- bench:optimizer:start -->';
const END_MARK = '<!-- bench:optimizer:end -->';

const CAR = 'examples/passenger-car.problem.yaml';
const FLEET = 'examples/elevator-fleet-12.problem.yaml';
const PES = 'examples/elevator-pes.json';
const REFERENCE_FILE: Record<string, string> = { [CAR]: 'passenger-car.front.json', [FLEET]: 'elevator-fleet-12.front.json' };
const FRAME_ACTIVITY = 'sa.running.frame';

// ---------------------------------------------------------------------------------------------
// Arguments and settings

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag('quick');
const ONLY = option('only')
  ?.split(',')
  .map((s) => Number(s.trim()));
const runs = (section: number) => !ONLY || ONLY.includes(section);
const COMMAND = `npm run bench:optimizer${QUICK ? ' -- --quick' : ''}`;

const SETTINGS = QUICK
  ? { smallSeeds: 2, seeds: [1], anytimeBudgets: [0.25, 0.5, 1, 2], anytimeSeeds: [1], peerBudgets: [10_000], peerSeeds: [1], pesSeeds: [1, 2], pesRepeats: 3, paperPreset: false }
  : { smallSeeds: 20, seeds: [1, 2, 3], anytimeBudgets: [0.25, 0.5, 1, 2, 4, 8, 16, 32], anytimeSeeds: [1, 2, 3], peerBudgets: [10_000, 50_000, 200_000], peerSeeds: [1, 2, 3], pesSeeds: [1, 2, 3, 4, 5], pesRepeats: 5, paperPreset: true };
/** Section 1: each algorithm's time limit, and how long exact may take to prove a front. */
const SMALL_LIMIT_MS = 1000;
const SMALL_EXACT_LIMIT_MS = 10_000;
/** A time limit overrun beyond this is reported as a finding. */
const OVERRUN_MS = 500;
const TARGET_RATIO = 0.99;

// ---------------------------------------------------------------------------------------------
// Small helpers

const t0 = Date.now();
/** The 1-minute load average, sampled at every log line: other work on the machine skews timings. */
const loads: number[] = [];
function log(message: string): void {
  loads.push(loadavg()[0]);
  process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${message}\n`);
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const minOf = (xs: number[]) => (xs.length ? Math.min(...xs) : NaN);
const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);

function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return '–';
  return x.toFixed(digits);
}
/** A hypervolume ratio: 4 decimals, more when that would round a shortfall up to 1. */
function ratio(x: number): string {
  if (!Number.isFinite(x)) return '–';
  // Below 1e-9 the difference is floating-point noise of the hypervolume computation.
  for (let digits = 4; digits <= 8; digits++) if (x >= 1 - 1e-9 || x.toFixed(digits) !== (1).toFixed(digits)) return x.toFixed(digits);
  return x.toFixed(8);
}
function ms(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 60_000) return `${(x / 60_000).toFixed(1)} min`;
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  return `${Math.round(x)} ms`;
}
function count(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e7 ? 0 : 1)}M`;
  if (x >= 1e4) return `${Math.round(x / 1e3)}k`;
  return String(Math.round(x));
}
function spread(xs: number[], digits?: number): string {
  const f = (x: number) => (digits === undefined ? ratio(x) : fmt(x, digits));
  if (xs.length === 0) return '–';
  if (xs.length === 1) return f(xs[0]);
  return `${f(median(xs))} (${f(minOf(xs))}–${f(maxOf(xs))})`;
}
function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function loadConfiguration(file: string): ConfigurationProblem {
  const { document } = loadDocument(join(ROOT, file));
  if (document.kind !== 'ConfigurationProblem') throw new Error(`${file}: expected a ConfigurationProblem`);
  return document.value;
}
function loadPes(file: string): PesProblem {
  const { document } = loadDocument(join(ROOT, file));
  if (document.kind !== 'PesProblem') throw new Error(`${file}: expected a PesProblem`);
  return document.value;
}

type Vector = number[];
const vectorsOf = (front: ConfigurationFront): Vector[] => front.solutions.map(configurationVector);

/** Hypervolume of `points` over the reference's, both normalized by `bounds`. */
function hvRatio(points: Vector[], reference: Vector[], bounds: Bounds): number {
  const ref = normalizedHypervolume(reference, bounds);
  return ref > 0 ? normalizedHypervolume(points, bounds) / ref : NaN;
}

/** Non-dominated union of vector sets (minimized), one per distinct vector. */
function unionFront(sets: Vector[][]): Vector[] {
  return filterFront(sets.flat(), (v) => v);
}

/** a dominates b (minimized vectors). */
function dominates(a: Vector, b: Vector): boolean {
  return a.every((x, i) => x <= b[i]) && a.some((x, i) => x < b[i]);
}

interface Finding {
  what: string;
  reproduce: string;
}
const findings: Finding[] = [];
function finding(what: string, reproduce: string): void {
  findings.push({ what, reproduce });
  log(`FINDING: ${what}`);
}

/** Wall time and the process's CPU time (user + system) of a run: CPU time is what other work on a shared machine disturbs least. */
function timed<T>(run: () => T): { value: T; ms: number; cpuMs: number } {
  const s = performance.now();
  const cpu = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - s, cpuMs: (used.user + used.system) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Machine

function machine(): Record<string, string> {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() ? ' + uncommitted changes' : '';
  return {
    CPU: cpu,
    cores: String(availableParallelism()),
    Node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: `${git || 'unknown'}${dirty}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Reference fronts

interface ReferenceFile {
  problem: string;
  /** 'exact': proven by the exact solver; 'best-known': the union of every front found so far. */
  kind: 'exact' | 'best-known';
  objectives: ['time', 'cost', 'reliability'];
  /** [time, cost, reliability] per solution of the front. */
  points: [number, number, number][];
  stats: Record<string, unknown>;
  updated: string;
  command: string;
  sources?: { date: string; what: string }[];
}

function referencePath(problem: string): string {
  return join(REFERENCE_DIR, REFERENCE_FILE[problem]);
}
function readReference(problem: string): ReferenceFile | undefined {
  const file = referencePath(problem);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ReferenceFile) : undefined;
}
function writeReference(ref: ReferenceFile): void {
  mkdirSync(REFERENCE_DIR, { recursive: true });
  writeFileSync(referencePath(ref.problem), JSON.stringify(ref, null, 1) + '\n');
}
const toMin = (p: [number, number, number]): Vector => [p[0], p[1], -p[2]];
const fromMin = (v: Vector): [number, number, number] => [v[0], v[1], -v[2]];

/** Keeps every front of the fleet found in this run, to update the best known one at the end. */
const fleetFronts: { what: string; vectors: Vector[] }[] = [];

async function computeReferences(): Promise<void> {
  const size = availableParallelism();
  log(`reference: the exact front of ${CAR} on ${size} worker(s) (about 7 core-minutes)`);
  const pool = new OptimizerPool({ size });
  const heartbeat = setInterval(() => log('reference: exact search running …'), 60_000);
  try {
    const car = loadConfiguration(CAR);
    const started = Date.now();
    const front = (await pool.solve(car, { algorithm: 'exact', exactLimit: 1e10 })) as ConfigurationFront;
    const wallMs = Date.now() - started;
    if (front.stats.exact !== true) throw new Error('the exact run did not prove its front');
    const workerStats = (front.stats.workerStats as { wallMs: number; evaluations: number }[] | undefined) ?? [];
    writeReference({
      problem: CAR,
      kind: 'exact',
      objectives: ['time', 'cost', 'reliability'],
      points: front.solutions.map((s) => [s.objectives.time, s.objectives.cost, s.objectives.reliability]),
      stats: { algorithm: 'exact', exact: true, solutions: front.solutions.length, evaluations: front.stats.evaluations, wallMs, workers: size, workerWallMs: workerStats.map((w) => w.wallMs), machine: machine() },
      updated: new Date().toISOString(),
      command: 'npm run bench:optimizer -- --reference',
    });
    log(`reference: ${front.solutions.length} solutions, ${ms(wallMs)} on ${size} workers`);
  } finally {
    clearInterval(heartbeat);
    await pool.close();
  }

  // The fleet: no exact front; long runs seed the best known one (every later run adds to it).
  const fleet = loadConfiguration(FLEET);
  for (const seed of [1, 2]) {
    log(`reference: fleet, hybrid 60 s and nsga2 1e6 evaluations, seed ${seed}`);
    fleetFronts.push({ what: `hybrid, 60 s limit, seed ${seed}`, vectors: vectorsOf(solveProblem(fleet, { algorithm: 'hybrid', seed, timeLimitMs: 60_000 }) as ConfigurationFront) });
    fleetFronts.push({ what: `nsga2, 1e6 evaluations, seed ${seed}`, vectors: vectorsOf(solveConfigurationNsga2(fleet, { seed, generations: 10_000, maxEvaluations: 1e6 })) });
  }
  updateFleetReference('npm run bench:optimizer -- --reference');
}

/** Merges this run's fleet fronts into the stored best known front; writes it when it improved. */
function updateFleetReference(command: string): { reference: Vector[]; added: number; stored: number } {
  const stored = readReference(FLEET);
  const old = stored?.points.map(toMin) ?? [];
  // New: not weakly dominated by a stored point, beyond floating-point noise (sums reached along
  // different paths differ in the last bits).
  const fresh = unionFront(fleetFronts.map((f) => f.vectors)).filter((v) => !old.some((o) => covers(o, v)));
  if (fresh.length === 0) return { reference: old, added: 0, stored: old.length };
  const union = unionFront([old, fresh]);
  const contributed = fleetFronts.filter((f) => f.vectors.some((v) => fresh.some((u) => covers(u, v) && covers(v, u)))).map((f) => f.what);
  writeReference({
    problem: FLEET,
    kind: 'best-known',
    objectives: ['time', 'cost', 'reliability'],
    points: union.map(fromMin),
    stats: { solutions: union.length, machine: machine() },
    updated: new Date().toISOString(),
    command,
    sources: [...(stored?.sources ?? []), { date: new Date().toISOString(), what: `${command}: ${[...new Set(contributed)].join('; ')}` }],
  });
  return { reference: union, added: fresh.length, stored: old.length };
}

/** a is at least as good as b everywhere, up to floating-point noise (minimized vectors). */
function covers(a: Vector, b: Vector): boolean {
  return a.every((x, i) => x <= b[i] + 1e-9 * Math.max(1, Math.abs(b[i])));
}

// ---------------------------------------------------------------------------------------------
// Section 1: generated small problems against their exact fronts

interface Shape {
  name: string;
  options: (seed: number) => RandomConfigurationOptions;
}

const SHAPES: Shape[] = [
  { name: '1 flow', options: (seed) => ({ seed, triggers: 1, activitiesPerFlow: [8, 12], depth: 3, resourceKinds: 3, resourcesPerKind: 6, maxKindsPerActivity: 2 }) },
  { name: '2 flows, one asset', options: (seed) => ({ seed, triggers: 2, activitiesPerFlow: [6, 8], resourceKinds: 3, resourcesPerKind: 6, maxKindsPerActivity: 2 }) },
  { name: 'fleet of 2–3 assets', options: (seed) => ({ seed, triggers: 3, assets: 2 + (seed % 2), flowsPerAsset: 2, activitiesPerFlow: [4, 6], resourceKinds: 2, resourcesPerKind: 5, startSpread: 3 }) },
  { name: 'busy intervals', options: (seed) => ({ seed, triggers: 2, assets: 3, flowsPerAsset: 2, activitiesPerFlow: [4, 6], resourceKinds: 2, resourcesPerKind: 5, busyIntervals: 8, startSpread: 3 }) },
  { name: 'qty 2 demands', options: (seed) => ({ seed, triggers: 2, activitiesPerFlow: [5, 7], resourceKinds: 3, resourcesPerKind: 6, maxQty: 2, maxKindsPerActivity: 2 }) },
];
const SMALL_ALGORITHMS = ['hybrid', 'imodcs', 'nsga2'] as const;
/**
 * Shape 6 is not in the table: one large flow (one big staffing component), often beyond what exact
 * proves in seconds. It checks that every algorithm answers within its 1 s limit.
 */
const HARD_SHAPE: Shape = { name: '1 large flow', options: (seed) => ({ seed, triggers: 1, activitiesPerFlow: [10, 14], depth: 3, resourceKinds: 3, resourcesPerKind: 8, maxKindsPerActivity: 2 }) };
const ALL_SHAPES = [...SHAPES, HARD_SHAPE];

function shapeSeed(shape: number, k: number): number {
  return 1000 * (shape + 1) + k;
}

function sectionSmall(): string {
  log('section 1: generated small problems');
  type Row = { ratio: number; ms: number; proven?: boolean };
  const results = new Map<string, Row[]>(SMALL_ALGORITHMS.map((a) => [a, []]));
  const perShape = new Map<string, Map<string, number[]>>();
  let skipped = 0;
  const skippedHard: number[] = [];
  let exactMs: number[] = [];
  const sizes: number[] = [];
  let problems = 0;
  SHAPES.forEach((shape, s) => {
    perShape.set(shape.name, new Map(SMALL_ALGORITHMS.map((a) => [a, []])));
    let used = 0;
    // Draw seeds until `smallSeeds` problems with a non-empty proven front (at most three times as many).
    for (let k = 1; used < SETTINGS.smallSeeds && k <= 3 * SETTINGS.smallSeeds; k++) {
      const seed = shapeSeed(s, k);
      const problem = randomConfigurationProblem(shape.options(seed));
      let exact: ConfigurationFront | undefined;
      try {
        const run = timed(() => solveProblem(problem, { algorithm: 'exact', timeLimitMs: SMALL_EXACT_LIMIT_MS }) as ConfigurationFront);
        exact = run.value;
        if (exact.stats.exact === true) exactMs.push(run.ms);
      } catch {
        exact = undefined;
      }
      if (!exact || exact.stats.exact !== true || exact.solutions.length === 0) {
        skipped++;
        // Too hard for exact (not merely infeasible): still, hybrid should answer within its limit.
        if (!exact || exact.stats.exact !== true) {
          skippedHard.push(seed);
          const reproduce = `npm run -s bench:optimizer -- --write-problem ${s + 1}:${seed} > /tmp/p.json && npm run -s pss -- optimize /tmp/p.json --algorithm hybrid --seed 1 --time-limit-ms ${SMALL_LIMIT_MS} --workers 1`;
          const run = timed(() => solveProblem(problem, { algorithm: 'hybrid', seed: 1, timeLimitMs: SMALL_LIMIT_MS }) as ConfigurationFront);
          if (run.value.solutions.length === 0) finding(`hybrid returned no solution on "${shape.name}" seed ${seed} (exact could not prove that problem's front within ${SMALL_EXACT_LIMIT_MS / 1000} s, so it is not in the table) with a ${SMALL_LIMIT_MS / 1000} s limit: "${run.value.infeasible}"`, reproduce);
          if (run.ms > SMALL_LIMIT_MS + OVERRUN_MS) finding(`hybrid took ${ms(run.ms)} with a ${SMALL_LIMIT_MS / 1000} s limit on "${shape.name}" seed ${seed}`, reproduce);
        }
        continue;
      }
      used++;
      problems++;
      sizes.push(buildConfigurationSpace(problem).log10Size);
      const reference = vectorsOf(exact);
      for (const algorithm of SMALL_ALGORITHMS) {
        const reproduce = `npm run -s bench:optimizer -- --write-problem ${s + 1}:${seed} > /tmp/p.json && npm run -s pss -- optimize /tmp/p.json --algorithm ${algorithm} --seed 1 --time-limit-ms ${SMALL_LIMIT_MS} --workers 1`;
        try {
          const run = timed(() => solveProblem(problem, { algorithm, seed: 1, timeLimitMs: SMALL_LIMIT_MS }) as ConfigurationFront);
          const vectors = vectorsOf(run.value);
          const bounds = boundsOf([reference, vectors]);
          const r = hvRatio(vectors, reference, bounds);
          if (r > 1 + 1e-9) finding(`${algorithm} beat the proven exact front on "${shape.name}" seed ${seed} (ratio ${r})`, reproduce);
          if (run.ms > SMALL_LIMIT_MS + OVERRUN_MS) finding(`${algorithm} took ${ms(run.ms)} with a ${SMALL_LIMIT_MS / 1000} s limit on "${shape.name}" seed ${seed}`, reproduce);
          results.get(algorithm)!.push({ ratio: r, ms: run.ms, proven: run.value.stats.exact === true });
          perShape.get(shape.name)!.get(algorithm)!.push(r);
        } catch (error) {
          finding(`${algorithm} failed on "${shape.name}" seed ${seed}: ${(error as Error).message}`, reproduce);
          results.get(algorithm)!.push({ ratio: 0, ms: NaN });
          perShape.get(shape.name)!.get(algorithm)!.push(0);
        }
      }
    }
  });
  exactMs = exactMs.filter(Number.isFinite);
  const rows = SMALL_ALGORITHMS.map((a) => {
    const r = results.get(a)!;
    const ratios = r.map((x) => x.ratio);
    const atTarget = ratios.filter((x) => x >= 0.999).length;
    const median_ = median(ratios);
    return [
      a === 'hybrid' ? 'hybrid (ours)' : `${a} (default preset)`,
      ratio(median_),
      ratio(minOf(ratios)),
      `${atTarget}/${ratios.length} (${Math.round((100 * atTarget) / Math.max(1, ratios.length))} %)`,
      ms(median(r.map((x) => x.ms))),
      ms(maxOf(r.map((x) => x.ms).filter(Number.isFinite))),
      median_ >= 0.999 ? 'met' : 'not met',
    ];
  });
  const shapeRows = SHAPES.map((shape) => [shape.name, ...SMALL_ALGORITHMS.map((a) => `${ratio(median(perShape.get(shape.name)!.get(a)!))} / ${ratio(minOf(perShape.get(shape.name)!.get(a)!))}`)]);
  const proven = results.get('hybrid')!.filter((r) => r.proven).length;
  const hard = sectionHard();
  return [
    `## 1. Quality on generated small problems`,
    '',
    `${problems} problems from \`libs/optimizer/src/testing/random-problem.ts\` (${SHAPES.length} shapes, ${SETTINGS.smallSeeds} each; ${skipped} drawn seeds skipped: ${skipped - skippedHard.length} with no feasible configuration, ${skippedHard.length} whose front exact could not prove within ${SMALL_EXACT_LIMIT_MS / 1000} s${skippedHard.length ? ` (seeds ${skippedHard.join(', ')}; hybrid's answers on them are checked under Findings)` : ''}), ` +
      `search spaces of 10^${fmt(minOf(sizes), 1)}–10^${fmt(maxOf(sizes), 1)} configurations (median 10^${fmt(median(sizes), 1)}); \`exact\` proved each front in ${ms(median(exactMs))} (median, max ${ms(maxOf(exactMs))}). ` +
      `Each algorithm ran with seed 1 and a ${SMALL_LIMIT_MS / 1000} s time limit; ratio = hypervolume of its front / hypervolume of the exact front, both normalized by \`boundsOf\` over the two fronts (vectors [time, cost, −reliability]). Target: median ≥ 0.999 within 1 s.`,
    '',
    table(['algorithm', 'median ratio', 'min ratio', 'problems at ≥ 0.999', 'median wall', 'max wall', 'target'], rows),
    '',
    `hybrid proved its front (stats.exact) on ${proven} of ${results.get('hybrid')!.length} problems.`,
    '',
    'Per shape (median / min ratio):',
    '',
    table(['shape', ...SMALL_ALGORITHMS], shapeRows),
    '',
    `Reproduce one problem: \`npm run -s bench:optimizer -- --write-problem SHAPE:SEED > p.json\` (shape 1–${SHAPES.length}, seed ${shapeSeed(0, 1)}… as \`1000·shape + k\`), then \`npm run -s pss -- optimize p.json --algorithm hybrid --time-limit-ms 1000\`.`,
    '',
    hard,
  ].join('\n');
}

/** Shape 6: does every algorithm answer, and within its limit, when the problem is hard? */
function sectionHard(): string {
  const seeds = Array.from({ length: QUICK ? 3 : 10 }, (_, k) => 1001 + k);
  const shape = ALL_SHAPES.length;
  const rows = new Map<string, { solutions: number; ms: number }[]>(SMALL_ALGORITHMS.map((a) => [a, []]));
  let feasible = 0;
  for (const seed of seeds) {
    const problem = randomConfigurationProblem(HARD_SHAPE.options(seed));
    const runs = SMALL_ALGORITHMS.map((algorithm) => {
      try {
        const r = timed(() => solveProblem(problem, { algorithm, seed: 1, timeLimitMs: SMALL_LIMIT_MS }) as ConfigurationFront);
        return { algorithm, solutions: r.value.solutions.length, ms: r.ms, infeasible: r.value.infeasible };
      } catch (error) {
        return { algorithm, solutions: 0, ms: NaN, infeasible: `crashed: ${(error as Error).message}` };
      }
    });
    // Feasible when some algorithm found a solution: then every algorithm should have.
    const known = runs.some((r) => r.solutions > 0);
    if (known) feasible++;
    for (const r of runs) {
      const reproduce = `npm run -s bench:optimizer -- --write-problem ${shape}:${seed} > /tmp/p.json && npm run -s pss -- optimize /tmp/p.json --algorithm ${r.algorithm} --seed 1 --time-limit-ms ${SMALL_LIMIT_MS} --workers 1`;
      if (known) rows.get(r.algorithm)!.push({ solutions: r.solutions, ms: r.ms });
      if (known && r.solutions === 0) finding(`${r.algorithm} returned no solution within a ${SMALL_LIMIT_MS / 1000} s limit on "${HARD_SHAPE.name}" seed ${seed}, where another algorithm found some ("${r.infeasible}")`, reproduce);
      if (r.ms > SMALL_LIMIT_MS + OVERRUN_MS) finding(`${r.algorithm} took ${ms(r.ms)} with a ${SMALL_LIMIT_MS / 1000} s limit on "${HARD_SHAPE.name}" seed ${seed}`, reproduce);
    }
  }
  return [
    `Robustness check, not in the table above (shape ${shape}, "${HARD_SHAPE.name}": one flow of 10–14 activities, 8 resources per kind; seeds ${seeds[0]}–${seeds[seeds.length - 1]}, ${feasible} of them with a solution found by some algorithm). ` +
      `These are often beyond what exact proves in seconds; each algorithm had the same ${SMALL_LIMIT_MS / 1000} s limit. Problems where it answered (of those ${feasible}), and its wall time:`,
    '',
    table(
      ['algorithm', 'answered', 'median wall', 'max wall'],
      SMALL_ALGORITHMS.map((a) => {
        const r = rows.get(a)!;
        return [a, `${r.filter((x) => x.solutions > 0).length}/${r.length}`, ms(median(r.map((x) => x.ms))), ms(maxOf(r.map((x) => x.ms)))];
      }),
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Sections 2-4: the car and the fleet

interface Run {
  vectors: Vector[];
  wallMs: number;
  cpuMs: number;
  evaluations: number;
  stats: Record<string, unknown>;
}

function runOf(front: ConfigurationFront, wallMs: number, cpuMs: number): Run {
  return { vectors: vectorsOf(front), wallMs, cpuMs, evaluations: front.stats.evaluations, stats: front.stats };
}
/** "wall (CPU)" of runs: medians. */
function times(runs: Run[]): string {
  return `${ms(median(runs.map((r) => r.wallMs)))} (${ms(median(runs.map((r) => r.cpuMs)))})`;
}

type Algorithm = 'hybrid' | 'imodcs' | 'nsga2';

/** Default settings, the algorithm's own budget. */
function runDefault(problem: ConfigurationProblem, algorithm: Algorithm, seed: number): Run {
  const r = timed(() => solveProblem(problem, { algorithm, seed }) as ConfigurationFront);
  return runOf(r.value, r.ms, r.cpuMs);
}

/** Default settings, but the budget is the time limit (the iteration counts of the presets lifted). */
function runTimed(problem: ConfigurationProblem, algorithm: Algorithm, seed: number, timeLimitMs: number): Run {
  const r = timed(() => {
    if (algorithm === 'hybrid') return solveProblem(problem, { algorithm, seed, timeLimitMs }) as ConfigurationFront;
    if (algorithm === 'imodcs') return solveConfigurationImodcs(problem, { seed, timeLimitMs, iterations: 1e9 });
    return solveConfigurationNsga2(problem, { seed, timeLimitMs, generations: 1e9 });
  });
  return runOf(r.value, r.ms, r.cpuMs);
}

interface Case {
  file: string;
  label: string;
  problem: ConfigurationProblem;
  /** The best known front (minimized vectors) and its normalization bounds; the fleet's grows during the run. */
  reference: Vector[];
  kind: string;
  applicable: Record<Algorithm, string | undefined>;
}

function loadCase(file: string, label: string): Case | undefined {
  const problem = loadConfiguration(file);
  const stored = readReference(file);
  if (file === CAR && !stored) {
    log(`no reference front for ${file}: run \`npm run bench:optimizer -- --reference\` first (about 7 core-minutes); skipping it`);
    return undefined;
  }
  const space = buildConfigurationSpace(problem);
  const combos = combinationCount(space);
  const applicable: Record<Algorithm, string | undefined> = { hybrid: undefined, imodcs: undefined, nsga2: undefined };
  if (combos > 1e5) applicable.imodcs = `refuses: ${combos.toExponential(1)} combinations of alternatives, one search each (limit 1e5)`;
  return { file, label, problem, reference: stored?.points.map(toMin) ?? [], kind: stored?.kind ?? 'best-known', applicable };
}

/** Runs kept per case and label, ratios computed at the end (the fleet's reference may still grow). */
const kept = new Map<string, Run[]>();
function keep(c: Case, label: string, run: Run): Run {
  const key = `${c.file}\u0000${label}`;
  kept.set(key, [...(kept.get(key) ?? []), run]);
  if (c.file === FLEET) fleetFronts.push({ what: `${label}`, vectors: run.vectors });
  return run;
}
function keptRuns(c: Case, label: string): Run[] {
  return kept.get(`${c.file}\u0000${label}`) ?? [];
}

function boundsFor(c: Case): Bounds {
  return boundsOf([c.reference]);
}
function ratioOf(c: Case, run: Run): number {
  return hvRatio(run.vectors, c.reference, boundsFor(c));
}
/** While the run goes on: the fleet's best known front includes what was found so far. */
function currentReference(c: Case): Vector[] {
  if (c.file !== FLEET) return c.reference;
  return unionFront([c.reference, ...fleetFronts.map((f) => f.vectors)]);
}

function runQuality(c: Case): void {
  log(`section 2: ${c.label} at default settings`);
  for (const algorithm of ['hybrid', 'imodcs', 'nsga2'] as const) {
    if (c.applicable[algorithm]) continue;
    for (const seed of SETTINGS.seeds) {
      try {
        const run = keep(c, `default:${algorithm}`, runDefault(c.problem, algorithm, seed));
        log(`  ${algorithm} seed ${seed}: ${run.vectors.length} solutions, ${ms(run.wallMs)}`);
      } catch (error) {
        finding(`${algorithm} failed on ${c.file} (seed ${seed}): ${(error as Error).message}`, `npm run -s pss -- optimize ${c.file} --algorithm ${algorithm} --seed ${seed} --workers 1`);
      }
    }
  }
}

interface AnytimePoint {
  budget: number;
  runs: Run[];
}
const anytime = new Map<string, AnytimePoint[]>();

function runAnytime(c: Case): void {
  for (const algorithm of ['hybrid', 'imodcs', 'nsga2'] as const) {
    if (c.applicable[algorithm]) continue;
    const points: AnytimePoint[] = [];
    anytime.set(`${c.file}\u0000${algorithm}`, points);
    for (const budget of SETTINGS.anytimeBudgets) {
      const runs = SETTINGS.anytimeSeeds.map((seed) => keep(c, `anytime:${algorithm}:${budget}`, runTimed(c.problem, algorithm, seed, budget * 1000)));
      points.push({ budget, runs });
      const reproduce = `npm run -s pss -- optimize ${c.file} --algorithm ${algorithm} --seed ${SETTINGS.anytimeSeeds[0]} --time-limit-ms ${budget * 1000} --workers 1`;
      const emptySeeds = SETTINGS.anytimeSeeds.filter((_, i) => runs[i].vectors.length === 0);
      if (emptySeeds.length) finding(`${algorithm} returned no solution on ${c.file} with a ${budget} s limit (seed ${emptySeeds.join(', ')} of ${SETTINGS.anytimeSeeds.join(', ')})${algorithm === 'hybrid' ? '' : ' (iteration counts lifted)'}`, reproduce.replace(`--seed ${SETTINGS.anytimeSeeds[0]}`, `--seed ${emptySeeds[0]}`));
      const over = maxOf(runs.map((r) => r.wallMs)) - budget * 1000;
      if (over > 2 * OVERRUN_MS) finding(`${algorithm} overran a ${budget} s limit by ${ms(over)} on ${c.file}`, reproduce);
      const reference = currentReference(c);
      const bounds = boundsOf([reference]);
      const now = median(runs.map((r) => hvRatio(r.vectors, reference, bounds)));
      log(`section 3: ${c.label} ${algorithm} ${budget} s: median ratio ${ratio(now)} (against the front known now)`);
      if (now >= TARGET_RATIO) break;
    }
  }
}

interface PeerResult {
  evaluations: number;
  ours: Run[];
  deap: (Run & { infeasible: number; mismatched: number; solutions: number })[];
}
const peerResults = new Map<string, PeerResult[]>();
let deapInfo = '';

function findPython(): string | undefined {
  for (const python of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p)) {
    const check = spawnSync(python, ['-c', 'import deap'], { encoding: 'utf8' });
    if (check.status === 0) return python;
  }
  return undefined;
}

function runPeer(c: Case, python: string | undefined): void {
  const results: PeerResult[] = SETTINGS.peerBudgets.map((evaluations) => ({ evaluations, ours: [], deap: [] }));
  peerResults.set(c.file, results);
  for (const r of results) {
    for (const seed of SETTINGS.peerSeeds) {
      const run = timed(() => solveConfigurationNsga2(c.problem, { seed, maxEvaluations: r.evaluations, generations: Math.ceil(r.evaluations / 100) }));
      r.ours.push(keep(c, `peer:ours:${r.evaluations}`, runOf(run.value, run.ms, run.cpuMs)));
      log(`section 4: ${c.label} our nsga2 ${count(r.evaluations)} evaluations seed ${seed}: ${ms(run.ms)}`);
    }
  }
  if (!python) return;
  const dir = mkdtempSync(join(tmpdir(), 'pss-bench-'));
  try {
    const space = exportSearchSpace(c.problem);
    const spaceFile = join(dir, 'space.json');
    writeFileSync(spaceFile, JSON.stringify(space));
    const context = new ObjectiveContext(c.problem);
    for (const seed of SETTINGS.peerSeeds) {
      const out = join(dir, `deap-${seed}.json`);
      log(`section 4: ${c.label} DEAP NSGA-II seed ${seed}, checkpoints ${SETTINGS.peerBudgets.join(', ')}`);
      const proc = spawnSync(python, [join(__dirname, 'deap_nsga2.py'), spaceFile, out, '--seed', String(seed), '--checkpoints', SETTINGS.peerBudgets.join(',')], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const reproduce = `npx tsx --tsconfig tsconfig.base.json tools/bench/export-space.ts ${c.file} /tmp/space.json && ${python} tools/bench/deap_nsga2.py /tmp/space.json /tmp/deap.json --seed ${seed} --checkpoints ${SETTINGS.peerBudgets.join(',')}`;
      if (proc.status !== 0) {
        finding(`DEAP NSGA-II failed on ${c.file} (seed ${seed}): ${proc.stderr.trim().split('\n').slice(-3).join(' ')}`, reproduce);
        continue;
      }
      const output = JSON.parse(readFileSync(out, 'utf8')) as { deap: string; python: string; checkpoints: { evaluations: number; seconds: number; cpuSeconds: number; generations: number; front: PeerSolution[] }[] };
      deapInfo = `DEAP ${output.deap} on Python ${output.python} (${python})`;
      for (const checkpoint of output.checkpoints) {
        const r = results.find((x) => x.evaluations === checkpoint.evaluations);
        if (!r) continue;
        const checked = checkPeerFront(c, space, context, checkpoint.front);
        if (checked.infeasible) finding(`DEAP NSGA-II returned ${checked.infeasible} infeasible solution(s) on ${c.file} (seed ${seed}, ${checkpoint.evaluations} evaluations): ${checked.firstViolation}`, reproduce);
        if (checked.mismatched) finding(`DEAP NSGA-II's own objective values differ from the model's evaluator for ${checked.mismatched} solution(s) on ${c.file} (seed ${seed})`, reproduce);
        const run: Run = { vectors: checked.vectors, wallMs: checkpoint.seconds * 1000, cpuMs: checkpoint.cpuSeconds * 1000, evaluations: checkpoint.evaluations, stats: { generations: checkpoint.generations } };
        keep(c, `peer:deap:${checkpoint.evaluations}`, run);
        r.deap.push({ ...run, infeasible: checked.infeasible, mismatched: checked.mismatched, solutions: checkpoint.front.length });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The model's evaluator on every solution of the peer: infeasible ones are counted and dropped. */
function checkPeerFront(c: Case, space: ExportedSpace, context: ObjectiveContext, front: PeerSolution[]) {
  let infeasible = 0;
  let mismatched = 0;
  let firstViolation = '';
  const solutions: ConfigurationSolution[] = [];
  for (const s of front) {
    let occurrences;
    try {
      occurrences = peerOccurrences(space, s);
    } catch (error) {
      infeasible++;
      firstViolation ||= (error as Error).message;
      continue;
    }
    const e = evaluateConfiguration(c.problem, occurrences, context);
    if (!e.feasible) {
      infeasible++;
      firstViolation ||= e.violations.map((v) => `${v.rule} ${v.path}: ${v.message}`).join('; ');
      continue;
    }
    if (s.objectives) {
      const mine = [e.objectives.time, e.objectives.cost, e.objectives.reliability];
      if (mine.some((x, i) => Math.abs(x - s.objectives![i]) > 1e-9 * Math.max(1, Math.abs(x)))) mismatched++;
    }
    solutions.push({ objectives: e.objectives, occurrences });
  }
  const vectors = filterFront(solutions, configurationVector).map(configurationVector);
  return { vectors, infeasible, mismatched, firstViolation };
}

// The paper's preset runs last, alone on the machine (it is long: minutes).
interface PaperResult {
  run?: Run;
  error?: string;
}
function runPaperPreset(c: Case): PaperResult {
  log(`section 4: IMODCS with the paper's preset on ${c.file} (long: minutes)`);
  try {
    const r = timed(() => solveProblem(c.problem, { algorithm: 'imodcs', preset: 'paper', seed: 1 }) as ConfigurationFront);
    log(`section 4: the paper preset took ${ms(r.ms)}`);
    return { run: runOf(r.value, r.ms, r.cpuMs) };
  } catch (error) {
    finding(`imodcs --preset paper failed on ${c.file}: ${(error as Error).message}`, `npm run -s pss -- optimize ${c.file} --algorithm imodcs --preset paper --seed 1 --workers 1`);
    return { error: (error as Error).message };
  }
}

function renderCases(cases: Case[], paper: PaperResult | undefined, python: string | undefined, fleetNote: string): string {
  const out: string[] = [];
  const label = (a: Algorithm) => (a === 'hybrid' ? 'hybrid (ours)' : `${a} (default preset)`);

  // Section 2
  out.push('## 2. Paper-scale problems', '');
  for (const c of cases) {
    const space = buildConfigurationSpace(c.problem);
    out.push(
      `**${c.label}** (\`${c.file}\`): ${space.flows.length} triggered flows, ${combinationCount(space).toExponential(2)} combinations of alternatives, 10^${fmt(space.log10Size, 1)} configurations. ` +
        `Reference: ${c.kind === 'exact' ? `the exact front (${c.reference.length} solutions, \`benchmarks/reference/${REFERENCE_FILE[c.file]}\`, computed by \`npm run bench:optimizer -- --reference\`)` : `the best known front: the union of every front of this run and of the stored reference (${c.reference.length} solutions, \`benchmarks/reference/${REFERENCE_FILE[c.file]}\`)`}. ` +
        `Ratio = hypervolume / the reference's, both normalized by the reference's bounds. Default settings, each algorithm's own budget, seeds ${SETTINGS.seeds.join(', ')}: median (min–max).`,
      '',
    );
    const rows = (['hybrid', 'imodcs', 'nsga2'] as const).map((a) => {
      if (c.applicable[a]) return [label(a), c.applicable[a]!, '', '', '', ''];
      const rs = keptRuns(c, `default:${a}`);
      return [label(a), spread(rs.map((r) => ratioOf(c, r))), spread(rs.map((r) => r.vectors.length), 0), times(rs), count(median(rs.map((r) => r.evaluations))), `\`npm run -s pss -- optimize ${c.file} --algorithm ${a} --seed 1 --workers 1\``];
    });
    out.push(table(['algorithm', 'HV ratio', 'solutions', 'median wall (CPU)', 'evaluations', 'CLI equivalent'], rows), '');
    const stored = readReference(c.file);
    if (stored?.kind === 'exact') {
      const st = stored.stats as { wallMs?: number; workers?: number; workerWallMs?: number[]; machine?: { date?: string } };
      out.push(`The exact front was computed by \`npm run bench:optimizer -- --reference\` on ${st.machine?.date ?? '?'}: ${ms(st.wallMs ?? NaN)} on ${st.workers ?? '?'} workers of the optimizer pool (per-worker wall times ${(st.workerWallMs ?? []).map(ms).join(', ')}).`, '');
    }
    const hy = keptRuns(c, 'default:hybrid')[0];
    if (hy) out.push(`hybrid's evaluations are complete staffings put on a combination's front; its work is in dynamic-programming steps (${count(Number(hy.stats.steps))} on this problem, mode ${String(hy.stats.mode)}, ${String(hy.stats.combinationsSolved)} combinations solved, ${String(hy.stats.combinationsPruned)} pruned by bounds, stats.exact ${String(hy.stats.exact)}).`, '');
    if (c.file === FLEET && fleetNote) out.push(fleetNote, '');
  }

  // Section 3
  out.push(
    '## 3. Anytime behaviour',
    '',
    `Each algorithm with time limits of ${SETTINGS.anytimeBudgets.join(', ')} s (growing until the median ratio reaches ${TARGET_RATIO}), seeds ${SETTINGS.anytimeSeeds.join(', ')} per limit; ` +
      'the time limit is the budget (IMODCS keeps its default 20 nests × 2 runs and NSGA-II its population of 100, with the iteration counts lifted; hybrid is run as it is, and stops by itself once it has searched everything). ' +
      `Reported: the first limit whose median ratio is ≥ ${TARGET_RATIO}, with the median wall time and evaluations of those runs.`,
    '',
  );
  const anyRows: string[][] = [];
  const curveRows: string[][] = [];
  for (const c of cases) {
    for (const a of ['hybrid', 'imodcs', 'nsga2'] as const) {
      if (c.applicable[a]) {
        anyRows.push([c.label, label(a), c.applicable[a]!, '', '']);
        continue;
      }
      const points = anytime.get(`${c.file}\u0000${a}`) ?? [];
      if (points.length === 0) continue;
      const ratios = points.map((p) => median(p.runs.map((r) => ratioOf(c, r))));
      const hit = points.findIndex((_, i) => ratios[i] >= TARGET_RATIO);
      if (hit >= 0) {
        const p = points[hit];
        anyRows.push([c.label, label(a), `${p.budget} s`, times(p.runs), count(median(p.runs.map((r) => r.evaluations)))]);
      } else {
        anyRows.push([c.label, label(a), `not reached within ${points[points.length - 1].budget} s (best median ${ratio(maxOf(ratios))})`, '', '']);
      }
      curveRows.push([c.label, label(a), ...SETTINGS.anytimeBudgets.map((b) => {
        const i = points.findIndex((p) => p.budget === b);
        return i >= 0 ? ratio(ratios[i]) : '';
      })]);
    }
  }
  out.push(table(['problem', 'algorithm', `first limit at ≥ ${TARGET_RATIO}`, 'median wall (CPU)', 'median evaluations'], anyRows), '', 'Median ratio per time limit:', '');
  out.push(table(['problem', 'algorithm', ...SETTINGS.anytimeBudgets.map((b) => `${b} s`)], curveRows), '');
  let worst = { over: -Infinity, what: '' };
  for (const c of cases) {
    for (const a of ['hybrid', 'imodcs', 'nsga2'] as const) {
      for (const p of anytime.get(`${c.file}\u0000${a}`) ?? []) {
        for (const r of p.runs) if (r.wallMs - p.budget * 1000 > worst.over) worst = { over: r.wallMs - p.budget * 1000, what: `${a} on the ${c.label} with a ${p.budget} s limit: ${ms(r.wallMs)}` };
      }
    }
  }
  if (worst.what) out.push(`Time limits stop the search; building the answer (decoding every solution and re-checking it with the model's evaluator) comes after. Largest overshoot of a limit in these runs: ${ms(worst.over)} (${worst.what}).`, '');

  // Section 4
  out.push('## 4. Our default against the paper\'s preset and against DEAP', '');
  const car = cases.find((c) => c.file === CAR);
  if (car) {
    const hy = keptRuns(car, 'default:hybrid');
    const hyRatio = median(hy.map((r) => ratioOf(car, r)));
    const hyMs = median(hy.map((r) => r.wallMs));
    if (!SETTINGS.paperPreset) out.push('IMODCS with the paper\'s preset: skipped (`--quick`).', '');
    else if (!paper?.run) out.push(`IMODCS with the paper's preset: failed: ${paper?.error ?? 'not run'}.`, '');
    else {
      const pRatio = ratioOf(car, paper.run);
      const reached = hyRatio >= pRatio;
      const fast = hyMs < paper.run.wallMs / 50;
      // The earliest anytime limit at which hybrid matched the paper preset's hypervolume.
      const points = anytime.get(`${CAR}\u0000hybrid`) ?? [];
      const earliest = points.find((p) => median(p.runs.map((r) => ratioOf(car, r))) >= pRatio);
      out.push(
        `On the car: IMODCS with \`--preset paper\` (200 nests, pa 0.25, 3000 iterations, 10 runs; seed 1, one run, last in the benchmark and alone on the machine) against hybrid at its default settings (median of seeds ${SETTINGS.seeds.join(', ')}).`,
        '',
        table(
          ['run', 'HV ratio', 'solutions', 'wall time', 'CPU time', 'evaluations'],
          [
            ['imodcs --preset paper', ratio(pRatio), String(paper.run.vectors.length), ms(paper.run.wallMs), ms(paper.run.cpuMs), count(paper.run.evaluations)],
            ['hybrid (default)', ratio(hyRatio), String(median(hy.map((r) => r.vectors.length))), ms(hyMs), ms(median(hy.map((r) => r.cpuMs))), count(median(hy.map((r) => r.evaluations)))],
          ],
        ),
        '',
        `Target "our default reaches the paper preset's final hypervolume in under 1/50 of its wall time" (${ms(paper.run.wallMs / 50)}): ${reached && fast ? '**met**' : '**not met**'} ` +
          `(hypervolume ${reached ? 'reached' : 'not reached'}: ${ratio(hyRatio)} vs ${ratio(pRatio)}; wall time ${ms(hyMs)} = 1/${(paper.run.wallMs / hyMs).toFixed(0)} of the paper preset's; CPU time 1/${(paper.run.cpuMs / median(hy.map((r) => r.cpuMs))).toFixed(0)}).` +
          (earliest ? ` In section 3, hybrid with a ${earliest.budget} s limit already matched it (median wall (CPU) ${times(earliest.runs)}).` : ''),
        '',
        `Reproduce the paper preset alone: \`npm run -s pss -- optimize ${CAR} --algorithm imodcs --preset paper --seed 1 --workers 1 --quiet\`.`,
        '',
      );
    }
  }
  if (!python) out.push('NSGA-II from DEAP: **skipped**: `python3 -c "import deap"` failed. Install Debian\'s package: `apt-get install -y python3-deap`.', '');
  out.push(
    `At equal evaluations: our NSGA-II (default parameters, population 100, generations sized to the budget) against NSGA-II from DEAP (${deapInfo || 'not run'}) driven by \`tools/bench/deap_nsga2.py\` over the search space exported by \`tools/bench/export-space.ts\` ` +
      '(same encoding, same repair, population 100, cxUniform 0.9, mutUniformInt 1/L, selNSGA2, an external archive like ours). Every DEAP solution is re-checked by the model\'s `evaluateConfiguration`; infeasible ones are counted and dropped. ' +
      `Seeds ${SETTINGS.peerSeeds.join(', ')}: median (min–max); wall time is search time (DEAP: inside Python, after loading the space; ours: the solver's own wall time).`,
    '',
  );
  const peerRows: string[][] = [];
  for (const c of cases) {
    const results = peerResults.get(c.file) ?? [];
    for (const r of results) {
      const ours = r.ours.map((x) => ratioOf(c, x));
      const deap = r.deap.map((x) => ratioOf(c, x));
      const delta = median(ours) - median(deap);
      const ahead = deap.length ? `${delta > 0 ? 'ours' : delta < 0 ? 'DEAP' : 'tie'} (${delta >= 0 ? '+' : '−'}${Math.abs(delta).toFixed(5)})` : '–';
      peerRows.push([c.label, count(r.evaluations), spread(ours), deap.length ? spread(deap) : 'not run', times(r.ours), deap.length ? times(r.deap) : '–', deap.length ? String(r.deap.reduce((s, x) => s + x.infeasible, 0)) : '–', ahead]);
    }
    const hy = keptRuns(c, 'default:hybrid');
    if (hy.length) peerRows.push([c.label, `hybrid: ${count(median(hy.map((r) => r.evaluations)))}`, spread(hy.map((r) => ratioOf(c, r))), '', times(hy), '', '', '(hybrid at its default budget)']);
  }
  out.push(table(['problem', 'evaluations', 'ours (nsga2) HV ratio', 'DEAP HV ratio', 'ours wall (CPU)', 'DEAP wall (CPU)', 'DEAP infeasible', 'ahead (Δ median ratio)'], peerRows), '');
  const pairs = cases.flatMap((c) => (peerResults.get(c.file) ?? []).filter((r) => r.deap.length > 0).map((r) => ({ c, r, ahead: median(r.ours.map((x) => ratioOf(c, x))) > median(r.deap.map((x) => ratioOf(c, x))) })));
  if (pairs.length) {
    const behind = pairs.filter((p) => !p.ahead).map((p) => `${p.c.label} at ${count(p.r.evaluations)}`);
    const speed = median(pairs.map((p) => median(p.r.deap.map((x) => x.wallMs)) / median(p.r.ours.map((x) => x.wallMs))));
    const cpuSpeed = median(pairs.map((p) => median(p.r.deap.map((x) => x.cpuMs)) / median(p.r.ours.map((x) => x.cpuMs))));
    out.push(
      `Target "ahead of DEAP at equal evaluations" (higher median hypervolume ratio at every budget on both problems): ${behind.length ? '**not met**' : '**met**'}: ours ahead at ${pairs.length - behind.length} of ${pairs.length} budgets${behind.length ? `, not ahead at ${behind.join('; ')}` : ''}. ` +
        `At equal evaluations ours took 1/${speed.toFixed(0)} of DEAP's wall time and 1/${cpuSpeed.toFixed(0)} of its CPU time (medians over the budgets).`,
      '',
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Section 5: the PES elevator case

function sectionPes(): string {
  log('section 5: the PES elevator case');
  const problem = loadPes(PES);
  const autoRuns = Array.from({ length: SETTINGS.pesRepeats }, () => timed(() => solveProblem(problem, { algorithm: 'auto' }) as PesFront));
  const exact = autoRuns[0].value;
  const reference = exact.solutions.map(pesVector);
  const bounds = boundsOf([reference]);
  const rows: string[][] = [];
  const autoMs = median(autoRuns.map((r) => r.ms));
  for (const preset of ['default', 'paper'] as const) {
    const rs = SETTINGS.pesSeeds.map((seed) => timed(() => solveProblem(problem, { algorithm: 'nsga2', preset, seed }) as PesFront));
    const ratios = rs.map((r) => hvRatio(r.value.solutions.map(pesVector), reference, bounds));
    rows.push([`nsga2 --preset ${preset}`, spread(ratios), spread(rs.map((r) => r.value.solutions.length), 0), ms(median(rs.map((r) => r.ms))), count(median(rs.map((r) => r.value.stats.evaluations))), `\`npm run -s pss -- optimize ${PES} --algorithm nsga2 --preset ${preset} --seed 1\``]);
  }
  return [
    '## 5. The PES elevator case (seed 003)',
    '',
    `\`${PES}\`: \`auto\` answered with \`${exact.stats.algorithm}\`${exact.stats.exact === true ? ' (stats.exact: proven)' : ''}, ${exact.solutions.length} solutions, in **${ms(autoMs)}** (median of ${SETTINGS.pesRepeats} runs; min ${ms(minOf(autoRuns.map((r) => r.ms)))}, max ${ms(maxOf(autoRuns.map((r) => r.ms)))}). ` +
      `Target under 1 s: ${autoMs < 1000 && exact.stats.exact === true ? '**met**' : '**not met**'}. Reproduce: \`npm run -s pss -- optimize ${PES}\`.`,
    '',
    `NSGA-II against that exact front (vectors [−performance, cost, responseTime], normalized by the exact front's bounds), seeds ${SETTINGS.pesSeeds.join(', ')}: median (min–max).`,
    '',
    table(['run', 'HV ratio', 'solutions', 'median wall', 'evaluations', 'CLI'], rows),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Section 6: seed 004's comparisons on the car

function sectionPaperComparisons(c: Case): string {
  log('section 6: joint vs sequential, importance-weighted vs mean (car)');
  const problem = c.problem;
  const joint = timed(() => solveProblem(problem, { algorithm: 'hybrid' }) as ConfigurationFront);
  const sequential = timed(() => solveProblem(problem, { algorithm: 'hybrid', strategy: 'sequential' }) as ConfigurationFront);
  const mean = timed(() => solveProblem(problem, { algorithm: 'hybrid', reliability: 'mean' }) as ConfigurationFront);
  const bounds = boundsFor(c);
  const jv = vectorsOf(joint.value);
  const sv = vectorsOf(sequential.value);
  const dominated = sv.filter((s) => jv.some((j) => dominates(j, s))).length;
  const key = (v: Vector) => v.map((x) => x.toPrecision(12)).join(',');
  const jointKeys = new Set(jv.map(key));
  const shared = sv.filter((s) => jointKeys.has(key(s))).length;
  const exactKeys = new Set(c.reference.map(key));
  const sequentialOnExact = sv.filter((s) => exactKeys.has(key(s))).length;
  const exactRef = c.kind === 'exact';

  // Figure 10: R_o of the frame maintenance in the solutions of each front.
  const context = new ObjectiveContext(problem);
  const activity = problem.model.activities.find((a) => a.id === FRAME_ACTIVITY);
  const rOf = (front: ConfigurationFront) =>
    front.solutions.flatMap((s) =>
      s.occurrences
        .filter((o) => o.activity === FRAME_ACTIVITY)
        .map((o) => (activity && activity.demands.length === 0 ? activity.reliability : o.resources.reduce((p, r) => p * (context.thetaOf(r, o.activity) ?? NaN), 1))),
    );
  const rw = rOf(joint.value);
  const rm = rOf(mean.value);
  const best = maxOf([...rw, ...rm]);
  const share = (xs: number[]) => (xs.length ? `${Math.round((100 * xs.filter((x) => x >= best - 1e-12).length) / xs.length)} %` : '–');
  const importance = context.importance[FRAME_ACTIVITY];
  const mean_ = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
  const rowR = (name: string, xs: number[], front: ConfigurationFront) => [name, String(front.solutions.length), String(xs.length), fmt(mean_(xs)), fmt(median(xs)), fmt(minOf(xs)), fmt(maxOf(xs)), share(xs)];
  return [
    '## 6. The paper\'s comparisons on the car (seed 004, sections 5.1 and 5.2)',
    '',
    `Joint selection and allocation (default) against the sequential strategy (alternatives judged on their own activity data first, then staffed), both by hybrid at default settings. Hypervolume ratio against the ${exactRef ? 'exact' : 'best known'} front, normalized by its bounds.`,
    '',
    table(
      ['strategy', 'non-dominated solutions', 'HV ratio', 'CLI'],
      [
        ['joint (default)', String(joint.value.solutions.length), ratio(hvRatio(jv, c.reference, bounds)), `\`npm run -s pss -- optimize ${CAR} --algorithm hybrid --workers 1\``],
        ['sequential', String(sequential.value.solutions.length), ratio(hvRatio(sv, c.reference, bounds)), `\`npm run -s pss -- optimize ${CAR} --algorithm hybrid --strategy sequential --workers 1\``],
      ],
    ),
    '',
    `${dominated} of the ${sv.length} sequential solutions are dominated by a joint solution; ${shared} are on the joint front too (same objective vector)${exactRef ? `, ${sequentialOnExact} on the exact front` : ''}. The sequential strategy staffed ${Number(sequential.value.stats.combinationsSolved) + Number(sequential.value.stats.combinationsPruned)} of the ${String(sequential.value.stats.combinations)} combinations of alternatives (the Pareto-optimal ones on activity data; solved or pruned by bounds); the joint one considers all of them.`,
    '',
    `Importance-weighted reliability (Formula 22, default) against the plain mean (Formula 23, \`--reliability mean\`), both by hybrid: the reliability R_o of the frame maintenance \`${FRAME_ACTIVITY}\` (I_a = ${fmt(importance ?? NaN)}) in the solutions of each front, as the paper's Figure 10 compares. "at best" = the share of solutions where R_o equals the highest value seen in either front (${fmt(best)}).`,
    '',
    table(['objective', 'solutions', 'with the activity', 'mean R_o', 'median R_o', 'min', 'max', 'at best'], [rowR('importance-weighted', rw, joint.value), rowR('mean', rm, mean.value)]),
    '',
    `Reproduce: \`npm run -s pss -- optimize ${CAR} --algorithm hybrid --reliability mean --workers 1\`.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The report

const DEFAULT_INTRO = `# Optimizer benchmarks

Measured, not claimed: everything between the markers below is written by \`npm run bench:optimizer\`
(tools/bench/optimizer.ts) from one run on one machine; the text outside them is kept.

`;

function writeDoc(body: string): void {
  const text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `${DEFAULT_INTRO}${START_MARK}\n${END_MARK}\n`;
  const start = text.indexOf(START_MARK);
  const end = text.indexOf(END_MARK);
  const next = start >= 0 && end > start ? `${text.slice(0, start + START_MARK.length)}\n${body}\n${text.slice(end)}` : `${text.trimEnd()}\n\n${START_MARK}\n${body}\n${END_MARK}\n`;
  writeFileSync(DOC, next);
  log(`wrote ${relative(ROOT, DOC)}`);
}

async function main(): Promise<void> {
  const write = option('write-problem');
  if (write) {
    const [shape, seed] = write.split(':').map(Number);
    const s = ALL_SHAPES[shape - 1];
    if (!s || !Number.isInteger(seed)) throw new Error(`--write-problem SHAPE:SEED, shape 1-${ALL_SHAPES.length}`);
    process.stdout.write(JSON.stringify(randomConfigurationDocument(s.options(seed)), null, 1) + '\n');
    return;
  }
  if (flag('reference')) {
    await computeReferences();
    log('done');
    return;
  }

  const python = findPython();
  if (!python) process.stderr.write('NSGA-II from DEAP is skipped: `python3 -c "import deap"` failed. Install it with: apt-get install -y python3-deap\n');
  const info = machine();
  log(`${QUICK ? 'quick' : 'full'} benchmark on ${info.CPU}, ${info.cores} cores, Node ${info.Node}`);

  const sections: string[] = [];
  const cases = [loadCase(CAR, 'passenger car'), loadCase(FLEET, '12-elevator fleet')].filter((c): c is Case => !!c);
  const car = cases.find((c) => c.file === CAR);

  if (runs(1)) sections.push(sectionSmall());
  for (const c of cases) if (runs(2) || runs(3) || runs(4)) runQuality(c);
  for (const c of cases) if (runs(3) || runs(4)) runAnytime(c);
  for (const c of cases) if (runs(4)) runPeer(c, python);
  const pes = runs(5) ? sectionPes() : undefined;
  const comparisons = runs(6) && car ? sectionPaperComparisons(car) : undefined;
  const paperResult = SETTINGS.paperPreset && car && runs(4) ? runPaperPreset(car) : undefined;

  // The fleet's best known front: this run's fronts and the stored one; ratios are computed against it.
  const fleet = cases.find((c) => c.file === FLEET);
  let fleetNote = '';
  if (fleet) {
    const { reference, added, stored } = updateFleetReference(COMMAND);
    fleet.reference = reference;
    fleetNote = added
      ? `This run improved the fleet's best known front: ${added} new non-dominated point(s) (stored: ${stored} solutions, now ${reference.length}); \`benchmarks/reference/${REFERENCE_FILE[FLEET]}\` was updated.`
      : `No run found a point beyond the stored best known front (${reference.length} solutions).`;
    // Which algorithms' fronts hold the reference points (within floating-point noise).
    const family = (what: string) => (what.includes('deap') ? 'DEAP NSGA-II' : what.includes('hybrid') ? 'hybrid' : what.includes('nsga2') || what.includes('peer:ours') ? 'our NSGA-II' : 'other');
    const families = [...new Set(fleetFronts.map((f) => family(f.what)))];
    const holds = families.map((name) => {
      const points = fleetFronts.filter((f) => family(f.what) === name).flatMap((f) => f.vectors);
      return `${name} ${reference.filter((r) => points.some((v) => covers(v, r) && covers(r, v))).length}`;
    });
    fleetNote += ` Points of the best known front found in this run, by algorithm: ${holds.join(', ')} (of ${reference.length}).`;
  }
  if (runs(2) || runs(3) || runs(4)) sections.push(renderCases(cases, paperResult, python, fleetNote));
  if (pes) sections.push(pes);
  if (comparisons) sections.push(comparisons);

  const totalMs = Date.now() - t0;
  const head = [
    `_Generated by \`${COMMAND}\` on ${info.date}; the whole run took ${ms(totalMs)}._ Every figure below comes from that run; reference fronts are in \`benchmarks/reference/\`.`,
    '',
    '### Machine',
    '',
    table(['', ''], Object.entries({ ...info, DEAP: deapInfo || (python ? 'not run' : 'not installed'), 'load average (1 min) during the run': `median ${fmt(median(loads), 2)}, max ${fmt(maxOf(loads), 2)} (sampled ${loads.length} times; the benchmark alone keeps it near 1)` })),
  ].join('\n');
  const found = [
    '## Findings',
    '',
    findings.length
      ? `Checks made during the run (answers beating a proven front, crashes, empty answers or overrun time limits, infeasible or inconsistent answers from the peer):\n\n${findings.map((f) => `- ${f.what}. Reproduce: \`${f.reproduce}\``).join('\n')}`
      : 'Checks made during the run (answers beating a proven front, crashes, empty answers or overrun time limits, infeasible or inconsistent answers from the peer): none fired.',
  ].join('\n');
  const body = [head, ...sections, found].join('\n\n');
  process.stdout.write(body + '\n');
  if (!flag('no-doc') && (!QUICK || flag('doc')) && !ONLY) writeDoc(body);
  log(`done in ${ms(totalMs)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
