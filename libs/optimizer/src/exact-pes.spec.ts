// The exact PES solver against an exhaustive enumeration judged by evaluatePes: seed 003's elevator
// case, random small problems with rules and limits, infeasible problems and the search limits.
import { readFileSync } from 'fs';
import { join, resolve } from 'path';
import { evaluatePes } from '@pss/model';
import { pesSpaceSize, solvePesExact } from './exact-pes';
import { SearchLimitError } from './run-control';
import { RandomPesOptions, randomPesProblem } from './testing/random-problem';
import { bruteForcePes, pesObjectiveVector } from './testing/brute-force';
import { covers, expectSameVectors, expectWellFormedPesFront, pesVectorsOf as vectorsOf } from './testing/fronts';
import { SMALL_PES_BASE, pesProblemOf } from './testing/small-problems';

const REPO_ROOT = resolve(__dirname, '../../..');

const elevator = pesProblemOf(JSON.parse(readFileSync(join(REPO_ROOT, 'examples/elevator-pes.json'), 'utf8')));

describe('seed 003 elevator case', () => {
  const brute = bruteForcePes(elevator);
  const front = solvePesExact(elevator);

  it('enumerates all 279,936 configurations', () => {
    expect(pesSpaceSize(elevator)).toBe(279_936);
    expect(brute.configurations).toBe(279_936);
    expect(brute.feasible).toBeGreaterThan(0);
  });

  it('the exact front equals the brute-force front', () => {
    expect(front.stats.exact).toBe(true);
    expect(front.solutions.length).toBeGreaterThan(10);
    expectSameVectors(vectorsOf(front), vectorsOf(brute));
    expectWellFormedPesFront(elevator, front);
  });

  it('every published scheme is feasible, matches its published objectives, and is on or behind the front', () => {
    expect(elevator.publishedSchemes.length).toBeGreaterThan(0);
    for (const scheme of elevator.publishedSchemes) {
      const evaluation = evaluatePes(elevator, scheme.instances);
      expect(evaluation.violations).toEqual([]);
      // The paper prints two decimals.
      expect(Math.abs(evaluation.objectives.performance - scheme.performance)).toBeLessThan(0.0051);
      expect(Math.abs(evaluation.objectives.cost - scheme.cost)).toBeLessThan(0.0051);
      expect(Math.abs(evaluation.objectives.responseTime - scheme.responseTime)).toBeLessThan(0.0051);
      const v = pesObjectiveVector(evaluation.objectives);
      expect(vectorsOf(front).some((f) => covers(f, v))).toBe(true);
    }
  });
});

interface PesShape {
  name: string;
  seeds: number;
  options: Omit<RandomPesOptions, 'seed'>;
}

const PES_SHAPES: PesShape[] = [
  { name: 'no rules, no limits', seeds: 5, options: { rules: 0 } },
  { name: 'excludes only', seeds: 5, options: { rules: [2, 4], ruleTypes: ['excludes'], modules: [4, 5], instancesPerModule: [2, 3] } },
  { name: 'requires only', seeds: 5, options: { rules: [2, 4], ruleTypes: ['requires'], modules: [4, 5], instancesPerModule: [2, 3] } },
  { name: 'inclusive only', seeds: 5, options: { rules: [1, 3], ruleTypes: ['inclusive'], optionalProbability: 0.5 } },
  { name: 'mixed rules and limits', seeds: 6, options: { rules: [1, 4], priceTightness: 0.5, responseTimeTightness: 0.5 } },
  { name: 'tight limits, many optional modules', seeds: 5, options: { rules: [0, 3], priceTightness: 0.85, responseTimeTightness: 0.8, optionalProbability: 0.6 } },
  { name: 'rules within one module', seeds: 4, options: { rules: [2, 4], sameModuleRuleProbability: 0.6, instancesPerModule: [2, 4] } },
  { name: 'larger', seeds: 3, options: { modules: [6, 7], instancesPerModule: [2, 4], rules: [3, 6], priceTightness: 0.3, responseTimeTightness: 0.2 } },
];

const pesCases = PES_SHAPES.flatMap((shape) => Array.from({ length: shape.seeds }, (_, i) => [shape.name, i + 1, shape.options] as const));

describe('random small PES problems: the exact front equals the brute-force front', () => {
  it('covers at least 30 seeds and every rule type, limit and optional module', () => {
    expect(pesCases.length).toBeGreaterThanOrEqual(30);
    const problems = pesCases.map(([, seed, options]) => randomPesProblem({ ...options, seed }));
    const ruleTypes = new Set(problems.flatMap((p) => p.rules.map((r) => r.type)));
    expect([...ruleTypes].sort()).toEqual(['excludes', 'inclusive', 'requires']);
    expect(problems.some((p) => p.limits.maxPrice !== undefined)).toBe(true);
    expect(problems.some((p) => p.limits.maxResponseTime !== undefined)).toBe(true);
    expect(problems.some((p) => p.modules.some((m) => !m.mandatory))).toBe(true);
  });

  test.each(pesCases)('%s, seed %i', (_name, seed, options) => {
    const problem = randomPesProblem({ ...options, seed });
    const brute = bruteForcePes(problem);
    const front = solvePesExact(problem);
    expect(front.stats.exact).toBe(true);
    expectSameVectors(vectorsOf(front), vectorsOf(brute));
    expectWellFormedPesFront(problem, front);
  });
});

describe('infeasible PES problems', () => {
  const base = SMALL_PES_BASE;

  it('explains a price limit below the cheapest mandatory modules', () => {
    const problem = pesProblemOf({ ...base, limits: { profitMargin: 0.25, maxPrice: 7 } });
    const front = solvePesExact(problem);
    expect(front.solutions).toEqual([]);
    expect(front.stats.exact).toBe(true);
    expect(front.infeasible).toMatch(/price/);
    expect(front.infeasible).toContain('7');
    expect(bruteForcePes(problem).feasible).toBe(0);
  });

  it('explains a response-time limit below the fastest mandatory modules', () => {
    const problem = pesProblemOf({ ...base, limits: { profitMargin: 0, maxResponseTime: 3.5 } });
    const front = solvePesExact(problem);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toMatch(/fastest mandatory modules/);
    expect(front.infeasible).toContain('3.5');
    expect(bruteForcePes(problem).feasible).toBe(0);
  });

  it('gives the generic reason when only the rules exclude everything', () => {
    const problem = pesProblemOf({
      ...base,
      rules: [
        { type: 'requires', a: 'B1', b: 'C1' },
        { type: 'excludes', a: 'C1', b: 'A1' },
        { type: 'excludes', a: 'C1', b: 'A2' },
      ],
    });
    const front = solvePesExact(problem);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toMatch(/rules/);
    expect(bruteForcePes(problem).feasible).toBe(0);
  });

  it('accepts a configuration exactly at the price limit', () => {
    // A1 + B1 cost 6, price 7.5 with the margin: on the limit, so feasible.
    const problem = pesProblemOf({ ...base, limits: { profitMargin: 0.25, maxPrice: 7.5 } });
    const front = solvePesExact(problem);
    expect(vectorsOf(front)).toEqual([[-4, 6, 5]]);
    expectSameVectors(vectorsOf(front), vectorsOf(bruteForcePes(problem)));
  });
});

describe('PES limits', () => {
  it('refuses a space larger than maxConfigurations, naming its size', () => {
    let error: unknown;
    try {
      solvePesExact(elevator, { maxConfigurations: 1000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SearchLimitError);
    expect((error as Error).message).toContain('2.80e+5');
  });

  const large = randomPesProblem({ seed: 3, modules: 12, instancesPerModule: 4, rules: 0, optionalProbability: 0.3 });

  it('stops at timeLimitMs: 0 with feasible solutions and exact: false', () => {
    const front = solvePesExact(large, { timeLimitMs: 0 });
    expect(front.stats.exact).toBe(false);
    expectWellFormedPesFront(large, front);
  });

  it('stops when a fake clock jumps past the limit', () => {
    let t = 0;
    const front = solvePesExact(large, { timeLimitMs: 2500, now: () => (t += 1000) });
    expect(front.stats.exact).toBe(false);
    expectWellFormedPesFront(large, front);
  });
});

describe('PES regressions', () => {
  // The solver admits cost ≤ maxPrice / (1 + margin) + 1e-9 while evaluatePes demands
  // cost · (1 + margin) ≤ maxPrice + 1e-9: a cost in between passes one and fails the other.
  test('a cost just above the limit by less than the solver slack is not answered as feasible', () => {
    const problem = pesProblemOf({
      apiVersion: 'pss/v1',
      kind: 'PesProblem',
      modules: [{ id: 'M1', mandatory: true, instances: [{ id: 'A', cost: 8.00000000095, responseTime: 1, performance: 2 }] }],
      limits: { profitMargin: 0.25, maxPrice: 10 },
    });
    expect(evaluatePes(problem, ['A']).feasible).toBe(false);
    const front = solvePesExact(problem);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).not.toBeNull();
  });

  // Performances on a decimal grid: sums reached in different orders differ in the last bits, and a
  // solution whose performance is only noise-higher than a cheaper one's stays on the front.
  test('float noise in performance does not keep a dominated solution (0.1 + 0.2 against 0.3)', () => {
    // {A, B} scores 0.1 + 0.2 = 0.30000000000000004 at cost 2; {C, D} scores 0.3 at cost 1 and the same
    // time, so it dominates {A, B} (and {A, D}): the front is {C, D} alone.
    const problem = pesProblemOf({
      apiVersion: 'pss/v1',
      kind: 'PesProblem',
      modules: [
        { id: 'M1', mandatory: true, instances: [{ id: 'A', cost: 1, responseTime: 1, performance: 0.1 }, { id: 'C', cost: 1, responseTime: 1, performance: 0.3 }] },
        { id: 'M2', mandatory: true, instances: [{ id: 'B', cost: 1, responseTime: 0, performance: 0.2 }, { id: 'D', cost: 0, responseTime: 0, performance: 0 }] },
      ],
      rules: [{ type: 'excludes', a: 'C', b: 'B' }],
    });
    expect(vectorsOf(bruteForcePes(problem))).toEqual([[-0.3, 1, 1]]);
    expect(vectorsOf(solvePesExact(problem))).toEqual([[-0.3, 1, 1]]);
  });

  test('float noise in performance does not keep a dominated solution (seed 23, performance step 0.1)', () => {
    const problem = randomPesProblem({ seed: 23, rules: [2, 5], modules: [4, 6], instancesPerModule: [2, 3], performanceStep: 0.1 });
    expectSameVectors(vectorsOf(solvePesExact(problem)), vectorsOf(bruteForcePes(problem)));
  });
});
