/// <reference types="jest" />
// Checks the optimizer's specs share: the objective vectors of fronts (to minimize), how two fronts
// compare, and what every answer must be whatever the algorithm, judged by the model's evaluators.
// Vectors are computed here from the objectives (testing/brute-force), not by the code under test.
import {
  ConfigurationFront,
  ConfigurationObjectives,
  ConfigurationProblem,
  ConfigurationSolution,
  ObjectiveContext,
  PesFront,
  PesObjectives,
  PesProblem,
  evaluateConfiguration,
  evaluatePes,
} from '@pss/model';
import { boundsOf, normalizedHypervolume } from '../hypervolume';
import { configurationObjectiveVector, frontDifference, naiveAlternatives, naiveSchedule, pesObjectiveVector, sameVector } from './brute-force';

export type Vector = number[];

// ---------------------------------------------------------------------------------------------
// Vectors and their comparison

/** (time, cost, −reliability) of each solution, for fronts and anything shaped like one (brute force, NAME.front.json). */
export const configurationVectorsOf = (front: { solutions: readonly { objectives: ConfigurationObjectives }[] }): Vector[] =>
  front.solutions.map((s) => configurationObjectiveVector(s.objectives));

/** (−performance, cost, responseTime) of each solution. */
export const pesVectorsOf = (front: { solutions: readonly { objectives: PesObjectives }[] }): Vector[] => front.solutions.map((s) => pesObjectiveVector(s.objectives));

/** The same vectors (relative 1e-9), as many of them. */
export function expectSameVectors(actual: number[][], expected: number[][]): void {
  const diff = frontDifference(actual, expected, 1e-9);
  expect({ extra: diff.extra, missing: diff.missing }).toEqual({ extra: [], missing: [] });
  expect(actual).toHaveLength(expected.length);
}

/** a dominates b (minimization). */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  return a.every((x, i) => x <= b[i]) && a.some((x, i) => x < b[i]);
}

/** a is at least as good as b everywhere, within a relative tolerance. */
export function covers(a: readonly number[], b: readonly number[], tolerance = 1e-9): boolean {
  return a.every((x, i) => x <= b[i] + tolerance * Math.max(1, Math.abs(x), Math.abs(b[i])));
}

/** Pairs [i, j] where vector i dominates vector j or repeats it (equal, or equal within a relative 1e-12). */
export function dominatedOrRepeated(vectors: readonly number[][]): [number, number][] {
  const repeats = (a: readonly number[], b: readonly number[]) => a.every((x, d) => x === b[d]) || sameVector(a, b, 1e-12);
  const bad: [number, number][] = [];
  vectors.forEach((a, i) =>
    vectors.forEach((b, j) => {
      if (i !== j && (dominates(a, b) || (i < j && repeats(a, b)))) bad.push([i, j]);
    }),
  );
  return bad;
}

/** Hypervolume of `found` over that of `exact`, both normalized by the bounds of the two together (1 or 0 when `exact` has none). */
export function hypervolumeRatio(found: number[][], exact: number[][]): number {
  const bounds = boundsOf([exact, found]);
  const reference = normalizedHypervolume(exact, bounds);
  return reference === 0 ? (found.length ? 1 : 0) : normalizedHypervolume(found, bounds) / reference;
}

// ---------------------------------------------------------------------------------------------
// Well-formed answers

export interface FrontChecks {
  /** The algorithm the front's stats must name. */
  algorithm?: string;
}

export interface ConfigurationFrontChecks extends FrontChecks {
  /**
   * Also check each solution's occurrences against MODEL.md by the naive re-implementations: every
   * non-virtual activity of one alternative per triggered flow, at its no-wait schedule.
   */
  occurrences?: boolean;
}

/** A ParetoFront of the problem's kind and objectives, by the algorithm asked for; an empty one says why. */
function expectAnswer(front: ConfigurationFront | PesFront, problem: string, objectives: string[], checks: FrontChecks): void {
  expect(front.kind).toBe('ParetoFront');
  expect(front.problem).toBe(problem);
  expect(front.objectives).toEqual(objectives);
  if (checks.algorithm !== undefined) expect(front.stats.algorithm).toBe(checks.algorithm);
  if (front.solutions.length === 0) expect(typeof front.infeasible).toBe('string');
  else expect(front.infeasible).toBeNull();
}

/** PartRank once per problem, not once per solution checked. */
const contexts = new WeakMap<ConfigurationProblem, ObjectiveContext>();
function contextOf(problem: ConfigurationProblem): ObjectiveContext {
  let context = contexts.get(problem);
  if (!context) contexts.set(problem, (context = new ObjectiveContext(problem)));
  return context;
}

/**
 * Everything an answer must be, whatever the front: an empty front says why; every solution is
 * feasible with the objectives the model's evaluator gives; the vectors are mutually non-dominated
 * and distinct.
 */
export function expectWellFormedConfigurationFront(problem: ConfigurationProblem, front: ConfigurationFront, checks: ConfigurationFrontChecks = {}): void {
  expectAnswer(front, 'ConfigurationProblem', ['time', 'cost', 'reliability'], checks);
  const expectOccurrences = checks.occurrences ? occurrenceCheck(problem) : undefined;
  for (const solution of front.solutions) {
    // Feasible, with the objectives the model's evaluator gives.
    const evaluation = evaluateConfiguration(problem, solution.occurrences, contextOf(problem));
    expect(evaluation.violations).toEqual([]);
    expect(evaluation.feasible).toBe(true);
    expect(solution.objectives.time).toBeCloseTo(evaluation.objectives.time, 12);
    expect(solution.objectives.cost).toBeCloseTo(evaluation.objectives.cost, 9);
    expect(solution.objectives.reliability).toBeCloseTo(evaluation.objectives.reliability, 12);
    expectOccurrences?.(solution);
  }
  // Mutually non-dominated and distinct.
  expect(dominatedOrRepeated(configurationVectorsOf(front))).toEqual([]);
}

/** Occurrences list every non-virtual activity of one alternative per triggered flow, scheduled. */
function occurrenceCheck(problem: ConfigurationProblem): (solution: ConfigurationSolution) => void {
  const activities = new Map(problem.model.activities.map((a) => [a.id, a]));
  const bodies = new Map(problem.model.flows.map((f) => [f.trigger, f.body]));
  return (solution) => {
    for (const row of problem.triggered) {
      const listed = solution.occurrences.filter((o) => o.asset === row.asset && o.trigger === row.trigger);
      const real = listed.filter((o) => !activities.get(o.activity)!.virtual).map((o) => o.activity).sort();
      const body = bodies.get(row.trigger)!;
      const alternative = naiveAlternatives(body).find((alt) => {
        const altReal = alt.filter((a) => !activities.get(a)!.virtual).sort();
        return altReal.length === real.length && altReal.every((a, i) => a === real[i]) && listed.every((o) => alt.includes(o.activity));
      });
      expect(alternative).toBeDefined();
      const schedule = naiveSchedule(body, new Set(alternative), row.start, (id) => activities.get(id)!.time);
      for (const o of listed) {
        expect(o.start).toBeCloseTo(schedule.get(o.activity)!.start, 9);
        expect(o.end).toBeCloseTo(schedule.get(o.activity)!.end, 9);
        if (activities.get(o.activity)!.virtual) expect(o.resources).toEqual([]);
      }
    }
    expect(solution.occurrences.every((o) => problem.triggered.some((t) => t.asset === o.asset && t.trigger === o.trigger))).toBe(true);
  };
}

/**
 * The same for PesProblems: an empty front says why; every solution is feasible with exactly the
 * objectives evaluatePes gives; the vectors are mutually non-dominated and distinct.
 */
export function expectWellFormedPesFront(problem: PesProblem, front: PesFront, checks: FrontChecks = {}): void {
  expectAnswer(front, 'PesProblem', ['performance', 'cost', 'responseTime'], checks);
  for (const s of front.solutions) {
    const evaluation = evaluatePes(problem, s.instances);
    expect(evaluation.violations).toEqual([]);
    expect(s.objectives).toEqual(evaluation.objectives);
    // Implied by the line above but for NaN, which toEqual accepts and toBeCloseTo does not.
    expect(s.objectives.performance).toBeCloseTo(evaluation.objectives.performance, 9);
    expect(s.objectives.cost).toBeCloseTo(evaluation.objectives.cost, 9);
    expect(s.objectives.responseTime).toBeCloseTo(evaluation.objectives.responseTime, 9);
  }
  expect(dominatedOrRepeated(pesVectorsOf(front))).toEqual([]);
}
