import { ConfigurationFront, ConfigurationProblem, evaluateConfiguration } from '@pss/model';
import { readFileSync } from 'fs';
import { join } from 'path';
import { readConfigurationProblem } from '@pss/model';
import { solveConfigurationExact } from './exact-configuration';
import { paretoOnActivities, solveConfigurationHybrid } from './hybrid';
import { buildConfigurationSpace } from './configuration-space';
import { combination, forEachCombination } from './combinations';
import { boundsOf, normalizedHypervolume } from './hypervolume';
import { randomConfigurationProblem, RandomConfigurationOptions } from './testing/random-problem';

const vectors = (f: ConfigurationFront) => f.solutions.map((s) => [s.objectives.time, s.objectives.cost, -s.objectives.reliability]);
const sameFront = (a: number[][], b: number[][]) =>
  a.length === b.length && a.every((v) => b.some((w) => v.every((x, i) => Math.abs(x - w[i]) <= 1e-9 * Math.max(1, Math.abs(x)))));

function example(name: string): ConfigurationProblem {
  const r = readConfigurationProblem(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', name), 'utf8')));
  if (!r.ok) throw new Error(`example ${name} is invalid`);
  return r.value;
}

function expectFeasibleAndNonDominated(problem: ConfigurationProblem, front: ConfigurationFront): void {
  for (const s of front.solutions) {
    const e = evaluateConfiguration(problem, s.occurrences);
    expect(e.violations).toEqual([]);
    expect(e.objectives.cost).toBeCloseTo(s.objectives.cost, 9);
  }
  const v = vectors(front);
  for (const a of v) for (const b of v) if (a !== b) expect(b.every((x, i) => x <= a[i]) && b.some((x, i) => x < a[i])).toBe(false);
}

const SHAPES: [string, Omit<RandomConfigurationOptions, 'seed'>][] = [
  ['one flow', { activitiesPerFlow: [2, 4], resourcesPerKind: 3 }],
  ['two flows', { triggers: 2, activitiesPerFlow: [2, 3], resourcesPerKind: 3 }],
  ['fleet sharing resources', { assets: 3, triggers: 2, flowsPerAsset: 1, activitiesPerFlow: [1, 3], resourceKinds: 2, resourcesPerKind: 3, startSpread: 2, busyIntervals: 2 }],
  ['qty 2 demands', { activitiesPerFlow: [2, 3], maxQty: 2, resourceKinds: 2, resourcesPerKind: 3, maxKindsPerActivity: 2 }],
  ['mean reliability', { assets: 2, activitiesPerFlow: [2, 3], resourceKinds: 2, reliabilityObjective: 'mean' }],
];
const cases = SHAPES.flatMap(([name, options]) => Array.from({ length: 6 }, (_, i) => [name, i + 1, options] as const));

describe('hybrid on random small problems', () => {
  test.each(cases)('%s, seed %i: proves the exact front when every component fits the exact budget', (_name, seed, options) => {
    const problem = randomConfigurationProblem({ ...options, seed });
    const exact = solveConfigurationExact(problem);
    const hybrid = solveConfigurationHybrid(problem);
    expectFeasibleAndNonDominated(problem, hybrid);
    expect(hybrid.stats.exact).toBe(true);
    expect(sameFront(vectors(hybrid), vectors(exact))).toBe(true);
  });

  test.each(cases.filter((_, i) => i % 2 === 0))('%s, seed %i: with components forced into the beam search it stays feasible and close', (_name, seed, options) => {
    const problem = randomConfigurationProblem({ ...options, seed });
    const exact = solveConfigurationExact(problem);
    const hybrid = solveConfigurationHybrid(problem, { exactStepsPerComponent: 0, beam: { epsilon: 1e-3, maxStates: 4 } });
    expectFeasibleAndNonDominated(problem, hybrid);
    if (exact.solutions.length === 0) return expect(hybrid.solutions).toEqual([]);
    const bounds = boundsOf([vectors(exact), vectors(hybrid)]);
    expect(normalizedHypervolume(vectors(hybrid), bounds) / normalizedHypervolume(vectors(exact), bounds)).toBeGreaterThan(0.9);
    if (hybrid.stats.componentsBeam as number > 0) expect(hybrid.stats.exact).toBe(false);
  });
});

describe('hybrid', () => {
  it('matches the conformance fronts and prunes combinations by their optimistic bound', () => {
    for (const name of ['c1-two-flows', 'c2-fleet']) {
      const problem = example(`conformance/${name}.json`);
      const want = (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'conformance', `${name}.front.json`), 'utf8')) as ConfigurationFront).solutions.map((s) => [s.objectives.time, s.objectives.cost, -s.objectives.reliability]);
      const front = solveConfigurationHybrid(problem);
      expect(sameFront(vectors(front), want)).toBe(true);
      expect(front.stats.combinationsPruned).toBeGreaterThan(0);
    }
  });

  it('searches over combinations when there are too many to visit, and never claims a proof then', () => {
    const problem = randomConfigurationProblem({ seed: 4, assets: 4, triggers: 2, flowsPerAsset: 2, activitiesPerFlow: [2, 3], resourceKinds: 2, resourcesPerKind: 4, startSpread: 3 });
    const front = solveConfigurationHybrid(problem, { maxEnumerated: 1, seed: 2 });
    expect(front.stats.mode).toBe('local-search');
    expect(front.stats.exact).toBe(false);
    expectFeasibleAndNonDominated(problem, front);
    const exact = solveConfigurationExact(problem);
    const bounds = boundsOf([vectors(exact), vectors(front)]);
    expect(normalizedHypervolume(vectors(front), bounds) / normalizedHypervolume(vectors(exact), bounds)).toBeGreaterThan(0.9);
  });

  it('honours its budgets and says why it stopped', () => {
    const problem = randomConfigurationProblem({ seed: 9, assets: 3, triggers: 2, flowsPerAsset: 1, activitiesPerFlow: [2, 3], resourceKinds: 2, resourcesPerKind: 3, startSpread: 2 });
    let t = 0;
    const front = solveConfigurationHybrid(problem, { timeLimitMs: 10, now: () => (t += 4) });
    expect(front.stats.stoppedBy).toBe('time limit');
    expect(front.stats.exact).toBe(false);
    expectFeasibleAndNonDominated(problem, front);
  });

  it('is deterministic for a seed', () => {
    const problem = randomConfigurationProblem({ seed: 9, assets: 3, triggers: 2, flowsPerAsset: 1, activitiesPerFlow: [2, 3], resourceKinds: 2, resourcesPerKind: 3, startSpread: 2 });
    const a = solveConfigurationHybrid(problem, { seed: 3, maxEnumerated: 1 });
    const b = solveConfigurationHybrid(problem, { seed: 3, maxEnumerated: 1 });
    expect(vectors(a)).toEqual(vectors(b));
  });

  it('reports infeasible problems with the reason', () => {
    const problem = example('conformance/c1-two-flows.json');
    const tight = { ...problem, triggered: problem.triggered.map((t) => ({ ...t, deadline: t.start + 0.5 })) };
    const front = solveConfigurationHybrid(tight);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toMatch(/cannot meet its deadline/);
  });

  describe('the sequential strategy (seed 004, 5.1)', () => {
    it('keeps only combinations that are Pareto-optimal on their activity data', () => {
      const problem = example('conformance/c1-two-flows.json');
      const space = buildConfigurationSpace(problem);
      const all: ReturnType<typeof combination>[] = [];
      forEachCombination(space, (alt) => {
        all.push(combination(space, alt));
      });
      const kept = paretoOnActivities(all);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThanOrEqual(all.length);
    });

    it('never finds more than joint selection and allocation, and its answers are feasible', () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const problem = randomConfigurationProblem({ seed, triggers: 2, activitiesPerFlow: [2, 4], resourcesPerKind: 3 });
        const joint = solveConfigurationHybrid(problem);
        const sequential = solveConfigurationHybrid(problem, { strategy: 'sequential' });
        expectFeasibleAndNonDominated(problem, sequential);
        expect(sequential.stats.exact).toBe(false);
        // Every sequential answer is matched or dominated by the joint front.
        for (const s of vectors(sequential)) expect(vectors(joint).some((j) => j.every((x, i) => x <= s[i] + 1e-9))).toBe(true);
      }
    });
  });
});
