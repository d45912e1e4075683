// Where each published scheme of a PesProblem (the paper's solutions, a previous offer) stands against a front:
// on it (the same objective vector, or the same instances), dominated (by which solutions), infeasible, or not
// covered (a heuristic front that missed it).
import { PesFront, PesObjectives, PesProblem, evaluatePes } from '@pss/model';

/** Float sums of the same numbers in another order differ in the last bits. */
const EPSILON = 1e-9;

export type SchemeStatus = 'on-front' | 'dominated' | 'infeasible' | 'not-covered';

export interface SchemeStanding {
  id: string;
  status: SchemeStatus;
  objectives: PesObjectives;
  /** on-front: the solutions with its objective vector; dominated: the solutions that dominate it (indexes into front.solutions). */
  solutions: number[];
  /** infeasible: why. */
  violations?: string[];
}

/** Every objective minimized: performance is maximized. */
function vector(o: PesObjectives): [number, number, number] {
  return [-o.performance, o.cost, o.responseTime];
}

function sameWithin(a: readonly number[], b: readonly number[]): boolean {
  return a.every((x, i) => Math.abs(x - b[i]) <= EPSILON * Math.max(1, Math.abs(x), Math.abs(b[i])));
}

function dominatesWithin(a: readonly number[], b: readonly number[]): boolean {
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    const slack = EPSILON * Math.max(1, Math.abs(a[i]), Math.abs(b[i]));
    if (a[i] > b[i] + slack) return false;
    if (a[i] < b[i] - slack) strictly = true;
  }
  return strictly;
}

export function standingOfSchemes(problem: PesProblem, front: PesFront): SchemeStanding[] {
  const vectors = front.solutions.map((s) => vector(s.objectives));
  return problem.publishedSchemes.map((scheme) => {
    const evaluation = evaluatePes(problem, scheme.instances);
    const objectives = evaluation.objectives;
    if (!evaluation.feasible) return { id: scheme.id, status: 'infeasible', objectives, solutions: [], violations: evaluation.violations.map((v) => v.message) };
    const v = vector(objectives);
    const same = vectors.flatMap((f, i) => (sameWithin(f, v) ? [i] : []));
    if (same.length > 0) return { id: scheme.id, status: 'on-front', objectives, solutions: same };
    const dominating = vectors.flatMap((f, i) => (dominatesWithin(f, v) ? [i] : []));
    if (dominating.length > 0) return { id: scheme.id, status: 'dominated', objectives, solutions: dominating };
    return { id: scheme.id, status: 'not-covered', objectives, solutions: [] };
  });
}
