// Exact solver for ConfigurationProblems. For every combination of alternatives (one per triggered
// flow, among those that meet the deadline) it computes the exact allocation front by decomposition:
// independent components searched by branch and bound, their fronts summed (decomposition.ts).
// Component fronts are cached across combinations that share them. It proves the front.
import { ConfigurationFront, ConfigurationProblem, ConfigurationSolution, ObjectiveContext } from '@pss/model';
import { ConfigurationSpace, PlannedOccurrence, buildConfigurationSpace, explainInfeasible, toOccurrences } from './configuration-space';
import { AllocationPoint, ComponentChoice, SearchBudgetExceeded, buildComponent, componentKey, groupComponents, groupLog10Size, occurrenceKey, solveComponentDp, sumFronts } from './decomposition';
import { leavesOf } from './front2d';
import { finishConfigurationFront, verifiedSolution } from './front';
import { log10Sum } from './counting';
import { nonDominated3 } from './staircase';
import { Deadline, ProgressReporter, SearchLimitError } from './run-control';

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
}

export const DEFAULT_MAX_STEPS = 2e8;
export const DEFAULT_MAX_COMBINATIONS = 1e6;

/** One combination of alternatives, ready for the allocation search. */
export interface Combination {
  alternativeOf: number[];
  occurrences: PlannedOccurrence[];
  time: number;
  fixedCost: number;
  /** Σ weight · r_a over occurrences without demands. */
  fixedRel: number;
  /** The reliability denominator: Σ I_a, or the number of occurrences in mean mode. */
  denominator: number;
  weightOf: (o: PlannedOccurrence) => number;
  /** Some demand has fewer free candidates than it needs: no staffing exists. */
  unstaffable: boolean;
}

export function combination(space: ConfigurationSpace, alternativeOf: readonly number[]): Combination {
  const occurrences = space.flows.flatMap((f, i) => f.alternatives[alternativeOf[i]].occurrences);
  const importanceSum = occurrences.reduce((s, o) => s + o.importance, 0);
  const useMean = space.problem.reliabilityObjective === 'mean' || importanceSum === 0;
  const weightOf = (o: PlannedOccurrence) => (useMean ? 1 : o.importance);
  return {
    alternativeOf: [...alternativeOf],
    occurrences,
    time: occurrences.reduce((s, o) => s + o.activity.time, 0),
    fixedCost: occurrences.reduce((s, o) => s + o.activity.cost, 0),
    fixedRel: occurrences.reduce((s, o) => s + (o.slots.length === 0 ? weightOf(o) * o.activity.reliability : 0), 0),
    denominator: useMean ? occurrences.length : importanceSum,
    weightOf,
    unstaffable: occurrences.some((o) => o.slots.some((s) => s.candidates.length < s.qty)),
  };
}

/** Visits every combination of alternatives (odometer order). Stops when `visit` returns false. */
export function forEachCombination(space: ConfigurationSpace, visit: (alternativeOf: number[]) => boolean | void): void {
  const counts = space.flows.map((f) => f.alternatives.length);
  if (counts.some((c) => c === 0)) return;
  const alternativeOf = counts.map(() => 0);
  for (;;) {
    if (visit(alternativeOf) === false) return;
    let k = 0;
    while (k < counts.length && ++alternativeOf[k] === counts[k]) alternativeOf[k++] = 0;
    if (k === counts.length) return;
  }
}

export function combinationCount(space: ConfigurationSpace): number {
  return space.flows.reduce((n, f) => n * f.alternatives.length, 1);
}

/** A solution point: a combination and a point of its allocation front. */
export interface CombinationPoint {
  combination: Combination;
  point: AllocationPoint;
}

/** Turns a combination's allocation point into the answer's occurrences. */
export function pointOccurrences(space: ConfigurationSpace, c: Combination, point: AllocationPoint) {
  // Components are cached across combinations, so a leaf may hold another alternative's occurrence
  // objects for the same (flow, activity, interval): match them by key, not by identity.
  const staffing = new Map<string, number[]>();
  for (const leaf of leavesOf<ComponentChoice>(point)) {
    leaf.component.occurrences.forEach((o, i) => staffing.set(occurrenceKey(o), leaf.component.options[i][leaf.choice[i]].resources));
  }
  return toOccurrences(space, c.alternativeOf, (f, k) => {
    const o = space.flows[f].alternatives[c.alternativeOf[f]].occurrences[k];
    return (staffing.get(occurrenceKey(o)) ?? []).map((r) => space.resourceIds[r]);
  });
}

export function solveConfigurationExact(problem: ConfigurationProblem, options: ExactOptions = {}): ConfigurationFront {
  const now = options.now ?? Date.now;
  const started = now();
  const context = new ObjectiveContext(problem);
  const space = buildConfigurationSpace(problem, context);
  const combos = combinationCount(space);
  const maxCombinations = options.maxCombinations ?? DEFAULT_MAX_COMBINATIONS;
  if (combos > maxCombinations) {
    throw new SearchLimitError(`the exact search would visit ${combos.toExponential(2)} combinations of alternatives (limit ${maxCombinations.toExponential(0)}): use a heuristic algorithm for a problem of this size, or raise the limit`);
  }
  // The raw size (alternatives × staffings, before any pruning) is reported, not used to refuse:
  // decomposition and dynamic programming solve spaces far beyond what enumeration could.
  const sizes: number[] = [];
  forEachCombination(space, (alt) => {
    const c = combination(space, alt);
    if (!c.unstaffable) sizes.push(groupComponents(c.occurrences).reduce((s, g) => s + groupLog10Size(g), 0));
  });
  const log10Size = log10Sum(sizes);
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  let steps = 0;

  const deadline = new Deadline(options.timeLimitMs, now);
  let stopped = false;
  let evaluations = 0;
  let checks = 0;
  const shouldStop = () => {
    if (!stopped && (++checks & 0x3ff) === 0 && deadline.passed()) stopped = true;
    return stopped;
  };
  const cache = new Map<string, AllocationPoint[]>();
  const points: { time: number; cost: number; reliability: number; item: CombinationPoint }[] = [];
  let done = 0;
  let cacheHits = 0;

  forEachCombination(space, (alt) => {
    const c = combination(space, alt);
    done++;
    if (c.unstaffable) return;
    const fronts: AllocationPoint[][] = [];
    for (const group of groupComponents(c.occurrences)) {
      const key = componentKey(group, c.weightOf);
      let front = cache.get(key);
      if (front) cacheHits++;
      else {
        let result;
        try {
          result = solveComponentDp(buildComponent(group, c.weightOf), { shouldStop, onLeaf: () => evaluations++, budget: maxSteps - steps });
        } catch (error) {
          if (!(error instanceof SearchBudgetExceeded)) throw error;
          throw new SearchLimitError(
            `the exact search needs more than ${maxSteps.toExponential(0)} steps (space of about 1e${log10Size.toFixed(1)} configurations before pruning): ` +
              'use a heuristic algorithm for a problem of this size, or raise the limit',
          );
        }
        steps += result.work;
        front = result.front;
        if (stopped) return false;
        cache.set(key, front);
      }
      if (front.length === 0) return; // no staffing avoids double-booking in this combination
      fronts.push(front);
    }
    for (const point of sumFronts(fronts)) {
      evaluations++;
      points.push({
        time: c.time,
        cost: c.fixedCost + point.cost,
        reliability: c.denominator === 0 ? 1 : (c.fixedRel + point.rel) / c.denominator,
        item: { combination: c, point },
      });
    }
    if (deadline.passed()) {
      stopped = true;
      return false;
    }
    options.onProgress?.({ phase: 'exact', done, total: combos, evaluations, front: points.length });
    return true;
  });

  const solutions: ConfigurationSolution[] = nonDominated3(points).map(({ item }) =>
    verifiedSolution(problem, pointOccurrences(space, item.combination, item.point), context, 'exact'),
  );
  const complete = !stopped;
  return finishConfigurationFront(solutions, {
    infeasible: solutions.length === 0 ? (complete ? explainInfeasible(space) : 'no feasible configuration found before the time limit') : null,
    stats: {
      algorithm: 'exact',
      exact: complete,
      evaluations,
      wallMs: now() - started,
      combinations: combos,
      combinationsSearched: done,
      componentCacheHits: cacheHits,
      log10Space: Number(log10Size.toFixed(2)),
      steps,
      ...(complete ? {} : { stoppedBy: 'time limit: the front is not proven' }),
    },
  });
}
