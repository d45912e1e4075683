// `hybrid`: our own algorithm, built on the structure of the problem rather than on a generic
// encoding.
//
// - Time depends only on the alternatives chosen, so the problem splits into combinations of
//   alternatives; within one, cost and reliability mass are sums over occurrences.
// - Occurrences compete only through double-booking, so a combination splits into independent
//   staffing components whose fronts add up (Minkowski sums).
// - A component is solved exactly by dynamic programming along time when that fits a step budget,
//   else by the same DP as a beam search (ε-thinned fronts, the most promising states).
// - A combination whose relaxed front (conflicts ignored: an optimistic bound) is already covered by
//   the solutions found cannot contribute and is skipped; combinations are visited shortest first.
// - When there are too many combinations to visit (fleets), a Pareto local search over combinations
//   starts from the best single-objective choices and explores the neighbours (one flow's
//   alternative changed) of every combination that contributes to the front.
// When every component was solved exactly and no combination was left out, the answer is proven
// exact and says so.
import { ConfigurationFront, ConfigurationProblem, ObjectiveContext } from '@pss/model';
import { ConfigurationSpace, buildConfigurationSpace, explainInfeasible } from './configuration-space';
import { Combination, combination, combinationCount, forEachCombination, pointOccurrences } from './combinations';
import { CombinationSolver } from './combination-solver';
import { BeamSettings } from './decomposition';
import { finishConfigurationFront, verifiedSolution } from './front';
import { nonDominated3 } from './staircase';
import { HeuristicOptions, Partition, RunBudget, ownShare } from './run-control';
import { Random } from './random';

export type SelectionStrategy = 'joint' | 'sequential';

export interface HybridOptions extends HeuristicOptions {
  /** DP steps a component may take exactly before the beam search takes over. Default 1e5. */
  exactStepsPerComponent?: number;
  beam?: BeamSettings;
  /** Visit every combination when there are at most this many; else search over them. Default 5000. */
  maxEnumerated?: number;
  /**
   * 'joint' (default) selects activities and allocates resources together; 'sequential' first keeps
   * only the combinations of alternatives that are Pareto-optimal on their own activity data (time,
   * fixed cost, importance-weighted r_a), then allocates: seed 004's section 5.1 comparison.
   */
  strategy?: SelectionStrategy;
  /** Solve only this share of the combinations (a worker's part of a parallel run). */
  partition?: Partition;
}

export const HYBRID_DEFAULT = { exactStepsPerComponent: 1e5, beam: { epsilon: 1e-3, maxStates: 64 }, maxEnumerated: 5000 };

export function solveConfigurationHybrid(problem: ConfigurationProblem, options: HybridOptions = {}): ConfigurationFront {
  const now = options.now ?? Date.now;
  const started = now();
  const settings = { ...HYBRID_DEFAULT, ...options, beam: options.beam ?? HYBRID_DEFAULT.beam };
  const budget = new RunBudget(options);
  const context = new ObjectiveContext(problem);
  const space = buildConfigurationSpace(problem, context);
  // Workers of one parallel run search different neighbourhoods first.
  const random = new Random((options.seed ?? 1) + 7919 * (options.partition?.index ?? 0));
  const solver = new CombinationSolver({ kind: 'approximate', exactSteps: settings.exactStepsPerComponent, beam: settings.beam }, () => budget.exhausted());
  const total = combinationCount(space);
  let mode: string;
  let visited = 0;
  let complete = false;

  if (settings.strategy === 'sequential' || total <= settings.maxEnumerated) {
    mode = 'enumerate';
    let combos: Combination[] = [];
    forEachCombination(space, (alt) => {
      combos.push(combination(space, alt));
    });
    if (settings.strategy === 'sequential') combos = paretoOnActivities(combos);
    combos.sort((a, b) => a.time - b.time || a.fixedCost - b.fixedCost);
    combos = ownShare(combos, options.partition);
    for (const c of combos) {
      if (budget.exhausted() || solver.solve(c) < 0) break;
      budget.evaluations = solver.evaluations;
      visited++;
      options.onProgress?.({ phase: 'hybrid', done: visited, total: combos.length, evaluations: solver.evaluations, front: solver.archive.length });
    }
    complete = visited === combos.length;
  } else {
    mode = 'local-search';
    searchCombinations(space, solver, budget, random, options);
  }

  const solutions = nonDominated3(solver.archive).map(({ item }) => verifiedSolution(problem, pointOccurrences(space, item.combination, item.point), context, 'hybrid'));
  const proven = complete && solver.allExact && !budget.reason && settings.strategy !== 'sequential';
  return finishConfigurationFront(solutions, {
    infeasible: solutions.length ? null : budget.reason ? `no feasible configuration found before the ${budget.reason}` : explainInfeasible(space),
    stats: {
      algorithm: settings.strategy === 'sequential' ? 'hybrid:sequential' : 'hybrid',
      exact: proven,
      seed: options.seed ?? 1,
      evaluations: solver.evaluations,
      wallMs: now() - started,
      mode,
      combinations: total,
      combinationsSolved: solver.solved,
      combinationsPruned: solver.pruned,
      steps: solver.steps,
      componentsExact: solver.exactComponents,
      componentsBeam: solver.beamComponents,
      ...(budget.reason ? { stoppedBy: budget.reason } : {}),
    },
  });
}

/**
 * Seed 004's sequential method: alternatives judged on their own (time, fixed cost, importance-weighted
 * activity reliability r_a), only the Pareto-optimal combinations go on to allocation.
 */
export function paretoOnActivities(combos: Combination[]): Combination[] {
  const score = (c: Combination) => {
    const rel = c.occurrences.reduce((s, o) => s + c.weightOf(o) * o.activity.reliability, 0);
    return [c.time, c.occurrences.reduce((s, o) => s + o.activity.cost, 0), -(c.denominator === 0 ? 1 : rel / c.denominator)];
  };
  const scored = combos.map((c) => ({ c, v: score(c) }));
  return scored.filter((a) => !scored.some((b) => b !== a && b.v.every((x, i) => x <= a.v[i]) && b.v.some((x, i) => x < a.v[i]))).map((a) => a.c);
}

/**
 * Pareto local search over combinations, for problems with too many to visit: start from the
 * combinations that are best on each objective's relaxation and a few random ones, then keep
 * exploring the neighbours (one flow's alternative changed) of every combination that put a point on
 * the front, until the budget runs out or no neighbour is left.
 */
function searchCombinations(space: ConfigurationSpace, solver: CombinationSolver, budget: RunBudget, random: Random, options: HeuristicOptions): void {
  const seen = new Set<string>();
  const queue: number[][] = [];
  const push = (alt: number[]) => {
    const key = alt.join(',');
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(alt);
  };
  // Per flow, the alternative that is best for a weighting of time, fixed cost and reliability.
  const weightings = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 1, 1],
    [1, 0.2, 0.2],
  ];
  for (const [wt, wc, wr] of weightings) {
    push(
      space.flows.map((f) => {
        let best = 0;
        let bestScore = Infinity;
        f.alternatives.forEach((alt, i) => {
          const time = alt.occurrences.reduce((s, o) => s + o.activity.time, 0);
          const cost = alt.occurrences.reduce((s, o) => s + o.activity.cost + o.activity.time * Math.min(...o.slots.map((sl) => sl.candidates[0]?.rate ?? 0), 0), 0);
          const rel = alt.occurrences.length ? alt.occurrences.reduce((s, o) => s + o.activity.reliability, 0) / alt.occurrences.length : 1;
          const score = wt * time + (wc * cost) / 100 - wr * rel * 10;
          if (score < bestScore) {
            bestScore = score;
            best = i;
          }
        });
        return best;
      }),
    );
  }
  for (let i = 0; i < 8; i++) push(space.flows.map((f) => random.int(f.alternatives.length)));

  let done = 0;
  while (queue.length && !budget.exhausted()) {
    // Shortest-first keeps the archive's low-time end filled early.
    const alt = queue.shift()!;
    const c = combination(space, alt);
    done++;
    if (c.unstaffable) continue;
    const added = solver.solve(c);
    budget.evaluations = solver.evaluations;
    if (added < 0) break;
    if (added > 0) {
      const order = random.shuffle(space.flows.map((_, i) => i));
      for (const f of order) {
        for (let a = 0; a < space.flows[f].alternatives.length; a++) {
          if (a === alt[f]) continue;
          const next = [...alt];
          next[f] = a;
          push(next);
        }
      }
    }
    options.onProgress?.({ phase: 'hybrid', done, total: seen.size, evaluations: budget.evaluations, front: solver.archive.length });
  }
}
