// Building answers: one solution per distinct objective vector, mutually non-dominated, in a
// stable order (time, then cost, then reliability descending).
import {
  ConfigurationFront,
  ConfigurationProblem,
  ConfigurationSolution,
  FrontStats,
  ObjectiveContext,
  Occurrence,
  PesFront,
  PesProblem,
  PesSolution,
  evaluateConfiguration,
  evaluatePes,
} from '@pss/model';

/**
 * Every answer leaves through the model's evaluator: objectives recomputed by the one implementation
 * everyone trusts, and an algorithm that produced an infeasible solution is a bug, reported loudly.
 */
export function verifiedSolution(problem: ConfigurationProblem, occurrences: Occurrence[], context: ObjectiveContext, algorithm: string): ConfigurationSolution {
  const e = evaluateConfiguration(problem, occurrences, context);
  if (!e.feasible) {
    throw new Error(`internal error: ${algorithm} produced an infeasible solution: ${e.violations.map((v) => `${v.rule} ${v.path}: ${v.message}`).join('; ')}`);
  }
  return { objectives: e.objectives, occurrences };
}

export function verifiedPesSolution(problem: PesProblem, instances: string[], algorithm: string): PesSolution {
  const e = evaluatePes(problem, instances);
  if (!e.feasible) throw new Error(`internal error: ${algorithm} produced an infeasible solution: ${e.violations.map((v) => v.message).join('; ')}`);
  return { objectives: e.objectives, instances };
}

/** Objective sums reached along different paths can differ in the last bits; treat those as equal. */
const RELATIVE_TOLERANCE = 1e-12;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/** a is at least as good as b everywhere, up to float noise (vectors to minimize). */
function coversWithTolerance(a: readonly number[], b: readonly number[]): boolean {
  return a.every((x, i) => x <= b[i] || close(x, b[i]));
}

export function filterFront<T>(items: readonly T[], vector: (item: T) => number[]): T[] {
  const sorted = [...items].sort((x, y) => compareVectors(vector(x), vector(y)));
  const kept: { item: T; v: number[] }[] = [];
  for (const item of sorted) {
    const v = vector(item);
    if (kept.some((k) => coversWithTolerance(k.v, v))) continue;
    // The exact sort can put a vector before one that beats it by float noise: drop those too.
    for (let i = kept.length - 1; i >= 0; i--) if (coversWithTolerance(v, kept[i].v)) kept.splice(i, 1);
    kept.push({ item, v });
  }
  return kept.map((k) => k.item);
}

function compareVectors(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export const configurationVector = (s: ConfigurationSolution): number[] => [s.objectives.time, s.objectives.cost, -s.objectives.reliability];
export const pesVector = (s: PesSolution): number[] => [-s.objectives.performance, s.objectives.cost, s.objectives.responseTime];

export function finishConfigurationFront(solutions: ConfigurationSolution[], rest: { infeasible: string | null; stats: FrontStats }): ConfigurationFront {
  return {
    kind: 'ParetoFront',
    problem: 'ConfigurationProblem',
    objectives: ['time', 'cost', 'reliability'],
    solutions: filterFront(solutions, configurationVector),
    infeasible: rest.infeasible,
    stats: rest.stats,
  };
}

export function finishPesFront(solutions: PesSolution[], rest: { infeasible: string | null; stats: FrontStats }): PesFront {
  return {
    kind: 'ParetoFront',
    problem: 'PesProblem',
    objectives: ['performance', 'cost', 'responseTime'],
    solutions: filterFront(solutions, pesVector),
    infeasible: rest.infeasible,
    stats: rest.stats,
  };
}
