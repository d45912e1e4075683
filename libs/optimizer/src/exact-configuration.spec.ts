// The exact configuration solver against the conformance fronts, against an independent brute force
// on random small problems, on infeasible problems, and under its size and time limits.
import { existsSync, readFileSync, readdirSync } from 'fs';
import { join, resolve } from 'path';
import fc from 'fast-check';
import { ConfigurationFront, ConfigurationProblem } from '@pss/model';
import { solveConfigurationExact } from './exact-configuration';
import { SearchLimitError } from './run-control';
import { RandomConfigurationOptions, randomConfigurationProblem } from './testing/random-problem';
import { bruteForceConfiguration, bruteForceConfigurationCount, frontDifference, naiveAlternatives } from './testing/brute-force';
import { configurationVectorsOf as vectorsOf, expectSameVectors, expectWellFormedConfigurationFront } from './testing/fronts';
import { FIX_WITH_ONE_TECHNICIAN, FIX_WITH_TWO_TECHNICIANS, configurationProblemOf as problemOf, smallProblem } from './testing/small-problems';

const REPO_ROOT = resolve(__dirname, '../../..');

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Everything an exact answer must be, whatever the front: checked against the model alone. */
const expectWellFormedFront = (problem: ConfigurationProblem, front: ConfigurationFront) => expectWellFormedConfigurationFront(problem, front, { occurrences: true });

// ---------------------------------------------------------------------------------------------
// 1. Conformance

interface ConformanceCase {
  name: string;
  problemPath: string;
  frontPath: string;
}

function conformanceCases(dir: string, label: string): ConformanceCase[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.front.json') && !file.endsWith('.importance.json'))
    .filter((file) => existsSync(join(dir, file.replace(/\.json$/, '.front.json'))))
    .sort()
    .map((file) => ({ name: `${label}/${file.replace(/\.json$/, '')}`, problemPath: join(dir, file), frontPath: join(dir, file.replace(/\.json$/, '.front.json')) }));
}

const exampleCases = conformanceCases(join(REPO_ROOT, 'examples/conformance'), 'examples');
const sharedCases = conformanceCases(resolve(REPO_ROOT, '../shared/cases/conformance'), 'shared');

interface ExpectedFront {
  solutions: { objectives: { time: number; cost: number; reliability: number } }[];
}

describe('conformance: the exact front equals each NAME.front.json', () => {
  it('finds the example cases in examples/conformance', () => {
    expect(exampleCases.map((c) => c.name)).toEqual(expect.arrayContaining(['examples/c1-two-flows', 'examples/c2-fleet']));
  });

  test.each([...exampleCases, ...sharedCases].map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const problem = problemOf(readJson(c.problemPath));
    const expected = readJson(c.frontPath) as ExpectedFront;
    const front = solveConfigurationExact(problem);
    expect(front.stats.exact).toBe(true);
    expectSameVectors(vectorsOf(front), vectorsOf(expected));
    expectWellFormedFront(problem, front);
  });

  // The oracle of the random tests must itself agree with the independent conformance fronts.
  test.each(exampleCases.map((c) => [c.name, c] as const))('the brute force agrees on %s', (_name, c) => {
    const problem = problemOf(readJson(c.problemPath));
    const expected = readJson(c.frontPath) as ExpectedFront;
    const brute = bruteForceConfiguration(problem, { maxConfigurations: 50_000 });
    expectSameVectors(vectorsOf(brute), vectorsOf(expected));
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Random small problems against the brute force

interface Shape {
  name: string;
  seeds: number;
  options: Omit<RandomConfigurationOptions, 'seed'>;
}

const SHAPES: Shape[] = [
  { name: 'one flow', seeds: 8, options: { activitiesPerFlow: [2, 4], resourcesPerKind: 3 } },
  { name: 'two flows on one asset', seeds: 7, options: { triggers: 2, activitiesPerFlow: [2, 3], resourcesPerKind: 3 } },
  { name: 'fleet of 2 assets sharing resources', seeds: 7, options: { assets: 2, activitiesPerFlow: [2, 3], resourceKinds: 2, resourcesPerKind: 3, startSpread: 2 } },
  { name: 'fleet of 3 assets sharing resources', seeds: 6, options: { assets: 3, triggers: 2, flowsPerAsset: 1, activitiesPerFlow: [1, 2], depth: 1, resourceKinds: 2, resourcesPerKind: 3, startSpread: 2 } },
  { name: 'tight deadlines', seeds: 6, options: { triggers: 2, activitiesPerFlow: [2, 4], deadlineTightness: 0.7, resourceKinds: 2, resourcesPerKind: 2 } },
  { name: 'busy intervals', seeds: 7, options: { assets: 2, activitiesPerFlow: [2, 3], busyIntervals: 4, resourceKinds: 2, resourcesPerKind: 3, startSpread: 2 } },
  { name: 'qty 2 demands', seeds: 6, options: { activitiesPerFlow: [2, 3], maxQty: 2, resourceKinds: 2, resourcesPerKind: 3, maxKindsPerActivity: 2 } },
  { name: 'activities without demands', seeds: 5, options: { triggers: 2, activitiesPerFlow: [2, 3], demandProbability: 0.4 } },
  { name: 'virtual activities', seeds: 6, options: { activitiesPerFlow: [2, 4], virtualProbability: 0.8, blockKinds: ['seq', 'xor'] } },
  { name: 'mean reliability', seeds: 5, options: { assets: 2, activitiesPerFlow: [2, 3], resourceKinds: 2, reliabilityObjective: 'mean' } },
  { name: 'deep nesting with zero-time activities', seeds: 5, options: { assets: 2, triggers: 2, flowsPerAsset: 1, activitiesPerFlow: [2, 4], depth: 3, resourceKinds: 2, resourcesPerKind: 3, busyIntervals: 2, startSpread: 3, zeroTimeProbability: 0.3, virtualProbability: 0.4 } },
];

const randomCases = SHAPES.flatMap((shape) => Array.from({ length: shape.seeds }, (_, i) => [shape.name, i + 1, shape.options] as const));

describe('random small problems: the exact front equals the brute-force front', () => {
  it('covers at least 60 seeds', () => {
    expect(randomCases.length).toBeGreaterThanOrEqual(60);
  });

  test.each(randomCases)('%s, seed %i', (_name, seed, options) => {
    const problem = randomConfigurationProblem({ ...options, seed });
    const brute = bruteForceConfiguration(problem, { maxConfigurations: 20_000 });
    const front = solveConfigurationExact(problem);
    expect(front.stats.exact).toBe(true);
    expectSameVectors(vectorsOf(front), vectorsOf(brute));
    expectWellFormedFront(problem, front);
  });

  it('exercises both feasible and infeasible problems, and fronts with several members', () => {
    const sizes = randomCases.map(([, seed, options]) => solveConfigurationExact(randomConfigurationProblem({ ...options, seed })).solutions.length);
    expect(sizes.filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(sizes.filter((n) => n >= 3).length).toBeGreaterThan(5);
  });

  it('holds for generator options drawn by fast-check', () => {
    const optionsArb = fc.record({
      seed: fc.integer({ min: 0, max: 1_000_000 }),
      assets: fc.integer({ min: 1, max: 2 }),
      triggers: fc.integer({ min: 1, max: 2 }),
      activitiesPerFlow: fc.integer({ min: 1, max: 3 }),
      depth: fc.integer({ min: 0, max: 3 }),
      resourceKinds: fc.integer({ min: 1, max: 2 }),
      resourcesPerKind: fc.integer({ min: 1, max: 3 }),
      maxQty: fc.integer({ min: 1, max: 2 }),
      demandProbability: fc.constantFrom(0.5, 0.9),
      virtualProbability: fc.constantFrom(0, 0.5),
      zeroTimeProbability: fc.constantFrom(0, 0.3),
      busyIntervals: fc.integer({ min: 0, max: 3 }),
      deadlineTightness: fc.constantFrom(0, 0.5, 1),
      startSpread: fc.integer({ min: 0, max: 2 }),
      reliabilityObjective: fc.constantFrom('importance-weighted' as const, 'mean' as const),
    });
    fc.assert(
      fc.property(optionsArb, (options) => {
        const problem = randomConfigurationProblem(options);
        fc.pre(bruteForceConfigurationCount(problem) <= 3000);
        const diff = frontDifference(vectorsOf(solveConfigurationExact(problem)), vectorsOf(bruteForceConfiguration(problem)));
        return diff.extra.length === 0 && diff.missing.length === 0 && diff.sameCount;
      }),
      { numRuns: 30 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Infeasible problems

describe('infeasible problems', () => {
  it('names the flow and its deadline when no alternative can end in time', () => {
    const problem = smallProblem(
      {
        activities: [
          { id: 'sa.a', time: 2, cost: 10, reliability: 0.9, objects: ['p.1'] },
          { id: 'sa.b', time: 1, cost: 10, reliability: 0.9, objects: ['p.2'] },
          { id: 'sa.c', time: 3, cost: 10, reliability: 0.9, objects: ['p.2'] },
        ],
        body: { seq: ['sa.a', { xor: ['sa.b', 'sa.c'] }] },
      },
      [{ asset: 'car-7', trigger: 'ss.1', start: 1, deadline: 3.5 }],
    );
    const front = solveConfigurationExact(problem);
    expect(front.solutions).toEqual([]);
    expect(front.stats.exact).toBe(true);
    expect(front.infeasible).toContain('car-7/ss.1');
    expect(front.infeasible).toMatch(/deadline 3\.5/);
    expect(bruteForceConfiguration(problem).solutions).toEqual([]);
  });

  it('names the activity and the kind when every candidate is busy', () => {
    const problem = smallProblem(
      FIX_WITH_TWO_TECHNICIANS,
      [{ asset: 'car-1', trigger: 'ss.1', start: 0, deadline: 10 }],
      [
        { resource: 'r.1', from: 0, to: 5 },
        { resource: 'r.2', from: 1, to: 1.5 },
      ],
    );
    const front = solveConfigurationExact(problem);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toContain('sa.fix');
    expect(front.infeasible).toContain('kr.tech');
    expect(front.infeasible).toMatch(/busy/);
    expect(bruteForceConfiguration(problem).solutions).toEqual([]);
  });

  it('names the activity and the kind when a qty 2 demand has a single assignable resource', () => {
    const problem = smallProblem(
      {
        activities: [{ id: 'sa.lift', time: 1, cost: 0, reliability: 1, objects: ['p.1'], demands: [{ kind: 'kr.tech', qty: 2 }] }],
        body: 'sa.lift',
        resources: [
          { id: 'r.1', kind: 'kr.tech', costRate: 10 },
          { id: 'r.2', kind: 'kr.tech', costRate: 10 },
        ],
        assignable: [{ resource: 'r.1', activity: 'sa.lift', theta: 0.9 }],
      },
      [{ asset: 'car-1', trigger: 'ss.1', start: 0, deadline: 10 }],
    );
    const front = solveConfigurationExact(problem);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toContain('sa.lift');
    expect(front.infeasible).toContain('kr.tech');
    expect(bruteForceConfiguration(problem).solutions).toEqual([]);
  });

  it('gives the generic reason when only double-booking across flows makes it infeasible', () => {
    const model = FIX_WITH_ONE_TECHNICIAN;
    const rows = [
      { asset: 'car-1', trigger: 'ss.1', start: 0, deadline: 5 },
      { asset: 'car-2', trigger: 'ss.1', start: 1, deadline: 5 },
    ];
    // Each flow alone can be staffed …
    for (const row of rows) expect(solveConfigurationExact(smallProblem(model, [row])).solutions).toHaveLength(1);
    // … but not both: the one technician would work on overlapping occurrences.
    const problem = smallProblem(model, rows);
    const front = solveConfigurationExact(problem);
    expect(front.solutions).toEqual([]);
    expect(front.stats.exact).toBe(true);
    expect(front.infeasible).toMatch(/double-booking/);
    expect(front.infeasible).not.toMatch(/cannot meet/);
    expect(bruteForceConfiguration(problem).solutions).toEqual([]);
    // Touching intervals do not overlap: a start of 2 makes it feasible again.
    const touching = smallProblem(model, [rows[0], { ...rows[1], start: 2 }]);
    expect(solveConfigurationExact(touching).solutions).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Limits

/** A problem far too large to search in a moment (many combinations, large staffing components). */
function largeProblem(): ConfigurationProblem {
  return randomConfigurationProblem({
    seed: 11,
    assets: 3,
    triggers: 2,
    activitiesPerFlow: 5,
    depth: 1,
    blockKinds: ['xor', 'and'],
    resourceKinds: 2,
    resourcesPerKind: 6,
    demandProbability: 1,
    maxQty: 2,
    assignProbability: 1,
    virtualProbability: 0,
    zeroTimeProbability: 0,
    startSpread: 0,
  });
}

describe('limits', () => {
  /** The SearchLimitError that `run` throws (fails the test when it throws nothing or something else). */
  function limitError(run: () => unknown): string {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SearchLimitError);
    return (error as Error).message;
  }

  it('gives up beyond a tiny step budget, naming the size of the space', () => {
    const problem = problemOf(readJson(join(REPO_ROOT, 'examples/conformance/c2-fleet.json')));
    const message = limitError(() => solveConfigurationExact(problem, { maxSteps: 1 }));
    expect(message).toMatch(/1e\+0 steps/);
    const size = /about 1e(\d+(?:\.\d+)?)/.exec(message);
    expect(size).not.toBeNull();
    // The size counted before pruning: more than one configuration, and no more than the naive space.
    const log10 = Number(size![1]);
    expect(log10).toBeGreaterThan(0);
    expect(log10).toBeLessThanOrEqual(Math.log10(bruteForceConfigurationCount(problem)) + 0.05);
    // With the default budget the same problem is solved.
    expect(solveConfigurationExact(problem).solutions.length).toBeGreaterThan(0);
  });

  it('refuses more combinations of alternatives than maxCombinations, naming their number', () => {
    const problem = problemOf(readJson(join(REPO_ROOT, 'examples/conformance/c2-fleet.json')));
    const combinations = problem.triggered.reduce((n, row) => {
      const body = problem.model.flows.find((f) => f.trigger === row.trigger)!.body;
      return n * naiveAlternatives(body).length;
    }, 1);
    const message = limitError(() => solveConfigurationExact(problem, { maxCombinations: 2 }));
    expect(message).toContain(`${combinations.toExponential(2)} combinations`);
    expect(message).toMatch(/limit 2e\+0/);
  });

  it('stops at timeLimitMs: 0 with a front that is not proven but feasible', () => {
    const problem = largeProblem();
    const front = solveConfigurationExact(problem, { timeLimitMs: 0 });
    expect(front.stats.exact).toBe(false);
    expectWellFormedFront(problem, front);
    if (front.solutions.length === 0) expect(front.infeasible).toMatch(/time limit/);
  });

  it('stops when a fake clock jumps past the limit', () => {
    const problem = largeProblem();
    let t = 0;
    const now = () => (t += 1000);
    const front = solveConfigurationExact(problem, { timeLimitMs: 2500, now });
    expect(front.stats.exact).toBe(false);
    expectWellFormedFront(problem, front);
  });

  it('proves the front when the clock stands still', () => {
    const problem = randomConfigurationProblem({ ...SHAPES[2].options, seed: 1 });
    const front = solveConfigurationExact(problem, { timeLimitMs: 1000, now: () => 0 });
    expect(front.stats.exact).toBe(true);
    expectSameVectors(vectorsOf(front), vectorsOf(bruteForceConfiguration(problem)));
  });
});

// ---------------------------------------------------------------------------------------------
// Regressions found by comparing with the brute force

describe('regressions', () => {
  // With O empty (only virtual activities chosen) MODEL.md sets T = C = 0 and R = 1, which dominates a
  // zero-time, zero-cost alternative with R < 1 whichever branch comes first.
  test.each([
    ['virtual branch last', { xor: ['sa.a', 'sa.v'] }],
    ['virtual branch first', { xor: ['sa.v', 'sa.a'] }],
  ])('an all-virtual alternative scores R = 1 (%s)', (_name, body) => {
    const problem = smallProblem(
      {
        activities: [
          { id: 'sa.a', time: 0, cost: 0, reliability: 0.9, objects: ['p.1'] },
          { id: 'sa.v', virtual: true },
        ],
        body,
      },
      [{ asset: 'x', trigger: 'ss.1', start: 0, deadline: 10 }],
    );
    const front = solveConfigurationExact(problem);
    expect(vectorsOf(front)).toEqual([[0, 0, -1]]);
    expectWellFormedFront(problem, front);
  });
});
