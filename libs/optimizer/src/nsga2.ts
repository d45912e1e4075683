// NSGA-II (Deb, Pratap, Agarwal and Meyarivan 2002), as seed 003 runs it (Steps 1–7): a random parent
// population, binary tournaments on (rank, crowding distance), crossover and mutation, parents and
// offspring merged and the best N kept by fast non-dominated sorting and crowding distance.
//
// This is the generic core over fixed-length integer genomes: gene i takes values in [0, domain[i]).
// The problem adapters (nsga2-configuration.ts, nsga2-pes.ts) decode, repair (writing the repair back
// into the genome: Lamarckian) and score. All objectives are minimized. Infeasible individuals carry
// a positive `violation` and are ranked by Deb's constrained domination: a feasible individual beats
// an infeasible one, two infeasible ones are compared by violation alone, two feasible ones by Pareto
// dominance.
//
// Beyond the textbook algorithm:
// - Duplicates (equal phenotype keys) are dropped from the merged population before sorting, as
//   pymoo does by default; they only fill places when fewer than N distinct individuals exist.
//   Discrete problems otherwise fill the population with copies of a few good individuals.
// - An external archive keeps every feasible non-dominated solution ever evaluated, not only the
//   last population: the population holds at most N points, the front can hold many more.
import { HeuristicOptions, ProgressReporter, RunBudget } from './run-control';
import { Random } from './random';

// Module-level copies of the globals used in hot loops: a global lookup is cheap in Node but costs
// hundreds of nanoseconds inside Jest's sandbox, where the tests run.
const { floor, log, log1p } = Math;
const INFINITY = Number.POSITIVE_INFINITY;
const NEVER = Number.MAX_SAFE_INTEGER;

export interface Nsga2Parameters {
  /** Individuals per generation (N). */
  population: number;
  /** Offspring generations after the initial population: N · (generations + 1) evaluations in all. */
  generations: number;
  /** Probability that a pair of parents is recombined by uniform crossover (otherwise copied). */
  crossover: number;
  /**
   * Mutation probability per individual, realised gene by gene: each gene of an offspring (among the
   * L genes whose domain has more than one value) is redrawn, uniformly among the other values of its
   * domain, with probability `mutation / L`. An offspring thus has `mutation` genes changed on
   * average and is mutated at all with probability 1 − e^(−mutation) ≈ `mutation`; `mutation: 1` is
   * Deb's recommended per-gene rate 1/L. Seed 003's 0.1 is read as this per-individual probability.
   */
  mutation: number;
}

/** Seed 003's settings for the elevator case (Section 5.1). */
export const NSGA2_PAPER: Readonly<Nsga2Parameters> = Object.freeze({ population: 300, generations: 300, crossover: 0.9, mutation: 0.1 });

/**
 * The default: 20,100 evaluations (22 % of the paper's 90,300). Measured (seeds 1–3, hypervolume
 * ratio against the best front known): on the passenger car (1e22 configurations) 0.979–0.987 in
 * 0.3–0.5 s, against 0.95–0.98 with 100 generations and 0.956–0.997 with the paper preset; on a
 * random 8-asset fleet (4e7 combinations) 0.999 against 0.95–0.98 with 100 generations; on seed
 * 003's elevator case, the random test problems and the shipped fleets, the exact front. Mutation
 * 1 is Deb's per-gene rate 1/L: the paper's 0.1 per individual changes too little on long
 * configuration genomes, a per-gene 0.1 (4.7 genes per offspring on the car) far too much
 * (3–20 % of the hypervolume lost).
 */
export const NSGA2_DEFAULT: Readonly<Nsga2Parameters> = Object.freeze({ population: 100, generations: 200, crossover: 0.9, mutation: 1 });

/** What the adapters accept (heuristic limits, seed, and the NSGA-II parameters). */
export interface Nsga2Options extends HeuristicOptions {
  population?: number;
  generations?: number;
  crossover?: number;
  mutation?: number;
  /** Base parameters, overridden by any of the four given explicitly. Default 'default'. */
  preset?: 'default' | 'paper';
}

/** The parameters a run uses: the preset's, overridden by the ones given, validated. */
export function nsga2Parameters(options: Nsga2Options): Nsga2Parameters {
  const base = options.preset === 'paper' ? NSGA2_PAPER : NSGA2_DEFAULT;
  const p: Nsga2Parameters = {
    population: options.population ?? base.population,
    generations: options.generations ?? base.generations,
    crossover: options.crossover ?? base.crossover,
    mutation: options.mutation ?? base.mutation,
  };
  if (!Number.isInteger(p.population) || p.population < 2) throw new RangeError(`population must be an integer of at least 2, got ${p.population}`);
  if (!Number.isInteger(p.generations) || p.generations < 0) throw new RangeError(`generations must be a non-negative integer, got ${p.generations}`);
  for (const key of ['crossover', 'mutation'] as const) {
    if (!(p[key] >= 0 && p[key] <= 1)) throw new RangeError(`${key} must be a probability in [0, 1], got ${p[key]}`);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Sorting and crowding

/** Deb's constrained domination: a beats b (objective vectors minimized, violation 0 = feasible). */
export function constrainedDominates(a: ArrayLike<number>, violationA: number, b: ArrayLike<number>, violationB: number): boolean {
  if (violationA > 0 || violationB > 0) {
    if (violationA === 0) return true;
    if (violationB === 0) return false;
    return violationA < violationB;
  }
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strictly = true;
  }
  return strictly;
}

/**
 * Non-dominated sorting under constrained domination: the fronts as lists of indices, best first,
 * each in increasing index order. Without `violations` every point is feasible.
 *
 * The same fronts as Deb's fast non-dominated sort, computed by Zhang et al.'s efficient
 * non-dominated sort with sequential search (ENS-SS, 2015): the points are visited in
 * lexicographic order of (violation, objectives), where no point can be beaten by a later one, and
 * each joins the first front none of whose members beats it (members checked newest first). Fronts
 * hold few dominance checks when they are few or small; the worst case stays O(M·n²).
 */
export function nonDominatedSort(points: readonly ArrayLike<number>[], violations?: ArrayLike<number>): number[][] {
  const n = points.length;
  const violation = new Float64Array(n);
  if (violations) for (let i = 0; i < n; i++) violation[i] = violations[i];
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((x, y) => {
    if (violation[x] !== violation[y]) return violation[x] - violation[y];
    const a = points[x];
    const b = points[y];
    for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return a[d] - b[d];
    return x - y;
  });
  const fronts: number[][] = [];
  for (const p of order) {
    const pp = points[p];
    const vp = violation[p];
    const m = pp.length;
    let k = 0;
    for (; k < fronts.length; k++) {
      const front = fronts[k];
      let beaten = false;
      for (let t = front.length - 1; t >= 0 && !beaten; t--) {
        const q = front[t];
        const vq = violation[q];
        if (vq > 0 || vp > 0) beaten = vq < vp;
        else {
          // q precedes p lexicographically, so q beats p unless p is better somewhere.
          const pq = points[q];
          beaten = true;
          let equal = true;
          for (let d = 0; d < m; d++) {
            if (pq[d] > pp[d]) {
              beaten = false;
              break;
            }
            if (pq[d] < pp[d]) equal = false;
          }
          if (equal) beaten = false;
        }
      }
      if (!beaten) break;
    }
    if (k === fronts.length) fronts.push([p]);
    else fronts[k].push(p);
  }
  for (const front of fronts) front.sort((x, y) => x - y);
  return fronts;
}

/**
 * Crowding distances of the members of one front, in the order of `front`: per objective, the
 * members sorted by value (ties by position in `front`), the two ends infinite, the others adding
 * the normalized gap between their neighbours. Objectives with a single value add nothing.
 */
export function crowdingDistances(points: readonly ArrayLike<number>[], front: readonly number[]): Float64Array {
  const size = front.length;
  const distance = new Float64Array(size);
  if (size === 0) return distance;
  const m = points[front[0]].length;
  const order = Array.from({ length: size }, (_, i) => i);
  for (let d = 0; d < m; d++) {
    order.sort((x, y) => points[front[x]][d] - points[front[y]][d] || x - y);
    const lo = points[front[order[0]]][d];
    const hi = points[front[order[size - 1]]][d];
    distance[order[0]] = INFINITY;
    distance[order[size - 1]] = INFINITY;
    if (!(hi > lo)) continue;
    for (let k = 1; k < size - 1; k++) distance[order[k]] += (points[front[order[k + 1]]][d] - points[front[order[k - 1]]][d]) / (hi - lo);
  }
  return distance;
}

// ---------------------------------------------------------------------------------------------
// Individuals, selection and variation

export interface Nsga2Evaluation {
  /** Objectives to minimize. */
  objectives: number[];
  /** 0 when feasible; otherwise how badly the constraints are broken (smaller is better). */
  violation: number;
  /** The phenotype: genomes with equal keys are the same solution (duplicates are dropped). */
  key: string;
}

export interface Individual extends Nsga2Evaluation {
  genome: Int32Array;
  /** Non-domination rank in the last merged population (0 = best front). */
  rank: number;
  crowding: number;
  /** Already offered to the archive. */
  archived: boolean;
}

/**
 * Deb's crowded-comparison binary tournament: lower rank wins, then larger crowding, then the first
 * drawn. The two contestants are drawn with replacement from the two 16-bit halves of one random
 * number (populations up to 65,536; larger ones draw twice).
 */
export function binaryTournament<T extends { rank: number; crowding: number }>(population: readonly T[], random: Random): T {
  const n = population.length;
  let i: number;
  let j: number;
  if (n <= 0x10000) {
    const u = random.nextUint32();
    i = ((u >>> 16) * n) >>> 16;
    j = ((u & 0xffff) * n) >>> 16;
  } else {
    i = random.int(n);
    j = random.int(n);
  }
  const a = population[i];
  const b = population[j];
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  return b.crowding > a.crowding ? b : a;
}

/** Uniform crossover: each gene swapped between the two children with probability 1/2. In place. */
export function uniformCrossover(a: Int32Array, b: Int32Array, random: Random): void {
  let bits = 0;
  for (let i = 0; i < a.length; i++) {
    if ((i & 31) === 0) bits = random.nextUint32();
    if (bits & (1 << (i & 31)) && a[i] !== b[i]) {
      const t = a[i];
      a[i] = b[i];
      b[i] = t;
    }
  }
}

/**
 * Each gene redrawn with probability `rate` among the other values of its domain (genes with a
 * single value never change). In place. The genes to mutate are found by geometric skips, so a
 * small rate costs a few random numbers per genome, not one per gene.
 */
export function mutateGenes(genome: Int32Array, domain: Int32Array, rate: number, random: Random): void {
  if (rate <= 0) return;
  const redraw = (i: number) => {
    const size = domain[i];
    if (size > 1) {
      const v = random.int(size - 1);
      genome[i] = v >= genome[i] ? v + 1 : v;
    }
  };
  if (rate >= 1) {
    for (let i = 0; i < genome.length; i++) redraw(i);
    return;
  }
  const logKeep = log1p(-rate);
  for (let i = skip(random, logKeep); i < genome.length; i += 1 + skip(random, logKeep)) redraw(i);
}

/** Genes left alone before the next mutated one: geometric with success probability 1 − e^logKeep. */
function skip(random: Random, logKeep: number): number {
  const skipped = floor(log(1 - random.next()) / logKeep);
  return skipped < NEVER ? skipped : NEVER;
}

/**
 * Elitist (μ + λ) survival over the merged population: duplicates (by key) set aside, the rest
 * sorted into fronts that are taken whole while they fit, the front that does not fit cut by
 * crowding distance (largest first). Sets rank and crowding on every survivor.
 */
export function selectSurvivors(merged: readonly Individual[], size: number): { survivors: Individual[]; firstFront: Individual[] } {
  const seen = new Set<string>();
  const unique: Individual[] = [];
  const duplicates: Individual[] = [];
  for (const ind of merged) {
    if (seen.has(ind.key)) duplicates.push(ind);
    else {
      seen.add(ind.key);
      unique.push(ind);
    }
  }
  const points = unique.map((u) => u.objectives);
  const fronts = nonDominatedSort(
    points,
    unique.map((u) => u.violation),
  );
  const survivors: Individual[] = [];
  fronts.forEach((front, rank) => {
    if (survivors.length >= size) return;
    const crowding = crowdingDistances(points, front);
    front.forEach((i, k) => {
      unique[i].rank = rank;
      unique[i].crowding = crowding[k];
    });
    if (survivors.length + front.length <= size) {
      for (const i of front) survivors.push(unique[i]);
      return;
    }
    const order = front.map((_, k) => k).sort((x, y) => crowding[y] - crowding[x] || x - y);
    for (const k of order.slice(0, size - survivors.length)) survivors.push(unique[front[k]]);
  });
  for (const ind of duplicates) {
    if (survivors.length >= size) break;
    ind.rank = fronts.length;
    ind.crowding = 0;
    survivors.push(ind);
  }
  return { survivors, firstFront: (fronts[0] ?? []).map((i) => unique[i]) };
}

// ---------------------------------------------------------------------------------------------
// The archive

/** Mutually non-dominated entries, one per distinct vector (minimized); dominated ones evicted. */
export class ParetoSet<T> {
  readonly vectors: number[][] = [];
  readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Adds unless some member is at least as good everywhere; evicts the members it dominates. */
  add(vector: readonly number[], item: T): boolean {
    const m = vector.length;
    const vs = this.vectors;
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k];
      let covers = true;
      for (let d = 0; d < m && covers; d++) if (v[d] > vector[d]) covers = false;
      if (covers) return false;
    }
    let w = 0;
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k];
      let dominated = true;
      for (let d = 0; d < m && dominated; d++) if (vector[d] > v[d]) dominated = false;
      if (!dominated) {
        vs[w] = v;
        this.items[w] = this.items[k];
        w++;
      }
    }
    vs.length = w;
    this.items.length = w;
    vs.push([...vector]);
    this.items.push(item);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// The generation loop

/** A problem as NSGA-II sees it. */
export interface Nsga2Spec {
  /** Gene i takes values in [0, domain[i]). */
  domain: Int32Array;
  /** A random genome (default: every gene uniform in its domain). */
  randomGenome?: (random: Random) => Int32Array;
  /** Decodes, repairs in place (the repair is written back into the genome) and scores. */
  evaluate: (genome: Int32Array, random: Random) => Nsga2Evaluation;
}

export interface Nsga2Run {
  /** Every feasible non-dominated individual evaluated, by the archive's rule. */
  archive: ParetoSet<Individual>;
  /** The last population (possibly smaller than N when a limit stopped the first generation). */
  population: Individual[];
  /** Offspring generations completed (0: only the initial population, or part of it). */
  generations: number;
  evaluations: number;
  /** Why the run stopped before its last generation, if it did. */
  stoppedBy?: string;
  /** The least violation seen among infeasible individuals (Infinity when none was infeasible). */
  leastViolation: number;
}

export function runNsga2(spec: Nsga2Spec, parameters: Nsga2Parameters, budget: RunBudget, random: Random, onProgress?: ProgressReporter): Nsga2Run {
  const { population: size, generations, crossover, mutation } = parameters;
  const { domain } = spec;
  let mutable = 0;
  for (let i = 0; i < domain.length; i++) if (domain[i] > 1) mutable++;
  const geneRate = mutable === 0 ? 0 : Math.min(1, mutation / mutable);
  const archive = new ParetoSet<Individual>();
  let leastViolation = Infinity;

  const evaluate = (genome: Int32Array): Individual => {
    budget.count();
    const e = spec.evaluate(genome, random);
    if (e.violation > 0 && e.violation < leastViolation) leastViolation = e.violation;
    return { genome, objectives: e.objectives, violation: e.violation, key: e.key, rank: 0, crowding: 0, archived: false };
  };
  const randomGenome =
    spec.randomGenome ??
    ((r: Random) => {
      const g = new Int32Array(domain.length);
      for (let i = 0; i < g.length; i++) g[i] = r.int(domain[i]);
      return g;
    });
  /** Offers the feasible members of the first front not offered yet. Anything else is dominated by one that was. */
  const offer = (firstFront: readonly Individual[]) => {
    for (const ind of firstFront) {
      if (ind.archived) continue;
      ind.archived = true;
      if (ind.violation === 0) archive.add(ind.objectives, ind);
    }
  };

  // Step 1: a random parent population; Step 2: sorted, ranked and crowded.
  const initial: Individual[] = [];
  while (initial.length < size && !budget.exhausted()) initial.push(evaluate(randomGenome(random)));
  let { survivors: population, firstFront } = selectSurvivors(initial, size);
  offer(firstFront);
  let completed = 0;
  onProgress?.({ phase: 'nsga2', done: 0, total: generations, evaluations: budget.evaluations, front: archive.size });

  // Steps 3–7.
  while (completed < generations && population.length > 0 && !budget.exhausted()) {
    const offspring: Individual[] = [];
    while (offspring.length < size && !budget.exhausted()) {
      const a = Int32Array.from(binaryTournament(population, random).genome);
      const b = Int32Array.from(binaryTournament(population, random).genome);
      if (random.next() < crossover) uniformCrossover(a, b, random);
      mutateGenes(a, domain, geneRate, random);
      mutateGenes(b, domain, geneRate, random);
      offspring.push(evaluate(a));
      if (offspring.length < size && !budget.exhausted()) offspring.push(evaluate(b));
    }
    ({ survivors: population, firstFront } = selectSurvivors([...population, ...offspring], size));
    offer(firstFront);
    if (offspring.length === size) completed++;
    onProgress?.({ phase: 'nsga2', done: completed, total: generations, evaluations: budget.evaluations, front: archive.size });
  }
  const stoppedBy = completed < generations ? (budget.reason ?? 'no population') : undefined;
  return { archive, population, generations: completed, evaluations: budget.evaluations, stoppedBy, leastViolation };
}
