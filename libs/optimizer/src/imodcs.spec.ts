// Pareto-IMODCS: its fronts against the exact solver's on random small problems and the elevator
// example, judged by the model's evaluator and by hypervolume; reproducibility per seed; its limits;
// infeasible problems; the presets; and its allocation-free nest pre-processing against the shared one.
import { readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { ConfigurationFront, ConfigurationProblem, Result, formatIssue, parseText, readConfigurationProblem, readPssModel } from '@pss/model';
import { buildConfigurationSpace } from './configuration-space';
import { Combination, combination, forEachCombination } from './combinations';
import { solveConfigurationExact } from './exact-configuration';
import { paretoOnActivities } from './hybrid';
import { IMODCS_DEFAULT, IMODCS_PAPER, ImodcsOptions, nestSpace, preprocessNest, provablyUnstaffable, solveConfigurationImodcs } from './imodcs';
import { Random } from './random';
import { Progress, SearchLimitError } from './run-control';
import { buildLayout, randomPicks, repairStaffing } from './staffing';
import { RandomConfigurationOptions, randomConfigurationProblem } from './testing/random-problem';
import { expectWellFormedConfigurationFront, hypervolumeRatio, configurationVectorsOf as vectorsOf } from './testing/fronts';
import { FIX_WITH_TWO_TECHNICIANS, smallProblem } from './testing/small-problems';

const REPO_ROOT = resolve(__dirname, '../../..');

function valueOf<T>(result: Result<T>, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${result.issues.map(formatIssue).join('; ')}`);
  return result.value;
}

/** An example problem whose model is a file next to it (what the documents adapter does, in brief). */
function loadExample(file: string): ConfigurationProblem {
  const path = join(REPO_ROOT, 'examples', file);
  const raw = valueOf(parseText(readFileSync(path, 'utf8'), 'yaml'), path) as { model: string };
  const modelPath = resolve(dirname(path), raw.model);
  const model = valueOf(readPssModel(valueOf(parseText(readFileSync(modelPath, 'utf8'), 'yaml'), modelPath)), modelPath);
  return valueOf(readConfigurationProblem(raw, { model }), path);
}

const car = loadExample('passenger-car.problem.yaml');
const elevator = loadExample('elevator-fleet.problem.yaml');

/** Every solution feasible with the objectives the evaluator gives, and no two comparable or equal. */
const expectFeasibleNonDominated = (problem: ConfigurationProblem, front: ConfigurationFront) => expectWellFormedConfigurationFront(problem, front, { algorithm: 'imodcs' });

// ---------------------------------------------------------------------------------------------
// 1. Against the exact front

const SHAPES: { name: string; seeds: number[]; options: Omit<RandomConfigurationOptions, 'seed'> }[] = [
  { name: 'one flow', seeds: [1, 2, 3], options: { activitiesPerFlow: [2, 4], resourcesPerKind: 3 } },
  { name: 'two flows on one asset', seeds: [1, 2, 3], options: { triggers: 2, activitiesPerFlow: [2, 3], resourcesPerKind: 3 } },
  { name: 'fleet of 2 assets sharing resources', seeds: [1, 2, 3], options: { assets: 2, activitiesPerFlow: [2, 3], resourceKinds: 2, resourcesPerKind: 3, startSpread: 2 } },
  { name: 'busy intervals', seeds: [1, 2, 3], options: { assets: 2, activitiesPerFlow: [2, 3], busyIntervals: 4, resourceKinds: 2, resourcesPerKind: 3, startSpread: 2 } },
  { name: 'qty 2 demands', seeds: [1, 2, 3], options: { activitiesPerFlow: [2, 3], maxQty: 2, resourceKinds: 2, resourcesPerKind: 3, maxKindsPerActivity: 2 } },
  { name: 'tight deadlines', seeds: [1, 2, 3], options: { triggers: 2, activitiesPerFlow: [2, 4], deadlineTightness: 0.7, resourceKinds: 2, resourcesPerKind: 2 } },
  { name: 'mean reliability', seeds: [1, 2, 3], options: { assets: 2, activitiesPerFlow: [2, 3], resourceKinds: 2, reliabilityObjective: 'mean' } },
  { name: 'fleet of 2, qty 2', seeds: [3, 4], options: { assets: 2, activitiesPerFlow: [3, 5], resourceKinds: 2, resourcesPerKind: 4, maxQty: 2, startSpread: 2 } },
  { name: 'two flows, two kinds per activity', seeds: [1, 2, 3, 4], options: { triggers: 2, activitiesPerFlow: [3, 5], resourceKinds: 2, resourcesPerKind: 5, maxQty: 2, maxKindsPerActivity: 2 } },
];

/** A random problem with a front of a dozen solutions over four combinations of alternatives. */
const richer = () => randomConfigurationProblem({ ...SHAPES[8].options, seed: 2 });

const randomCases = SHAPES.flatMap((shape) => shape.seeds.map((seed) => [shape.name, seed, shape.options] as const));

describe('random small problems: feasible, non-dominated, and close to the exact front', () => {
  it('covers at least 20 problems, most of them feasible', () => {
    expect(randomCases.length).toBeGreaterThanOrEqual(20);
    const feasible = randomCases.filter(([, seed, options]) => solveConfigurationExact(randomConfigurationProblem({ ...options, seed })).solutions.length > 0);
    expect(feasible.length).toBeGreaterThanOrEqual(20);
  });

  test.each(randomCases)('%s, seed %i', (_name, seed, options) => {
    const problem = randomConfigurationProblem({ ...options, seed });
    const exact = solveConfigurationExact(problem);
    const front = solveConfigurationImodcs(problem, { seed });
    expectFeasibleNonDominated(problem, front);
    if (exact.solutions.length === 0) {
      expect(front.solutions).toEqual([]);
      return;
    }
    expect(front.stats.stoppedBy).toBeUndefined();
    expect(hypervolumeRatio(vectorsOf(front), vectorsOf(exact))).toBeGreaterThanOrEqual(0.95);
  });

  it('comes close to the exact front of the elevator fleet example', () => {
    const exact = solveConfigurationExact(elevator);
    for (const seed of [1, 2]) {
      const front = solveConfigurationImodcs(elevator, { seed });
      expectFeasibleNonDominated(elevator, front);
      expect(hypervolumeRatio(vectorsOf(front), vectorsOf(exact))).toBeGreaterThanOrEqual(0.95);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Reproducibility

describe('reproducibility', () => {
  const limited: ImodcsOptions = { maxEvaluations: 10_000 };

  it('gives the same front for the same seed and options (evaluation limit)', () => {
    const a = solveConfigurationImodcs(car, { ...limited, seed: 7 });
    const b = solveConfigurationImodcs(car, { ...limited, seed: 7 });
    expect(a.solutions.length).toBeGreaterThan(0);
    expect(b.solutions).toEqual(a.solutions);
    expect(b.stats.evaluations).toBe(a.stats.evaluations);
    expectFeasibleNonDominated(car, a);
  });

  it('gives the same front for the same seed when the search completes', () => {
    const problem = richer();
    const a = solveConfigurationImodcs(problem, { seed: 3, iterations: 40 });
    expect(a.solutions.length).toBeGreaterThan(1);
    expect(solveConfigurationImodcs(problem, { seed: 3, iterations: 40 }).solutions).toEqual(a.solutions);
  });

  it('may give different fronts for different seeds', () => {
    const a = vectorsOf(solveConfigurationImodcs(car, { ...limited, seed: 1 }));
    const b = vectorsOf(solveConfigurationImodcs(car, { ...limited, seed: 2 }));
    expect(b).not.toEqual(a);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Limits

describe('limits', () => {
  it('stops at maxEvaluations, with a feasible front and the reason in the stats', () => {
    const front = solveConfigurationImodcs(car, { maxEvaluations: 5000 });
    expect(front.stats.evaluations).toBe(5000);
    expect(front.stats.stoppedBy).toBe('evaluation limit');
    expect(front.solutions.length).toBeGreaterThan(0);
    expectFeasibleNonDominated(car, front);
  });

  it('spreads a limited budget over every combination (round-robin) rather than finishing the first ones', () => {
    const full = solveConfigurationImodcs(car, { iterations: 5 });
    const searched = Number(full.stats.combinationsSearched);
    expect(searched).toBe(40);
    expect(full.stats.combinationsFeasible).toBe(searched);
    // Just enough to initialize every run on every combination (one combination's share, were they
    // searched one after the other): every combination has its feasible nests all the same.
    // The first run's initializations come first.
    const front = solveConfigurationImodcs(car, { maxEvaluations: IMODCS_DEFAULT.nests * searched });
    expect(front.stats.stoppedBy).toBe('evaluation limit');
    expect(front.stats.combinationsFeasible).toBe(searched);
    expectFeasibleNonDominated(car, front);
  });

  it('stops at a single evaluation', () => {
    const front = solveConfigurationImodcs(car, { maxEvaluations: 1 });
    expect(front.stats.evaluations).toBe(1);
    expect(front.solutions.length).toBeLessThanOrEqual(1);
    expectFeasibleNonDominated(car, front);
  });

  it('stops when a fake clock jumps past timeLimitMs', () => {
    let t = 0;
    const now = () => (t += 1000);
    const front = solveConfigurationImodcs(car, { timeLimitMs: 2500, now });
    expect(front.stats.stoppedBy).toBe('time limit');
    // The clock is read every 32 evaluations: it passes the limit at the third reading.
    expect(front.stats.evaluations).toBeGreaterThan(0);
    expect(front.stats.evaluations).toBeLessThanOrEqual(96);
    expectFeasibleNonDominated(car, front);
  });

  it('runs to completion when the clock stands still, as without a limit', () => {
    const problem = richer();
    const limited = solveConfigurationImodcs(problem, { timeLimitMs: 1000, now: () => 0 });
    expect(limited.stats.stoppedBy).toBeUndefined();
    expect(limited.stats.wallMs).toBe(0);
    expect(limited.solutions).toEqual(solveConfigurationImodcs(problem).solutions);
  });

  it('says the budget ran out when it stopped before finding anything feasible', () => {
    const front = solveConfigurationImodcs(car, { timeLimitMs: 0 });
    expect(front.solutions).toEqual([]);
    expect(front.stats.evaluations).toBe(0);
    expect(front.infeasible).toMatch(/no feasible configuration found within the budget \(time limit\)/);
  });

  it('refuses more combinations than maxCombinations', () => {
    expect(() => solveConfigurationImodcs(elevator, { maxCombinations: 2 })).toThrow(SearchLimitError);
  });

  it('reports progress up to the total', () => {
    const reports: Progress[] = [];
    solveConfigurationImodcs(elevator, { iterations: 30, onProgress: (p) => reports.push(p) });
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((p) => p.phase === 'imodcs')).toBe(true);
    const last = reports[reports.length - 1];
    expect(last.done).toBe(last.total);
    expect(last.front).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Infeasible problems

const fixModel = FIX_WITH_TWO_TECHNICIANS;

describe('infeasible problems: an empty front with the reason', () => {
  it('says when the search found nothing in a combination it could not prove infeasible', () => {
    const problem = randomConfigurationProblem({ ...SHAPES[5].options, seed: 4 });
    expect(solveConfigurationExact(problem).solutions).toEqual([]);
    const front = solveConfigurationImodcs(problem, { iterations: 20 });
    expect(front.solutions).toEqual([]);
    expect(front.stats.combinationsSearched).toBe(1);
    expect(front.infeasible).toMatch(/double-booking .*\(not proven: the search found no feasible staffing in 1 combination\(s\) of alternatives\)$/);
  });

  it('names the flow and its deadline when no alternative can end in time', () => {
    const problem = smallProblem(
      {
        activities: [
          { id: 'sa.a', time: 2, cost: 10, reliability: 0.9, objects: ['p.1'] },
          { id: 'sa.b', time: 1, cost: 10, reliability: 0.9, objects: ['p.2'] },
        ],
        body: { seq: ['sa.a', 'sa.b'] },
      },
      [{ asset: 'car-7', trigger: 'ss.1', start: 1, deadline: 3.5 }],
    );
    const front = solveConfigurationImodcs(problem);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toContain('car-7/ss.1');
    expect(front.infeasible).toMatch(/deadline 3\.5/);
    expect(front.stats.evaluations).toBe(0);
  });

  it('names the activity and the kind when every candidate is busy', () => {
    const problem = smallProblem(fixModel, [{ asset: 'car-1', trigger: 'ss.1', start: 0, deadline: 10 }], [
      { resource: 'r.1', from: 0, to: 5 },
      { resource: 'r.2', from: 1, to: 1.5 },
    ]);
    const front = solveConfigurationImodcs(problem);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toContain('sa.fix');
    expect(front.infeasible).toContain('kr.tech');
  });

  it('gives the double-booking reason when only overlapping flows compete for too few resources', () => {
    const rows = [0, 0.5, 1].map((start, i) => ({ asset: `car-${i + 1}`, trigger: 'ss.1', start, deadline: 10 }));
    const front = solveConfigurationImodcs(smallProblem(fixModel, rows));
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toMatch(/double-booking/);
    expect(front.stats.stoppedBy).toBeUndefined();
    // Two overlapping flows fit on the two technicians: the search finds both ways.
    const two = solveConfigurationImodcs(smallProblem(fixModel, rows.slice(0, 2)));
    expect(two.solutions).toHaveLength(1);
    expectFeasibleNonDominated(smallProblem(fixModel, rows.slice(0, 2)), two);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Parameters

describe('parameters', () => {
  it('has the paper preset of seed 004, section 5', () => {
    expect(IMODCS_PAPER).toEqual({ nests: 200, pa: 0.25, iterations: 3000, runs: 10 });
  });

  it('records the parameters it used: the default preset, the paper preset, explicit values over either', () => {
    const stats = (options: ImodcsOptions) => solveConfigurationImodcs(elevator, { maxEvaluations: 2000, ...options }).stats;
    expect(stats({}).parameters).toMatchObject({ preset: 'default', ...IMODCS_DEFAULT });
    expect(stats({ preset: 'paper' }).parameters).toMatchObject({ preset: 'paper', ...IMODCS_PAPER });
    expect(stats({ preset: 'paper', nests: 50, runs: 1 }).parameters).toMatchObject({ preset: 'paper', nests: 50, pa: 0.25, iterations: 3000, runs: 1 });
    // One of the eight combinations is proven unstaffable before the search (see below).
    expect(stats({ seed: 9 })).toMatchObject({ algorithm: 'imodcs', seed: 9, combinations: 8, combinationsSearched: 7 });
  });

  it('searches with the paper preset too (within a budget)', () => {
    const front = solveConfigurationImodcs(elevator, { preset: 'paper', maxEvaluations: 20_000 });
    expect(front.solutions.length).toBeGreaterThan(0);
    expectFeasibleNonDominated(elevator, front);
  });

  it('finds feasible fronts without the greedy seeds, as the paper starts', () => {
    const problem = richer();
    const front = solveConfigurationImodcs(problem, { greedySeeds: false });
    expectFeasibleNonDominated(problem, front);
    expect(hypervolumeRatio(vectorsOf(front), vectorsOf(solveConfigurationExact(problem)))).toBeGreaterThanOrEqual(0.95);
  });

  it('searches only the combinations Pareto-optimal on their activities with the sequential strategy (seed 004, 5.1)', () => {
    const space = buildConfigurationSpace(car);
    const all: Combination[] = [];
    forEachCombination(space, (alternativeOf) => {
      all.push(combination(space, alternativeOf));
    });
    const kept = paretoOnActivities(all);
    expect(kept.length).toBeLessThan(all.length);
    const front = solveConfigurationImodcs(car, { strategy: 'sequential', maxEvaluations: 5000 });
    expect(front.stats).toMatchObject({ algorithm: 'imodcs:sequential', combinations: all.length, combinationsConsidered: kept.length });
    expect(front.solutions.length).toBeGreaterThan(0);
    expectFeasibleNonDominated(car, { ...front, stats: { ...front.stats, algorithm: 'imodcs' } });
    // Its solutions use only the kept combinations: their activity sets.
    const keptSets = new Set(kept.map((c) => c.occurrences.map((o) => o.activity.id).sort().join(' ')));
    for (const solution of front.solutions) {
      expect(keptSets.has(solution.occurrences.map((o) => o.activity).sort().join(' '))).toBe(true);
    }
  });

  it('searches its share of the combinations when given a partition', () => {
    const shares = [0, 1, 2].map((index) => solveConfigurationImodcs(elevator, { partition: { index, count: 3 }, iterations: 20 }));
    expect(shares.map((f) => f.stats.combinationsConsidered)).toEqual([3, 3, 2]);
    for (const front of shares) expectFeasibleNonDominated(elevator, front);
  });

  test.each([
    ['nests', { nests: 1 }],
    ['nests', { nests: 2.5 }],
    ['pa', { pa: 1.5 }],
    ['pa', { pa: Number.NaN }],
    ['iterations', { iterations: -1 }],
    ['runs', { runs: 0 }],
    ['archiveSize', { archiveSize: 1 }],
  ] as const)('rejects an invalid %s', (name, options) => {
    expect(() => solveConfigurationImodcs(elevator, options)).toThrow(new RegExp(`imodcs: ${name} must be`));
  });
});

// ---------------------------------------------------------------------------------------------
// 6. The nest pre-processing and the unstaffability proof

describe('combinations proven unstaffable', () => {
  it('skips the elevator combination that needs five technicians for four at one instant, which the exact front never uses', () => {
    const space = buildConfigurationSpace(elevator);
    const proven: string[][] = [];
    forEachCombination(space, (alternativeOf) => {
      const nests = nestSpace(buildLayout(space, alternativeOf));
      if (provablyUnstaffable(nests)) proven.push(nests.layout.occurrences.map((o) => o.activity.id));
    });
    expect(proven).toHaveLength(1);
    const replacements = ['sa.doors.operator-replace', 'sa.brake.lining-replace', 'sa.traction.bearing-replace'];
    expect(proven[0]).toEqual(expect.arrayContaining(replacements));
    for (const solution of solveConfigurationExact(elevator).solutions) {
      const activities = solution.occurrences.map((o) => o.activity);
      expect(replacements.every((a) => activities.includes(a))).toBe(false);
    }
  });

  it('proves nothing about a combination that some staffing makes feasible', () => {
    const space = buildConfigurationSpace(car);
    let proven = 0;
    forEachCombination(space, (alternativeOf) => {
      if (provablyUnstaffable(nestSpace(buildLayout(space, alternativeOf)))) proven++;
    });
    // Every combination of the car example has feasible staffings (the round-robin test finds them).
    expect(proven).toBe(0);
  });
});

describe('nest pre-processing', () => {
  it('does exactly what repairStaffing(…, "random", rng) does, drawing the same random numbers', () => {
    let repaired = 0;
    for (const problem of [car, elevator]) {
      const space = buildConfigurationSpace(problem);
      let seed = 0;
      forEachCombination(space, (alternativeOf) => {
        const layout = buildLayout(space, alternativeOf);
        if (layout.combination.unstaffable) return;
        const nests = nestSpace(layout);
        const draw = new Random(++seed);
        for (let k = 0; k < 25; k++) {
          const original = randomPicks(layout, draw);
          const ours = original.slice();
          const theirs = original.slice();
          const rngOurs = new Random(1000 * seed + k);
          const rngTheirs = new Random(1000 * seed + k);
          const left = preprocessNest(nests, ours, rngOurs);
          expect(left).toBe(repairStaffing(layout, theirs, 'random', rngTheirs));
          expect(Array.from(ours)).toEqual(Array.from(theirs));
          expect(rngOurs.nextUint32()).toBe(rngTheirs.nextUint32());
          if (ours.some((p, u) => p !== original[u])) repaired++;
        }
      });
    }
    // The comparison means something: many nests needed repairs.
    expect(repaired).toBeGreaterThan(100);
  });
});
