// Exact solver for ConfigurationProblems. Every combination of alternatives (one per triggered flow,
// among those that meet the deadline) is visited, shortest first; its allocation front is computed
// exactly by decomposition into staffing components and dynamic programming (combination-solver.ts),
// or skipped when an optimistic bound shows it cannot add to the front. It proves the front.
import { ConfigurationFront, ConfigurationProblem, ObjectiveContext } from '@pss/model';
import { buildConfigurationSpace, explainInfeasible } from './configuration-space';
import { Combination, combination, combinationCount, forEachCombination, pointOccurrences } from './combinations';
import { CombinationSolver } from './combination-solver';
import { SearchBudgetExceeded, groupComponents, groupLog10Size } from './decomposition';
import { finishConfigurationFront, verifiedSolution } from './front';
import { log10Sum } from './counting';
import { nonDominated3 } from './staircase';
import { Deadline, Partition, ProgressReporter, SearchLimitError, ownShare } from './run-control';

export type { Combination, CombinationPoint } from './combinations';
export { combination, combinationCount, forEachCombination, pointOccurrences } from './combinations';

export interface ExactOptions {
  /**
   * Give up (SearchLimitError) when the search needs more steps than this: partial staffings extended
   * by the component searches, summed over the run. Default 2e8 (tens of seconds at most).
   */
  maxSteps?: number;
  /** Refuse when there are more combinations of alternatives than this. Default 1e6. */
  maxCombinations?: number;
  timeLimitMs?: number;
  onProgress?: ProgressReporter;
  now?: () => number;
  /** Solve only this share of the combinations (a worker's part; the union of the parts' fronts, filtered, is exact). */
  partition?: Partition;
}

export const DEFAULT_MAX_STEPS = 2e8;
export const DEFAULT_MAX_COMBINATIONS = 1e6;

export function solveConfigurationExact(problem: ConfigurationProblem, options: ExactOptions = {}): ConfigurationFront {
  const now = options.now ?? Date.now;
  const started = now();
  const context = new ObjectiveContext(problem);
  const space = buildConfigurationSpace(problem, context);
  const total = combinationCount(space);
  const maxCombinations = options.maxCombinations ?? DEFAULT_MAX_COMBINATIONS;
  if (total > maxCombinations) {
    throw new SearchLimitError(`the exact search would visit ${total.toExponential(2)} combinations of alternatives (limit ${maxCombinations.toExponential(0)}): use a heuristic algorithm for a problem of this size, or raise the limit`);
  }
  const combos: Combination[] = [];
  forEachCombination(space, (alt) => {
    combos.push(combination(space, alt));
  });
  // The raw size (alternatives × staffings, before any pruning) is reported, not used to refuse:
  // decomposition and dynamic programming solve spaces far beyond what enumeration could.
  const log10Size = log10Sum(combos.filter((c) => !c.unstaffable).map((c) => groupComponents(c.occurrences).reduce((s, g) => s + groupLog10Size(g), 0)));
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const deadline = new Deadline(options.timeLimitMs, now);
  let stopped = false;
  let checks = 0;
  const shouldStop = () => {
    if (!stopped && (++checks & 0xff) === 0 && deadline.passed()) stopped = true;
    return stopped;
  };
  const solver = new CombinationSolver({ kind: 'exact', maxSteps }, shouldStop);
  combos.sort((a, b) => a.time - b.time || a.fixedCost - b.fixedCost);
  const mine = ownShare(combos, options.partition);
  let done = 0;
  try {
    for (const c of mine) {
      if (solver.solve(c) < 0 || deadline.passed()) {
        stopped = true;
        break;
      }
      done++;
      options.onProgress?.({ phase: 'exact', done, total: mine.length, evaluations: solver.evaluations, front: solver.archive.length });
    }
  } catch (error) {
    if (!(error instanceof SearchBudgetExceeded)) throw error;
    throw new SearchLimitError(
      `the exact search needs more than ${maxSteps.toExponential(0)} steps (space of about 1e${log10Size.toFixed(1)} configurations before pruning): ` +
        'use a heuristic algorithm for a problem of this size, or raise the limit',
    );
  }

  const solutions = nonDominated3(solver.archive).map(({ item }) => verifiedSolution(problem, pointOccurrences(space, item.combination, item.point), context, 'exact'));
  const complete = !stopped;
  return finishConfigurationFront(solutions, {
    infeasible: solutions.length === 0 ? (complete ? explainInfeasible(space) : 'no feasible configuration found before the time limit') : null,
    stats: {
      algorithm: 'exact',
      exact: complete,
      evaluations: solver.evaluations,
      wallMs: now() - started,
      combinations: total,
      combinationsSolved: solver.solved,
      combinationsPruned: solver.pruned,
      log10Space: Number(log10Size.toFixed(2)),
      steps: solver.steps,
      ...(complete ? {} : { stoppedBy: 'time limit: the front is not proven' }),
    },
  });
}
