// Combinations of alternatives (one per triggered flow): their fixed parts (time, fixed cost and
// reliability, the reliability denominator), enumeration, and turning an allocation point back into
// the answer's occurrences.
import { ConfigurationSpace, PlannedOccurrence, toOccurrences } from './configuration-space';
import { AllocationPoint, ComponentChoice, occurrenceKey } from './decomposition';
import { leavesOf } from './front2d';

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
