// Pareto-IMODCS, the heuristic of seed 004 (section 4.3): enumerate the combinations of alternatives
// (Steps 1-2: the SL-DFT alternatives of each triggered flow that meet its deadline, combined across
// flows), search the resource allocations of each combination with a Pareto multi-objective discrete
// cuckoo search whose every new nest goes through the paper's "nest pre-processing" (Step 3), and
// merge the per-combination archives into one non-dominated front (Step 4).
//
// A nest is a pick vector over the combination's demand units (staffing.ts): dimension j is the
// resource instance for one unit of one resource-kind demand of one activity, as the paper encodes it.
// Within one combination the time objective is a constant (it depends on the alternatives only), so
// Pareto comparisons inside a combination come down to cost and reliability; time returns in Step 4.
import { ConfigurationFront, ConfigurationProblem, ConfigurationSolution, ObjectiveContext } from '@pss/model';
import { buildConfigurationSpace, explainInfeasible } from './configuration-space';
import { Combination, combination, combinationCount, forEachCombination } from './combinations';
import { finishConfigurationFront, verifiedSolution } from './front';
import { Random } from './random';
import { SelectionStrategy, paretoOnActivities } from './hybrid';
import { HeuristicOptions, Partition, RunBudget, SearchLimitError, ownShare } from './run-control';
import { StaffingLayout, StaffingScore, buildLayout, layoutOccurrences, repairStaffing, scoreStaffing } from './staffing';
import { Triple, nonDominated3 } from './staircase';

export interface ImodcsParameters {
  /** Nests (population size) per run and combination. */
  nests: number;
  /** Discovery probability: the fraction of the worst nests abandoned and rebuilt every iteration. */
  pa: number;
  /** Iterations (generations) per run and combination. */
  iterations: number;
  /** Independent runs per combination; their archives are merged. */
  runs: number;
}

/** The parameters of seed 004's case study (section 5). */
export const IMODCS_PAPER: Readonly<ImodcsParameters> = Object.freeze({ nests: 200, pa: 0.25, iterations: 3000, runs: 10 });

/**
 * The defaults, chosen for good fronts in about a second on examples/passenger-car.problem.yaml
 * (40 combinations of 27-31 demand units; 3e5 evaluations at about 3.5e5 per second). Measured there
 * against the best front known (the union of runs of 1.8e7 evaluations), 3 seeds each, hypervolume
 * ratio: 20 nests × 150 iterations × 2 runs 0.988-0.990; 30 × 200 × 1 0.990-0.994; 10 × 300 × 2
 * 0.988-0.991; 30 × 100 × 1 (half the budget) 0.987-0.989; 30 × 800 × 1 (four times) 0.992-0.996.
 * The population size matters little at a fixed budget, since the archive, not the population, holds
 * the front; pa = 0.1 / 0.25 / 0.5 were alike, so pa stays the paper's. Two runs rather than one buy
 * independence (a run whose population settles in one region of a front) at no measurable cost. On
 * the random test problems and examples/elevator-fleet.problem.yaml these defaults find the exact
 * front. The paper's setting spends 200 · (1 + 3000 · 1.25) · 10 ≈ 7.5e6 evaluations per combination,
 * 3e8 on the car example: minutes, for a front a few tenths of a percent better.
 */
export const IMODCS_DEFAULT: Readonly<ImodcsParameters> = Object.freeze({ nests: 20, pa: 0.25, iterations: 150, runs: 2 });

/** Bound of each per-combination archive; beyond it the most crowded member goes. */
export const IMODCS_ARCHIVE_SIZE = 200;

/**
 * Each combination is a separate search of at least `nests` evaluations and its own layout in memory:
 * beyond this many combinations the method is the wrong tool (the whole enumeration would not even
 * initialize in reasonable time), so it refuses, as the exact solver does.
 */
export const IMODCS_MAX_COMBINATIONS = 1e5;

export interface ImodcsOptions extends HeuristicOptions, Partial<ImodcsParameters> {
  /** Where unset parameters come from. Default 'default' (IMODCS_DEFAULT); 'paper' is IMODCS_PAPER. */
  preset?: 'default' | 'paper';
  /** Bound of each per-combination archive. Default IMODCS_ARCHIVE_SIZE. */
  archiveSize?: number;
  /** Refuse (SearchLimitError) more combinations of alternatives than this. Default IMODCS_MAX_COMBINATIONS. */
  maxCombinations?: number;
  /**
   * Start each run's first two nests at the greedy extremes of the combination (all cheapest, all most
   * reliable; the rest random) instead of all at random as the paper does. Default true: random walks
   * from random nests rarely reach the ends of the front, where every unit must sit on its extreme
   * candidate. On the car example this lifts the hypervolume at the default budget from about 0.92 to
   * 0.99 of the best front known; two unseeded runs of 1.8e7 evaluations each (120 times the default
   * budget) reached 0.94.
   */
  greedySeeds?: boolean;
  /**
   * 'joint' (default): every combination of alternatives is searched, the paper's method (set A of its
   * section 5). 'sequential': only the combinations that are Pareto-optimal on their own activity data
   * (time, fixed cost, importance-weighted r_a) are, the contrast of its section 5.1 (set B).
   */
  strategy?: SelectionStrategy;
  /** Search only this share of the combinations (a worker's part of a parallel run). */
  partition?: Partition;
}

// ---------------------------------------------------------------------------------------------
// Tuning constants of the discrete moves (not the paper's parameters; chosen by measurement).

/**
 * Dimensions changed by one Lévy flight: 1 + floor(|levy| · LEVY_SCALE), at most all mutable ones.
 * With Mantegna's β = 1.5 most flights change one dimension (local refinement along the front) and
 * the heavy tail now and then changes many (exploration), the point of Lévy flights in cuckoo search.
 * Measured on the car example: 0.5 and 0.25 beat 1 and 2 slightly (single changes are what walks
 * along a front whose objectives are sums over the units).
 */
const LEVY_SCALE = 0.5;

/**
 * Chance that a changed dimension takes the value of the guide (a random archive member) rather than a
 * random other candidate: the discrete counterpart of Yang & Deb's step "towards the best", which in
 * the multi-objective setting is any member of the front found so far.
 */
const TOWARD_GUIDE = 0.5;

/** Iterations each task gets per round-robin turn (see the scheduling comment in the solver). */
const ROUND_ITERATIONS = 10;

/** Live population memory (Int32 entries over all tasks of a window) before tasks go in windows. */
const LIVE_ENTRIES = 1 << 24;

// ---------------------------------------------------------------------------------------------
// One combination's search space, shared by the runs that search it.

export interface NestSpace {
  layout: StaffingLayout;
  /** Demand units (nest dimensions). */
  dims: number;
  /** Candidates per unit. */
  candidateCount: Int32Array;
  /** Dense resource number of candidate i of unit u: resourceOf[candidateStart[u] + i]. */
  candidateStart: Int32Array;
  resourceOf: Int32Array;
  /** Units with at least two candidates: the only dimensions a move can change. */
  mutable: Int32Array;
  /** Per unit, its candidate with the highest theta (the cheaper one on ties). */
  mostReliable: Int32Array;
  /** The combination's time objective (constant for all its staffings). */
  time: number;
}

export function nestSpace(layout: StaffingLayout): NestSpace {
  const units = layout.units;
  const candidateCount = Int32Array.from(units.map((u) => u.candidates.length));
  const candidateStart = new Int32Array(units.length + 1);
  units.forEach((u, i) => (candidateStart[i + 1] = candidateStart[i] + u.candidates.length));
  const resourceOf = Int32Array.from(units.flatMap((u) => u.candidates.map((c) => c.r)));
  const mutable = Int32Array.from(units.flatMap((u, i) => (u.candidates.length >= 2 ? [i] : [])));
  const mostReliable = Int32Array.from(units.map((u) => u.candidates.reduce((best, c, i) => (c.theta > u.candidates[best].theta ? i : best), 0)));
  return { layout, dims: units.length, candidateCount, candidateStart, resourceOf, mutable, mostReliable, time: layout.combination.time };
}

/**
 * A proof that no nest of the combination can be feasible: some instant (the start of an occurrence,
 * where the occurrences running then all overlap pairwise) or some zero-length occurrence has demand
 * units that cannot all get distinct resources (no bipartite matching of units to candidates, Hall's
 * condition). Not in the paper: without it a combination that only double-booking makes infeasible
 * would burn its whole share of the budget on nests that can never be repaired; the exact solver
 * proves such combinations infeasible in milliseconds, the search would take seconds to find nothing.
 */
export function provablyUnstaffable(space: NestSpace): boolean {
  const { occurrences, unitStart } = space.layout;
  const lasting = (k: number) => occurrences[k].end > occurrences[k].start;
  for (let k = 0; k < occurrences.length; k++) {
    const units: number[] = [];
    const at = occurrences[k].start;
    for (let j = 0; j < occurrences.length; j++) {
      const together = lasting(k) ? lasting(j) && occurrences[j].start <= at && at < occurrences[j].end : j === k;
      if (together) for (let u = unitStart[j]; u < unitStart[j + 1]; u++) units.push(u);
    }
    if (units.length > 1 && !matchable(space, units)) return true;
  }
  return false;
}

/** Whether the units can all get distinct candidates (Kuhn's augmenting paths; the groups are small). */
function matchable(space: NestSpace, units: readonly number[]): boolean {
  const { candidateStart, candidateCount, resourceOf } = space;
  const holder = new Map<number, number>();
  const augment = (u: number, seen: Set<number>): boolean => {
    for (let i = 0; i < candidateCount[u]; i++) {
      const r = resourceOf[candidateStart[u] + i];
      if (seen.has(r)) continue;
      seen.add(r);
      const other = holder.get(r);
      if (other === undefined || augment(other, seen)) {
        holder.set(r, u);
        return true;
      }
    }
    return false;
  };
  return units.every((u) => augment(u, new Set()));
}

/** Whether a unit below u that must not share with u holds resource r. */
function heldBelow(space: NestSpace, picks: Int32Array, u: number, r: number): boolean {
  const { candidateStart, resourceOf } = space;
  const list = space.layout.neighbors[u];
  for (let k = 0; k < list.length; k++) {
    const v = list[k];
    if (v < u && resourceOf[candidateStart[v] + picks[v]] === r) return true;
  }
  return false;
}

/**
 * The paper's nest pre-processing, with the same result and the same random draws as
 * `repairStaffing(layout, picks, 'random', rng)` (imodcs.spec.ts holds them to that), but without
 * allocating: it runs on every new nest, and the shared version's sets and arrays per unit cost more
 * than the evaluation itself. Walking the units in order, a unit whose resource a lower unit it must
 * not share with already holds gets a random candidate that none of those units holds (it stays
 * conflicting when there is none). Returns the conflicts left.
 */
export function preprocessNest(space: NestSpace, picks: Int32Array, rng: Random): number {
  const { candidateStart, resourceOf, candidateCount } = space;
  let left = 0;
  for (let u = 0; u < space.dims; u++) {
    const base = candidateStart[u];
    if (!heldBelow(space, picks, u, resourceOf[base + picks[u]])) continue;
    let free = 0;
    for (let i = 0; i < candidateCount[u]; i++) if (!heldBelow(space, picks, u, resourceOf[base + i])) free++;
    if (free === 0) {
      left++;
      continue;
    }
    let k = rng.int(free);
    for (let i = 0; i < candidateCount[u]; i++) {
      if (!heldBelow(space, picks, u, resourceOf[base + i]) && k-- === 0) {
        picks[u] = i;
        break;
      }
    }
  }
  return left;
}

// ---------------------------------------------------------------------------------------------
// The external archive: feasible nests of one combination, mutually non-dominated.

/**
 * A staircase over (cost ascending, reliability strictly ascending): with time constant inside a
 * combination this is exactly a non-dominated set, one nest per distinct objective vector. Bounded:
 * when a new member makes it exceed the limit, the interior member with the smallest crowding distance
 * (NSGA-II's measure, normalized by the archive's ranges) goes, so the extremes always stay and the
 * survivors spread along the front.
 */
class ParetoArchive {
  readonly costs: number[] = [];
  readonly rels: number[] = [];
  readonly picks: Int32Array[] = [];

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.costs.length;
  }

  /** Adds a copy of `picks` unless a member is at least as good; drops the members it dominates. */
  offer(cost: number, rel: number, picks: Int32Array): boolean {
    const { costs, rels } = this;
    let lo = 0;
    let hi = costs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (costs[mid] <= cost) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && rels[lo - 1] >= rel) return false;
    // At most one member has the same cost (costs are strictly rising); it is worse: replace it.
    const start = lo > 0 && costs[lo - 1] === cost ? lo - 1 : lo;
    let end = lo;
    while (end < costs.length && rels[end] <= rel) end++;
    costs.splice(start, end - start, cost);
    rels.splice(start, end - start, rel);
    this.picks.splice(start, end - start, picks.slice());
    if (costs.length > this.limit) this.dropMostCrowded();
    return true;
  }

  private dropMostCrowded(): void {
    const { costs, rels } = this;
    const n = costs.length;
    const costRange = costs[n - 1] - costs[0] || 1;
    const relRange = rels[n - 1] - rels[0] || 1;
    let worst = 1;
    let worstDistance = Infinity;
    for (let i = 1; i < n - 1; i++) {
      const d = (costs[i + 1] - costs[i - 1]) / costRange + (rels[i + 1] - rels[i - 1]) / relRange;
      if (d < worstDistance) {
        worstDistance = d;
        worst = i;
      }
    }
    costs.splice(worst, 1);
    rels.splice(worst, 1);
    this.picks.splice(worst, 1);
  }
}

// ---------------------------------------------------------------------------------------------
// The shared budget, checked before every evaluation.

class Spender {
  private ticks = -1;
  private stopped = false;

  constructor(
    readonly budget: RunBudget,
    private readonly maxEvaluations: number,
  ) {}

  /**
   * True when one more evaluation may run. The evaluation limit is exact; the clock is read every 32nd
   * call only (reading it costs about as much as a small evaluation). Once false, false for good.
   */
  allow(): boolean {
    if (this.stopped) return false;
    if (this.budget.evaluations >= this.maxEvaluations || (++this.ticks & 31) === 0) this.stopped = this.budget.exhausted();
    return !this.stopped;
  }

  get exhausted(): boolean {
    return this.stopped;
  }
}

// ---------------------------------------------------------------------------------------------
// One run of Pareto-IMODCS on one combination.

interface Resolved extends ImodcsParameters {
  archiveSize: number;
  greedySeeds: boolean;
}

class NestSearch {
  readonly archive: ParetoArchive;
  iterationsDone = 0;
  private started = false;
  private finished = false;
  private nests: Int32Array[] = [];
  private cost: Float64Array = new Float64Array(0);
  private rel: Float64Array = new Float64Array(0);
  private conflicts: Int32Array = new Int32Array(0);
  /** The egg being built; swapped with the nest it replaces, so replacing copies nothing. */
  private egg: Int32Array = new Int32Array(0);
  /** A permutation of the mutable dimensions; partial Fisher-Yates draws distinct ones from it. */
  private order: Int32Array = new Int32Array(0);
  // Scratch of the ranking in worstNests, allocated once per search.
  private byOrder: number[] = [];
  private rank: Int32Array = new Int32Array(0);
  private crowding: Float64Array = new Float64Array(0);
  private frontFirst: Int32Array = new Int32Array(0);
  private frontLast: Int32Array = new Int32Array(0);
  private nextInFront: Int32Array = new Int32Array(0);

  constructor(
    readonly space: NestSpace,
    private readonly rng: Random,
    private readonly p: Resolved,
  ) {
    this.archive = new ParetoArchive(p.archiveSize);
  }

  get done(): boolean {
    return this.finished;
  }

  /** Population memory this search holds while it runs (for windowing). */
  get liveEntries(): number {
    return (this.p.nests + 1) * Math.max(1, this.space.dims);
  }

  /**
   * The first call initializes the nests, each later one runs up to `iterations` more iterations.
   * False when the budget ran out.
   */
  advance(spender: Spender, iterations: number): boolean {
    if (!this.started) {
      this.started = true;
      if (!this.initialize(spender)) return false;
      if (this.p.iterations === 0) this.finish();
      return true;
    }
    const until = Math.min(this.p.iterations, this.iterationsDone + iterations);
    while (this.iterationsDone < until) {
      if (!this.iterate(spender)) return false;
      this.iterationsDone++;
    }
    if (this.iterationsDone >= this.p.iterations) this.finish();
    return true;
  }

  private finish(): void {
    this.finished = true;
    // Only the archive is needed from here on: let the population go.
    this.nests = [];
    this.cost = this.rel = new Float64Array(0);
    this.conflicts = this.egg = this.order = this.rank = this.frontFirst = this.frontLast = this.nextInFront = new Int32Array(0);
    this.crowding = new Float64Array(0);
    this.byOrder = [];
  }

  /** Nest pre-processing, then one counted evaluation; undefined when the budget is exhausted. */
  private evaluate(spender: Spender, picks: Int32Array): StaffingScore | undefined {
    if (!spender.allow()) return undefined;
    preprocessNest(this.space, picks, this.rng);
    spender.budget.count();
    const score = scoreStaffing(this.space.layout, picks);
    if (score.conflicts === 0) this.archive.offer(score.cost, score.reliability, picks);
    return score;
  }

  private store(i: number, score: StaffingScore): void {
    this.cost[i] = score.cost;
    this.rel[i] = score.reliability;
    this.conflicts[i] = score.conflicts;
  }

  private randomNest(picks: Int32Array): void {
    const count = this.space.candidateCount;
    for (let u = 0; u < picks.length; u++) picks[u] = this.rng.int(count[u]);
  }

  /**
   * The greedy extremes of the combination's front: every unit on its cheapest (or most reliable)
   * candidate, double bookings resolved by the pre-processing with the same preference. Not in the
   * paper, whose nests all start at random; see `greedySeeds`.
   */
  private greedyNest(nest: Int32Array, choice: 'cheapest' | 'reliable'): void {
    // Candidates are sorted cheapest first.
    if (choice === 'cheapest') nest.fill(0);
    else nest.set(this.space.mostReliable);
    repairStaffing(this.space.layout, nest, choice);
  }

  private initialize(spender: Spender): boolean {
    const { dims, mutable } = this.space;
    if (mutable.length === 0) {
      // A single possible nest (every demand has one candidate, or there are no demands): one
      // evaluation decides the combination, iterating would only repeat it.
      const only = new Int32Array(dims);
      if (!this.evaluate(spender, only)) return false;
      this.iterationsDone = this.p.iterations;
      this.finish();
      return true;
    }
    const n = this.p.nests;
    this.nests = Array.from({ length: n }, () => new Int32Array(dims));
    this.cost = new Float64Array(n);
    this.rel = new Float64Array(n);
    this.conflicts = new Int32Array(n);
    this.egg = new Int32Array(dims);
    this.order = mutable.slice();
    this.byOrder = Array.from({ length: n }, (_, i) => i);
    this.rank = new Int32Array(n);
    this.crowding = new Float64Array(n);
    this.frontFirst = new Int32Array(n);
    this.frontLast = new Int32Array(n);
    this.nextInFront = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const nest = this.nests[i];
      if (this.p.greedySeeds && i < 2) this.greedyNest(nest, i === 0 ? 'cheapest' : 'reliable');
      else this.randomNest(nest);
      const score = this.evaluate(spender, nest);
      if (!score) return false;
      this.store(i, score);
    }
    return true;
  }

  /** One generation: a Lévy flight per cuckoo, then the abandonment of the worst fraction pa. */
  private iterate(spender: Spender): boolean {
    const n = this.p.nests;
    const rng = this.rng;
    for (let i = 0; i < n; i++) {
      const egg = this.egg;
      egg.set(this.nests[i]);
      this.levyFlight(egg);
      const score = this.evaluate(spender, egg);
      if (!score) return false;
      // Yang & Deb: the egg is laid in a randomly chosen nest, and stays if it is better there.
      const j = rng.int(n);
      if (this.replaces(score, j)) {
        this.egg = this.nests[j];
        this.nests[j] = egg;
        this.store(j, score);
      }
    }
    return this.abandon(spender);
  }

  /**
   * The discrete Lévy flight: the step length (a Lévy draw) is the number of dimensions changed, at
   * least one, at most all mutable ones, chosen without repetition. Each changed dimension either moves
   * towards a guide (a random archive member, or a random nest while the archive is empty) or, when the
   * guide agrees with the egg there or a coin says so, takes a random other candidate.
   */
  private levyFlight(egg: Int32Array): void {
    const rng = this.rng;
    const order = this.order;
    const m = order.length;
    const steps = Math.min(m, 1 + Math.floor(Math.abs(rng.levy()) * LEVY_SCALE));
    const archive = this.archive;
    const guide = archive.size > 0 ? archive.picks[rng.int(archive.size)] : this.nests[rng.int(this.p.nests)];
    const count = this.space.candidateCount;
    for (let k = 0; k < steps; k++) {
      const t = k + rng.int(m - k);
      const u = order[t];
      order[t] = order[k];
      order[k] = u;
      const current = egg[u];
      if (guide[u] !== current && rng.chance(TOWARD_GUIDE)) egg[u] = guide[u];
      else {
        const c = rng.int(count[u] - 1);
        egg[u] = c >= current ? c + 1 : c;
      }
    }
  }

  /**
   * Whether the egg replaces nest j. Constraint domination (Deb): fewer conflicts win outright; with
   * equal conflicts Pareto dominance on (cost, reliability) decides. An egg equal in objectives
   * replaces too (neutral drift across plateaus of equally good staffings). When neither dominates,
   * the nest stays: the archive keeps the egg anyway if it is new on the front, and the population
   * keeps its spread. Measured on the car example, replacing on such ties at random (p = 0.2, 0.5) or
   * always made the population drift together and lowered the hypervolume (0.986 against 0.990 of the
   * reference, and smaller fronts); the crowding-based choice is left to the abandonment step.
   */
  private replaces(score: StaffingScore, j: number): boolean {
    if (score.conflicts !== this.conflicts[j]) return score.conflicts < this.conflicts[j];
    return score.cost <= this.cost[j] && score.reliability >= this.rel[j];
  }

  /**
   * A fraction pa of the nests, the worst by non-dominated rank and then by crowding distance (most
   * crowded first), is abandoned. Each is rebuilt by Yang & Deb's biased random walk in discrete form:
   * every dimension takes the value of one of two other nests (a random archive member, the front's
   * representative, and a random nest), then one random dimension takes a random candidate so that
   * the rebuilt nest is never a mere copy. Rebuilding at random instead (the other reading of the
   * paper's abandonment) was measured worse on the car example: 0.982 against 0.988 of the reference.
   */
  private abandon(spender: Spender): boolean {
    const n = this.p.nests;
    const count = Math.min(n, Math.round(this.p.pa * n));
    if (count === 0) return true;
    const worst = this.worstNests(count);
    const rng = this.rng;
    const archive = this.archive;
    const candidates = this.space.candidateCount;
    const order = this.order;
    for (const i of worst) {
      const nest = this.nests[i];
      const a = archive.size > 0 ? archive.picks[rng.int(archive.size)] : this.nests[rng.int(n)];
      const b = this.nests[rng.int(n)];
      for (let u = 0; u < nest.length; u++) nest[u] = rng.chance(0.5) ? a[u] : b[u];
      const u = order[rng.int(order.length)];
      const c = rng.int(candidates[u] - 1);
      nest[u] = c >= nest[u] ? c + 1 : c;
      const score = this.evaluate(spender, nest);
      if (!score) return false;
      this.store(i, score);
    }
    return true;
  }

  /**
   * The `count` worst nests: non-dominated sorting under constraint domination (fewer conflicts first,
   * then Pareto on cost and reliability), crowding distance within each front. In two objectives the
   * sorting is a sweep: in (conflicts, cost, -reliability) order a nest joins the first front whose
   * last member does not dominate it.
   */
  private worstNests(count: number): number[] {
    const n = this.p.nests;
    const { cost, rel, conflicts, rank, crowding, frontFirst, frontLast, nextInFront } = this;
    const byOrder = this.byOrder;
    for (let i = 0; i < n; i++) byOrder[i] = i;
    byOrder.sort(this.byObjectives);
    let fronts = 0;
    let base = 0;
    for (let k = 0; k < n; k++) {
      const i = byOrder[k];
      if (k > 0 && conflicts[i] !== conflicts[byOrder[k - 1]]) base = fronts;
      let f = base;
      for (; f < fronts; f++) {
        const last = frontLast[f];
        if (!(rel[last] > rel[i] || (rel[last] === rel[i] && cost[last] < cost[i]))) break;
      }
      if (f === fronts) {
        fronts++;
        frontFirst[f] = i;
      } else nextInFront[frontLast[f]] = i;
      frontLast[f] = i;
      nextInFront[i] = -1;
      rank[i] = f;
    }
    // Crowding distance along each front (members linked in cost order); the ends are kept.
    for (let f = 0; f < fronts; f++) {
      const first = frontFirst[f];
      const last = frontLast[f];
      const costRange = cost[last] - cost[first] || 1;
      const relRange = rel[last] - rel[first] || 1;
      crowding[first] = crowding[last] = Infinity;
      for (let prev = first, i = nextInFront[first]; i !== -1 && i !== last; prev = i, i = nextInFront[i]) {
        const next = nextInFront[i];
        crowding[i] = (cost[next] - cost[prev]) / costRange + (rel[next] - rel[prev]) / relRange;
      }
    }
    byOrder.sort(this.worstFirst);
    return byOrder.slice(0, count);
  }

  private readonly byObjectives = (x: number, y: number): number =>
    this.conflicts[x] - this.conflicts[y] || this.cost[x] - this.cost[y] || this.rel[y] - this.rel[x] || x - y;

  private readonly worstFirst = (x: number, y: number): number => this.rank[y] - this.rank[x] || this.crowding[x] - this.crowding[y] || x - y;
}

// ---------------------------------------------------------------------------------------------
// The solver

function resolveParameters(options: ImodcsOptions): Resolved {
  const base = options.preset === 'paper' ? IMODCS_PAPER : IMODCS_DEFAULT;
  const resolved: Resolved = {
    nests: options.nests ?? base.nests,
    pa: options.pa ?? base.pa,
    iterations: options.iterations ?? base.iterations,
    runs: options.runs ?? base.runs,
    archiveSize: options.archiveSize ?? IMODCS_ARCHIVE_SIZE,
    greedySeeds: options.greedySeeds ?? true,
  };
  const integer = (name: 'nests' | 'iterations' | 'runs' | 'archiveSize', min: number) => {
    const v = resolved[name];
    if (!Number.isInteger(v) || v < min) throw new RangeError(`imodcs: ${name} must be an integer >= ${min}, got ${v}`);
  };
  integer('nests', 2);
  integer('iterations', 0);
  integer('runs', 1);
  integer('archiveSize', 2);
  if (!(resolved.pa >= 0 && resolved.pa <= 1)) throw new RangeError(`imodcs: pa must be in [0, 1], got ${resolved.pa}`);
  return resolved;
}

interface ArchivedNest {
  space: NestSpace;
  picks: Int32Array;
}

export function solveConfigurationImodcs(problem: ConfigurationProblem, options: ImodcsOptions = {}): ConfigurationFront {
  const now = options.now ?? Date.now;
  const started = now();
  const parameters = resolveParameters(options);
  const seed = options.seed ?? 1;
  const context = new ObjectiveContext(problem);
  const space = buildConfigurationSpace(problem, context);
  const combos = combinationCount(space);
  const maxCombinations = options.maxCombinations ?? IMODCS_MAX_COMBINATIONS;
  if (combos > maxCombinations) {
    throw new SearchLimitError(
      `imodcs would search ${combos.toExponential(2)} combinations of alternatives one by one (limit ${maxCombinations.toExponential(0)}): ` +
        'use an algorithm that searches alternatives and staffing together, or raise the limit',
    );
  }
  const budget = new RunBudget({ ...options, now });
  const spender = new Spender(budget, options.maxEvaluations ?? Infinity);

  // Steps 1-2: the combinations of alternatives (for the sequential strategy only those that are
  // Pareto-optimal on their activities alone; for a worker only its share). One with a demand that has
  // fewer free candidates than it needs, or with an instant that needs more distinct resources than
  // it can get, has no feasible staffing at all and is skipped.
  let combinations: Combination[] = [];
  forEachCombination(space, (alternativeOf) => {
    combinations.push(combination(space, alternativeOf));
  });
  if (options.strategy === 'sequential') combinations = paretoOnActivities(combinations);
  combinations = ownShare(combinations, options.partition);
  const spaces: NestSpace[] = [];
  for (const c of combinations) {
    if (c.unstaffable) continue;
    const s = nestSpace(buildLayout(space, c.alternativeOf));
    if (!provablyUnstaffable(s)) spaces.push(s);
  }

  // Step 3: one search per run and combination. Each gets its own generator, forked in a fixed order
  // (a generator per run, from it one per combination), so what a search does never depends on when
  // the scheduler lets it run: without a limit the front is the same however the work is interleaved.
  const master = new Random(seed);
  const tasks: NestSearch[] = [];
  for (let run = 0; run < parameters.runs; run++) {
    const runRng = master.fork();
    for (const s of spaces) tasks.push(new NestSearch(s, runRng.fork(), parameters));
  }

  // Scheduling: round-robin, ROUND_ITERATIONS iterations per search per turn (the first turn
  // initializes every search), instead of finishing one combination before starting the next. A
  // time- or evaluation-limited run thus spreads its budget evenly and covers every combination, and
  // every run, rather than exhausting itself on the first few. Populations stay in memory between
  // turns; should they exceed LIVE_ENTRIES in all (tens of thousands of combinations), the searches go
  // in consecutive windows that fit, each window round-robin (run 0 of every combination first).
  const total = tasks.length * parameters.iterations;
  const report = () => {
    if (!options.onProgress) return;
    let done = 0;
    let front = 0;
    for (const t of tasks) {
      done += t.iterationsDone;
      front += t.archive.size;
    }
    options.onProgress({ phase: 'imodcs', done, total, evaluations: budget.evaluations, front });
  };
  let from = 0;
  while (from < tasks.length && !spender.exhausted) {
    let to = from;
    let entries = 0;
    while (to < tasks.length && (to === from || entries + tasks[to].liveEntries <= LIVE_ENTRIES)) entries += tasks[to++].liveEntries;
    for (let active = true; active && !spender.exhausted; ) {
      active = false;
      for (let t = from; t < to; t++) {
        const task = tasks[t];
        if (task.done) continue;
        if (!task.advance(spender, ROUND_ITERATIONS)) break;
        active = true;
      }
      report();
    }
    from = to;
  }

  // Step 4: merge the archives and keep the non-dominated nests; each is decoded and re-verified by
  // the model's evaluator. Dominated members are dropped before decoding: they could only be thrown
  // away afterwards, and verification costs far more than the search's own evaluation.
  const points: Triple<ArchivedNest>[] = [];
  const feasibleSpaces = new Set<NestSpace>();
  for (const task of tasks) {
    const { costs, rels, picks } = task.archive;
    if (costs.length > 0) feasibleSpaces.add(task.space);
    for (let k = 0; k < costs.length; k++) points.push({ time: task.space.time, cost: costs[k], reliability: rels[k], item: { space: task.space, picks: picks[k] } });
  }
  const solutions: ConfigurationSolution[] = nonDominated3(points).map(({ item }) => verifiedSolution(problem, layoutOccurrences(space, item.space.layout, item.picks), context, 'imodcs'));
  const stoppedBy = budget.reason;
  let infeasible: string | null = null;
  if (solutions.length === 0) {
    if (stoppedBy) infeasible = `no feasible configuration found within the budget (${stoppedBy})`;
    // With combinations left after the proofs above, explainInfeasible can only give its generic
    // reason, which a search that found nothing has not proven: say so.
    else if (spaces.length > 0) infeasible = `${explainInfeasible(space)} (not proven: the search found no feasible staffing in ${spaces.length} combination(s) of alternatives)`;
    else infeasible = explainInfeasible(space);
    // A worker speaks for its share only: the other shares may well hold feasible combinations.
    if (options.partition && options.partition.count > 1) infeasible = `in this share of the combinations (${combinations.length} of ${combos}): ${infeasible}`;
  }
  return finishConfigurationFront(solutions, {
    infeasible,
    stats: {
      algorithm: options.strategy === 'sequential' ? 'imodcs:sequential' : 'imodcs',
      seed,
      evaluations: budget.evaluations,
      wallMs: now() - started,
      combinations: combos,
      combinationsConsidered: combinations.length,
      combinationsSearched: spaces.length,
      // Combinations in which some run found a feasible staffing (all of them when the budget sufficed).
      combinationsFeasible: feasibleSpaces.size,
      parameters: { preset: options.preset ?? 'default', nests: parameters.nests, pa: parameters.pa, iterations: parameters.iterations, runs: parameters.runs, archiveSize: parameters.archiveSize, greedySeeds: parameters.greedySeeds },
      ...(stoppedBy ? { stoppedBy } : {}),
    },
  });
}
