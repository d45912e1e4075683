// NSGA-II on PesProblems: seed 003's elevator case with the paper's settings and with the defaults
// against the exact front, random small problems with rules and limits, the repair operator,
// determinism, limits and infeasible problems.
import { readFileSync } from 'fs';
import { join, resolve } from 'path';
import fc from 'fast-check';
import { PesFront, PesProblem, evaluatePes } from '@pss/model';
import { solvePesExact } from './exact-pes';
import { NSGA2_DEFAULT, NSGA2_PAPER } from './nsga2';
import { pesEncoding, solvePesNsga2 } from './nsga2-pes';
import { Random } from './random';
import { RandomPesOptions, randomPesProblem } from './testing/random-problem';
import { covers, expectWellFormedPesFront, hypervolumeRatio, pesVectorsOf as vectorsOf } from './testing/fronts';
import { SMALL_PES_BASE, SMALL_PES_BASE_WITH_C2, pesProblemOf } from './testing/small-problems';

const REPO_ROOT = resolve(__dirname, '../../..');

const elevator = pesProblemOf(JSON.parse(readFileSync(join(REPO_ROOT, 'examples/elevator-pes.json'), 'utf8')));

const expectWellFormed = (problem: PesProblem, front: PesFront) => expectWellFormedPesFront(problem, front, { algorithm: 'nsga2' });

// ---------------------------------------------------------------------------------------------

describe('seed 003 elevator case against the exact front', () => {
  const exact = vectorsOf(solvePesExact(elevator));

  it('with the paper preset (population 300, 300 generations, crossover 0.9, mutation 0.1): the whole front', () => {
    const front = solvePesNsga2(elevator, { preset: 'paper' });
    expectWellFormed(elevator, front);
    expect(front.stats).toMatchObject({ evaluations: 300 * 301, generations: 300, parameters: { ...NSGA2_PAPER, preset: 'paper' }, seed: 1 });
    // Observed: ratio 1 with all 129 points, seeds 1–4.
    expect(hypervolumeRatio(vectorsOf(front), exact)).toBeGreaterThanOrEqual(0.999);
    for (const v of vectorsOf(front)) expect(exact.some((e) => covers(e, v))).toBe(true);
  });

  it('with the defaults: the front at a fraction of the evaluations', () => {
    const front = solvePesNsga2(elevator);
    expectWellFormed(elevator, front);
    expect(front.stats.evaluations).toBe(NSGA2_DEFAULT.population * (NSGA2_DEFAULT.generations + 1));
    // Observed: ratio 1 (127–129 of the 129 points).
    expect(hypervolumeRatio(vectorsOf(front), exact)).toBeGreaterThanOrEqual(0.995);
    for (const v of vectorsOf(front)) expect(exact.some((e) => covers(e, v))).toBe(true);
  });
});

interface PesShape {
  name: string;
  seeds: number;
  options: Omit<RandomPesOptions, 'seed'>;
}

const PES_SHAPES: PesShape[] = [
  { name: 'no rules, no limits', seeds: 3, options: { rules: 0 } },
  { name: 'excludes only', seeds: 3, options: { rules: [2, 4], ruleTypes: ['excludes'], modules: [4, 5], instancesPerModule: [2, 3] } },
  { name: 'requires only', seeds: 3, options: { rules: [2, 4], ruleTypes: ['requires'], modules: [4, 5], instancesPerModule: [2, 3] } },
  { name: 'inclusive only', seeds: 3, options: { rules: [1, 3], ruleTypes: ['inclusive'], optionalProbability: 0.5 } },
  { name: 'mixed rules and limits', seeds: 4, options: { rules: [1, 4], priceTightness: 0.5, responseTimeTightness: 0.5 } },
  { name: 'tight limits, many optional modules', seeds: 4, options: { rules: [0, 3], priceTightness: 0.85, responseTimeTightness: 0.8, optionalProbability: 0.6 } },
  { name: 'rules within one module', seeds: 3, options: { rules: [2, 4], sameModuleRuleProbability: 0.6, instancesPerModule: [2, 4] } },
  { name: 'larger', seeds: 4, options: { modules: [8, 10], instancesPerModule: [2, 4], rules: [4, 8], priceTightness: 0.4, responseTimeTightness: 0.3 } },
];

const pesCases = PES_SHAPES.flatMap((shape) => Array.from({ length: shape.seeds }, (_, i) => [shape.name, i + 1, shape.options] as const));

describe('random PES problems with rules and limits against the exact front (defaults)', () => {
  const ratios: number[] = [];

  test.each(pesCases)('%s, seed %i', (_name, seed, options) => {
    const problem = randomPesProblem({ ...options, seed });
    const exact = vectorsOf(solvePesExact(problem));
    const front = solvePesNsga2(problem, { seed });
    expectWellFormed(problem, front);
    if (exact.length === 0) {
      expect(front.solutions).toEqual([]);
      return;
    }
    for (const v of vectorsOf(front)) expect(exact.some((e) => covers(e, v))).toBe(true);
    ratios.push(hypervolumeRatio(vectorsOf(front), exact));
  });

  it('covers every rule type and limit, and reaches the exact front nearly always', () => {
    const problems = pesCases.map(([, seed, options]) => randomPesProblem({ ...options, seed }));
    expect(new Set(problems.flatMap((p) => p.rules.map((r) => r.type)))).toEqual(new Set(['excludes', 'requires', 'inclusive']));
    expect(problems.some((p) => p.limits.maxPrice !== undefined && p.limits.maxResponseTime !== undefined)).toBe(true);
    expect(ratios.length).toBeGreaterThanOrEqual(20);
    const sorted = [...ratios].sort((a, b) => a - b);
    // Observed: every ratio 1.
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThanOrEqual(0.999);
    expect(sorted[0]).toBeGreaterThanOrEqual(0.95);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the repair', () => {
  const problems = [
    randomPesProblem({ seed: 5, modules: [5, 7], instancesPerModule: [1, 4], rules: [4, 8], priceTightness: 0.6, responseTimeTightness: 0.6, optionalProbability: 0.4 }),
    randomPesProblem({ seed: 6, modules: [5, 7], instancesPerModule: [1, 4], rules: [4, 8], sameModuleRuleProbability: 0.5, optionalProbability: 0.4 }),
    elevator,
  ];

  test.each(problems.map((p, i) => [i, p] as const))('keeps genomes valid and agrees with evaluatePes on feasibility (problem %i)', (_i, problem) => {
    const encoding = pesEncoding(problem);
    fc.assert(
      fc.property(fc.tuple(...[...encoding.domain].map((d) => fc.integer({ min: 0, max: d - 1 }))), fc.integer({ min: 0, max: 1e6 }), (genes, seed) => {
        const genome = Int32Array.from(genes);
        const before = evaluatePes(problem, encoding.instancesOf(genome));
        expect(encoding.violation(genome) === 0).toBe(before.feasible);
        const left = encoding.repair(genome, new Random(seed));
        genome.forEach((v, m) => expect(v).toBeLessThan(encoding.domain[m]));
        const after = evaluatePes(problem, encoding.instancesOf(genome));
        expect(left === 0).toBe(after.feasible);
        expect(left).toBe(encoding.violation(genome));
        // A feasible genome is left alone; the same seed repairs the same way.
        if (before.feasible) expect([...genome]).toEqual(genes);
        const again = Int32Array.from(genes);
        encoding.repair(again, new Random(seed));
        expect(again).toEqual(genome);
      }),
      { numRuns: 200 },
    );
  });

  it('repairs most random elevator configurations', () => {
    const encoding = pesEncoding(elevator);
    const random = new Random(1);
    let fixed = 0;
    for (let t = 0; t < 500; t++) {
      const genome = Int32Array.from(encoding.domain, (d) => random.int(d));
      if (encoding.repair(genome, random) === 0) fixed++;
    }
    expect(fixed).toBeGreaterThan(450);
  });

  const base = SMALL_PES_BASE_WITH_C2;
  /** Repairs `ids` with many seeds: the distinct results. */
  const repaired = (problem: PesProblem, ids: string[]) => {
    const encoding = pesEncoding(problem);
    const results = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const genome = Int32Array.from(problem.modules, (m) => {
        const k = m.instances.findIndex((i) => ids.includes(i.id));
        return k >= 0 ? k : m.instances.length;
      });
      expect(encoding.repair(genome, new Random(seed))).toBe(0);
      results.add(encoding.instancesOf(genome).join(' '));
    }
    return [...results].sort();
  };

  it('excludes: drops the optional side or switches the mandatory one', () => {
    const problem = pesProblemOf({ ...base, rules: [{ type: 'excludes', a: 'A1', b: 'C1' }] });
    expect(repaired(problem, ['A1', 'B1', 'C1'])).toEqual(['A1 B1', 'A2 B1 C1']);
  });

  it('requires: adds the required instance, or drops the requiring one; within one module only drops', () => {
    const across = pesProblemOf({ ...base, rules: [{ type: 'requires', a: 'C2', b: 'A2' }] });
    expect(repaired(across, ['A1', 'B1', 'C2'])).toEqual(['A1 B1', 'A2 B1 C2']);
    const within = pesProblemOf({ ...base, rules: [{ type: 'requires', a: 'C2', b: 'C1' }] });
    expect(repaired(within, ['A1', 'B1', 'C2'])).toEqual(['A1 B1']);
  });

  it('inclusive: adds the missing one or drops the present one', () => {
    const problem = pesProblemOf({ ...base, rules: [{ type: 'inclusive', a: 'A2', b: 'C1' }] });
    expect(repaired(problem, ['A2', 'B1'])).toEqual(['A1 B1', 'A2 B1 C1']);
  });

  it('limits: swaps to cheaper or faster instances while over the limit', () => {
    // A2 + B1 + C2 cost 11; the price limit 10 (margin 0) needs 1 less: A1 instead of A2, C1 instead of C2, or no C.
    const price = pesProblemOf({ ...base, limits: { profitMargin: 0, maxPrice: 10 } });
    expect(repaired(price, ['A2', 'B1', 'C2'])).toEqual(['A1 B1 C2', 'A2 B1', 'A2 B1 C1']);
    // A1 + B1 + C1 take 6 h; the limit 5 h: A2 instead of A1 or no C.
    const time = pesProblemOf({ ...base, limits: { profitMargin: 0, maxResponseTime: 5 } });
    expect(repaired(time, ['A1', 'B1', 'C1'])).toEqual(['A1 B1', 'A2 B1 C1']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('determinism, limits and infeasible problems', () => {
  const problem = randomPesProblem({ seed: 3, modules: 10, instancesPerModule: [2, 4], rules: [4, 6], priceTightness: 0.4, responseTimeTightness: 0.4 });
  const small = { population: 30, generations: 20 };

  it('gives the same front for the same seed', () => {
    const a = solvePesNsga2(problem, { ...small, seed: 9 });
    const b = solvePesNsga2(problem, { ...small, seed: 9 });
    expect(a.solutions).toEqual(b.solutions);
    expect({ ...a.stats, wallMs: 0 }).toEqual({ ...b.stats, wallMs: 0 });
  });

  it('stops at maxEvaluations and at a fake clock’s time limit with a feasible front', () => {
    const counted = solvePesNsga2(problem, { ...small, maxEvaluations: 100 });
    expectWellFormed(problem, counted);
    expect(counted.stats).toMatchObject({ evaluations: 100, generations: 2, stoppedBy: 'evaluation limit' });
    let t = 0;
    const timed = solvePesNsga2(problem, { ...small, timeLimitMs: 5000, now: () => (t += 100) });
    expectWellFormed(problem, timed);
    expect(timed.stats.stoppedBy).toBe('time limit');
    expect(timed.stats.evaluations).toBeLessThan(50);
  });

  const base = SMALL_PES_BASE;

  it('explains a price or response-time limit below the cheapest or fastest mandatory modules', () => {
    const price = solvePesNsga2(pesProblemOf({ ...base, limits: { profitMargin: 0.25, maxPrice: 7 } }), small);
    expect(price.solutions).toEqual([]);
    expect(price.infeasible).toMatch(/price limit 7/);
    const time = solvePesNsga2(pesProblemOf({ ...base, limits: { profitMargin: 0, maxResponseTime: 3.5 } }), small);
    expect(time.solutions).toEqual([]);
    expect(time.infeasible).toMatch(/fastest mandatory modules/);
  });

  it('says what it searched when only the rules exclude everything', () => {
    const problem = pesProblemOf({
      ...base,
      rules: [
        { type: 'requires', a: 'B1', b: 'C1' },
        { type: 'excludes', a: 'C1', b: 'A1' },
        { type: 'excludes', a: 'C1', b: 'A2' },
      ],
    });
    const front = solvePesNsga2(problem, small);
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toMatch(/no selection that satisfies the requires\/excludes\/inclusive rules .* in 630 evaluations \(least total violation 1\)/);
    expect(solvePesExact(problem).solutions).toEqual([]);
  });

  it('accepts a configuration exactly at the price limit', () => {
    const problem = pesProblemOf({ ...base, limits: { profitMargin: 0.25, maxPrice: 7.5 } });
    expect(vectorsOf(solvePesNsga2(problem, small))).toEqual([[-4, 6, 5]]);
  });
});
