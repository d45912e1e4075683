// The generic NSGA-II core: sorting and crowding on hand-made sets and against naive versions on
// random sets, tournament, survival, the archive, operators, parameters, and the generation loop on
// toy problems (exhaustive fronts), its limits and its determinism.
import fc from 'fast-check';
import {
  Individual,
  NSGA2_DEFAULT,
  NSGA2_PAPER,
  Nsga2Spec,
  ParetoSet,
  binaryTournament,
  constrainedDominates,
  crowdingDistances,
  mutateGenes,
  nonDominatedSort,
  nsga2Parameters,
  runNsga2,
  selectSurvivors,
  uniformCrossover,
} from './nsga2';
import { Random } from './random';
import { RunBudget } from './run-control';

// ---------------------------------------------------------------------------------------------
// Naive references

/** Constrained domination written out from Deb's definition, independently of the implementation. */
function naiveBeats(a: number[], va: number, b: number[], vb: number): boolean {
  const feasibleA = va === 0;
  const feasibleB = vb === 0;
  if (feasibleA && !feasibleB) return true;
  if (!feasibleA && feasibleB) return false;
  if (!feasibleA && !feasibleB) return va < vb;
  return a.every((x, i) => x <= b[i]) && a.some((x, i) => x < b[i]);
}

/** Ranks by peeling: rank k = non-dominated once ranks < k are removed. */
function naiveRanks(points: number[][], violations: number[]): number[] {
  const rank = points.map(() => -1);
  let left = points.map((_, i) => i);
  for (let k = 0; left.length; k++) {
    const front = left.filter((i) => !left.some((j) => j !== i && naiveBeats(points[j], violations[j], points[i], violations[i])));
    for (const i of front) rank[i] = k;
    left = left.filter((i) => rank[i] === -1);
  }
  return rank;
}

/** Crowding by scanning for each member its neighbours in (value, position) order, per objective. */
function naiveCrowding(points: number[][], front: number[]): number[] {
  return front.map((p, k) => {
    let total = 0;
    for (let d = 0; d < points[p].length; d++) {
      const key = (i: number): [number, number] => [points[front[i]][d], i];
      const less = (x: [number, number], y: [number, number]) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
      const me = key(k);
      let below: [number, number] | undefined;
      let above: [number, number] | undefined;
      front.forEach((_, i) => {
        const other = key(i);
        if (less(other, me) && (!below || less(below, other))) below = other;
        if (less(me, other) && (!above || less(other, above))) above = other;
      });
      if (!below || !above) return Infinity;
      const values = front.map((i) => points[i][d]);
      const range = Math.max(...values) - Math.min(...values);
      if (range > 0) total += (above[0] - below[0]) / range;
    }
    return total;
  });
}

function individual(objectives: number[], extra: Partial<Individual> = {}): Individual {
  return { genome: new Int32Array(0), objectives, violation: 0, key: objectives.join(','), rank: 0, crowding: 0, archived: false, ...extra };
}

// ---------------------------------------------------------------------------------------------

describe('non-dominated sort', () => {
  it('ranks a hand-made 2-objective set', () => {
    const points = [
      [1, 5],
      [2, 3],
      [3, 1],
      [2, 4],
      [4, 4],
      [5, 5],
    ];
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2], [3], [4], [5]]);
  });

  it('keeps equal vectors in the same front and handles 3 objectives', () => {
    const points = [
      [1, 1, 1],
      [1, 1, 1],
      [0, 2, 2],
      [2, 2, 2],
      [2, 2, 3],
    ];
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2], [3], [4]]);
  });

  it('puts every feasible point before the infeasible ones, layered by violation', () => {
    const points = [
      [0, 0],
      [5, 5],
      [9, 9],
      [1, 9],
      [9, 1],
    ];
    // 0 and 2 infeasible (violations 2 and 1): 2 beats 0 despite worse objectives; 1 (feasible) beats both.
    expect(nonDominatedSort(points, [2, 0, 1, 0, 0])).toEqual([[1, 3, 4], [2], [0]]);
    expect(constrainedDominates([9, 9], 0, [0, 0], 0.5)).toBe(true);
    expect(constrainedDominates([0, 0], 3, [9, 9], 3)).toBe(false);
    expect(constrainedDominates([9, 9], 3, [0, 0], 3)).toBe(false);
  });

  it('sorts nothing into no fronts', () => {
    expect(nonDominatedSort([])).toEqual([]);
  });

  it('agrees with the naive peeling on random sets (with ties and infeasible points)', () => {
    const arb = fc
      .integer({ min: 1, max: 3 })
      .chain((m) => fc.array(fc.record({ p: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: m, maxLength: m }), v: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 })) }), { maxLength: 40 }));
    fc.assert(
      fc.property(arb, (items) => {
        const points = items.map((x) => x.p);
        const violations = items.map((x) => x.v);
        const fronts = nonDominatedSort(points, violations);
        const ranks = naiveRanks(points, violations);
        const expected: number[][] = [];
        ranks.forEach((r, i) => (expected[r] ??= []).push(i));
        expect(fronts).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('crowding distance', () => {
  it('is infinite at the ends and sums normalized gaps inside', () => {
    const points = [
      [1, 5],
      [2, 3],
      [3, 1],
    ];
    expect([...crowdingDistances(points, [0, 1, 2])]).toEqual([Infinity, 2, Infinity]);
    const four = [
      [0, 10],
      [1, 6],
      [4, 2],
      [10, 0],
    ];
    const d = crowdingDistances(four, [0, 1, 2, 3]);
    expect(d[0]).toBe(Infinity);
    expect(d[3]).toBe(Infinity);
    expect(d[1]).toBeCloseTo((4 - 0) / 10 + (10 - 2) / 10, 12);
    expect(d[2]).toBeCloseTo((10 - 1) / 10 + (6 - 0) / 10, 12);
  });

  it('ignores an objective with a single value and gives one or two members infinity', () => {
    expect([...crowdingDistances([[1, 7], [2, 7], [3, 7]], [0, 1, 2])]).toEqual([Infinity, 1, Infinity]);
    expect([...crowdingDistances([[1, 1]], [0])]).toEqual([Infinity]);
    expect([...crowdingDistances([[1, 1], [0, 2]], [0, 1])]).toEqual([Infinity, Infinity]);
  });

  it('agrees with a naive neighbour scan on random fronts (ties broken by position)', () => {
    const arb = fc
      .integer({ min: 1, max: 3 })
      .chain((m) => fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: m, maxLength: m }), { minLength: 1, maxLength: 25 }));
    fc.assert(
      fc.property(arb, (points) => {
        const front = points.map((_, i) => i).reverse();
        const fast = [...crowdingDistances(points, front)];
        const naive = naiveCrowding(points, front);
        fast.forEach((x, i) => (x === Infinity ? expect(naive[i]).toBe(Infinity) : expect(x).toBeCloseTo(naive[i], 9)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('selection and survival', () => {
  it('binary tournament returns the better of the two drawn (rank, then crowding, then the first)', () => {
    const pop = [individual([0], { rank: 0, crowding: 1 }), individual([1], { rank: 0, crowding: 5 }), individual([2], { rank: 1, crowding: Infinity }), individual([3], { rank: 2, crowding: 0 })];
    const better = (a: Individual, b: Individual) => (a.rank !== b.rank ? (a.rank < b.rank ? a : b) : b.crowding > a.crowding ? b : a);
    for (let seed = 1; seed <= 200; seed++) {
      const u = new Random(seed).nextUint32();
      const i = Math.floor(((u >>> 16) / 65536) * pop.length);
      const j = Math.floor(((u & 0xffff) / 65536) * pop.length);
      expect(binaryTournament(pop, new Random(seed))).toBe(better(pop[i], pop[j]));
    }
  });

  it('keeps whole fronts while they fit and cuts the next by crowding distance', () => {
    const merged = [
      individual([1, 9]),
      individual([9, 1]),
      individual([2, 8]),
      individual([5, 5]),
      individual([8, 2]),
      individual([9, 9]), // second front
      individual([10, 10]), // third front
    ];
    const { survivors, firstFront } = selectSurvivors(merged, 3);
    expect(firstFront).toHaveLength(5);
    // The ends (infinite crowding) and the most isolated interior point (5, 5).
    expect(survivors.map((s) => s.objectives)).toEqual([
      [1, 9],
      [9, 1],
      [5, 5],
    ]);
    expect(survivors.every((s) => s.rank === 0)).toBe(true);
    const all = selectSurvivors(merged, 6).survivors;
    expect(all.map((s) => s.rank)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('prefers feasible individuals and sets duplicates aside unless places are left', () => {
    const a = individual([5, 5], { key: 'a' });
    const a2 = individual([5, 5], { key: 'a' });
    const b = individual([0, 0], { key: 'b', violation: 1 });
    const c = individual([6, 6], { key: 'c' });
    expect(selectSurvivors([a, a2, b, c], 3).survivors).toEqual([a, c, b]);
    const four = selectSurvivors([a, a2, b, c], 4).survivors;
    expect(four).toEqual([a, c, b, a2]);
    expect(four[3].rank).toBe(3);
  });
});

describe('the archive', () => {
  it('keeps mutually non-dominated vectors, one per vector, and evicts dominated ones', () => {
    const set = new ParetoSet<string>();
    expect(set.add([3, 3], 'a')).toBe(true);
    expect(set.add([3, 3], 'dup')).toBe(false);
    expect(set.add([4, 3], 'worse')).toBe(false);
    expect(set.add([1, 5], 'b')).toBe(true);
    expect(set.add([2, 2], 'c')).toBe(true); // evicts a
    expect(set.items.sort()).toEqual(['b', 'c']);
    expect(set.add([0, 0], 'd')).toBe(true);
    expect(set.items).toEqual(['d']);
    expect(set.vectors).toEqual([[0, 0]]);
  });

  it('matches the naive non-dominated filter on random insertions', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 }), { maxLength: 40 }), (points) => {
        const set = new ParetoSet<number>();
        points.forEach((p, i) => set.add(p, i));
        const naive = points.filter((p, i) => !points.some((q, j) => naiveBeats(q, 0, p, 0) || (j < i && q.every((x, d) => x === p[d]))));
        expect(set.vectors.map((v) => v.join(',')).sort()).toEqual(naive.map((v) => v.join(',')).sort());
      }),
    );
  });
});

describe('operators and parameters', () => {
  it('uniform crossover only exchanges genes between the two children', () => {
    const random = new Random(3);
    for (let t = 0; t < 50; t++) {
      const a = Int32Array.from({ length: 12 }, () => random.int(5));
      const b = Int32Array.from({ length: 12 }, () => random.int(5));
      const [x, y] = [Int32Array.from(a), Int32Array.from(b)];
      uniformCrossover(x, y, random);
      for (let i = 0; i < a.length; i++) expect([x[i], y[i]].sort()).toEqual([a[i], b[i]].sort());
    }
  });

  it('mutation stays in the domain and, at rate 1, changes every gene that can change', () => {
    const domain = Int32Array.from([1, 2, 3, 7, 1]);
    const random = new Random(9);
    for (let t = 0; t < 50; t++) {
      const g = Int32Array.from(domain, (d) => random.int(d));
      const before = Int32Array.from(g);
      mutateGenes(g, domain, 1, random);
      g.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan(domain[i]);
        expect(v !== before[i]).toBe(domain[i] > 1);
      });
      mutateGenes(g, domain, 0, random);
    }
  });

  it('takes the preset, overrides it with the parameters given, and rejects bad ones', () => {
    expect(NSGA2_PAPER).toEqual({ population: 300, generations: 300, crossover: 0.9, mutation: 0.1 });
    expect(nsga2Parameters({})).toEqual(NSGA2_DEFAULT);
    expect(nsga2Parameters({ preset: 'paper' })).toEqual(NSGA2_PAPER);
    expect(nsga2Parameters({ preset: 'paper', generations: 5 })).toEqual({ ...NSGA2_PAPER, generations: 5 });
    expect(() => nsga2Parameters({ population: 1 })).toThrow(/population/);
    expect(() => nsga2Parameters({ population: 10.5 })).toThrow(/population/);
    expect(() => nsga2Parameters({ generations: -1 })).toThrow(/generations/);
    expect(() => nsga2Parameters({ crossover: 1.5 })).toThrow(/crossover/);
    expect(() => nsga2Parameters({ mutation: Number.NaN })).toThrow(/mutation/);
  });
});

// ---------------------------------------------------------------------------------------------
// The loop on toy problems

/**
 * Three genes in [0, 8): minimize (x, 7 − x + y, z − y) subject to x + z ≤ 9 (violation: the excess).
 * Small enough to enumerate (512 genomes).
 */
const toy: Nsga2Spec = {
  domain: Int32Array.from([8, 8, 8]),
  evaluate: (g) => ({ objectives: [g[0], 7 - g[0] + g[1], g[2] - g[1]], violation: Math.max(0, g[0] + g[2] - 9), key: g.join(',') }),
};

function toyFront(): string[] {
  const set = new ParetoSet<string>();
  for (let x = 0; x < 8; x++) {
    for (let y = 0; y < 8; y++) {
      for (let z = 0; z < 8; z++) {
        const e = toy.evaluate(Int32Array.from([x, y, z]), new Random(0));
        if (e.violation === 0) set.add(e.objectives, e.key);
      }
    }
  }
  return set.vectors.map((v) => v.join(',')).sort();
}

describe('the generation loop', () => {
  const params = { population: 20, generations: 40, crossover: 0.9, mutation: 1 };

  it('finds the whole front of a small toy problem (64 points), with only feasible members in the archive', () => {
    const front = toyFront();
    expect(front).toHaveLength(64);
    for (let seed = 1; seed <= 3; seed++) {
      // Population 30 for 60 generations: the whole front in 200 of 200 seeds tried (20 for 40: 81).
      const run = runNsga2(toy, { ...params, population: 30, generations: 60 }, new RunBudget({}), new Random(seed));
      expect(run.evaluations).toBe(30 * 61);
      expect(run.generations).toBe(60);
      expect(run.stoppedBy).toBeUndefined();
      expect(run.population).toHaveLength(30);
      expect(run.archive.items.every((i) => i.violation === 0)).toBe(true);
      expect(run.archive.vectors.map((v) => v.join(',')).sort()).toEqual(front);
    }
  });

  it('is deterministic per seed and reports progress once per generation', () => {
    const progress: number[] = [];
    const a = runNsga2(toy, params, new RunBudget({}), new Random(7), (p) => progress.push(p.done));
    const b = runNsga2(toy, params, new RunBudget({}), new Random(7));
    expect(a.archive.vectors).toEqual(b.archive.vectors);
    expect(a.population.map((i) => i.key)).toEqual(b.population.map((i) => i.key));
    expect(progress).toEqual(Array.from({ length: 41 }, (_, i) => i));
  });

  it('stops exactly at maxEvaluations, also inside the initial population', () => {
    const run = runNsga2(toy, params, new RunBudget({ maxEvaluations: 95 }), new Random(1));
    expect(run.evaluations).toBe(95);
    expect(run.generations).toBe(3);
    expect(run.stoppedBy).toBe('evaluation limit');
    const early = runNsga2(toy, params, new RunBudget({ maxEvaluations: 5 }), new Random(1));
    expect(early.evaluations).toBe(5);
    expect(early.population).toHaveLength(5);
    expect(early.generations).toBe(0);
    const none = runNsga2(toy, params, new RunBudget({ maxEvaluations: 0 }), new Random(1));
    expect(none.evaluations).toBe(0);
    expect(none.archive.size).toBe(0);
    expect(none.stoppedBy).toBe('evaluation limit');
  });

  it('stops when a fake clock passes the time limit', () => {
    let t = 0;
    const run = runNsga2(toy, params, new RunBudget({ timeLimitMs: 10_000, now: () => (t += 100) }), new Random(1));
    expect(run.stoppedBy).toBe('time limit');
    expect(run.evaluations).toBeLessThan(100);
    expect(run.evaluations).toBeGreaterThan(50);
  });

  it('reports the least violation when nothing is feasible', () => {
    const impossible: Nsga2Spec = { domain: Int32Array.from([4, 4]), evaluate: (g) => ({ objectives: [g[0], g[1]], violation: 1 + g[0] + g[1], key: g.join(',') }) };
    const run = runNsga2(impossible, params, new RunBudget({}), new Random(1));
    expect(run.archive.size).toBe(0);
    expect(run.leastViolation).toBe(1);
    expect(run.population[0].violation).toBe(1);
  });
});
