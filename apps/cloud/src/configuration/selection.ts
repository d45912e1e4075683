// Choosing one solution of a Pareto front (docs/cloud-pipeline.md, "Choosing a solution").
//
// Normalization over the front, so that 0 is the best value on the front and 1 the worst, for every objective:
//   time, cost (minimized):  n = (v - min) / (max - min)
//   reliability (maximized): n = (max - v) / (max - min)
// An objective with max = min (the same on every solution) is 0 everywhere and takes no part ("inactive").
//
// knee: the extremes E_k are the solutions best in each active objective k (ties: lowest sum of n, then lowest
// index). With three distinct extremes, the knee is the solution farthest from the plane through them on the side
// of the ideal point (0, 0, 0): it maximizes d(s) = u . (n(s) - E_1), u the plane's unit normal oriented towards
// decreasing objectives (sum of u's components < 0). With two distinct extremes (two active objectives, or three
// extremes on one line), the line through them replaces the plane: d(s) = |p| signed + when the sum of n(s) is below
// the sum of its projection on the line, p the perpendicular from the line to n(s). With one active objective,
// the best solution in it; with none, the first. Ties (within 1e-12): lowest sum of n, then lowest index.
//
// weighted: minimizes S(s) = sum_k w_k n_k(s) / sum_k w_k with the configured weights (all zero: equal weights).
// Ties: lowest index.
//
// manual: no choice; the knee is offered as the suggestion, a planner approves an index.
import { ConfigurationObjectives } from '@pss/model';

export const OBJECTIVES = ['time', 'cost', 'reliability'] as const;
export type ObjectiveName = (typeof OBJECTIVES)[number];
export type Policy = 'knee' | 'weighted' | 'manual';
export type Weights = Record<ObjectiveName, number>;

const EPS = 1e-12;

export interface Range {
  min: number;
  max: number;
}

export interface Normalized {
  ranges: Record<ObjectiveName, Range>;
  /** Per solution, per objective (OBJECTIVES order): 0 best on the front, 1 worst. */
  values: number[][];
  /** Indices (into OBJECTIVES) of the objectives that vary over the front. */
  active: number[];
}

export function normalize(solutions: readonly ConfigurationObjectives[]): Normalized {
  const ranges = {} as Record<ObjectiveName, Range>;
  for (const k of OBJECTIVES) {
    const values = solutions.map((s) => s[k]);
    ranges[k] = { min: Math.min(...values), max: Math.max(...values) };
  }
  const active = OBJECTIVES.map((k, i) => (ranges[k].max - ranges[k].min > EPS ? i : -1)).filter((i) => i >= 0);
  const values = solutions.map((s) =>
    OBJECTIVES.map((k, i) => {
      if (!active.includes(i)) return 0;
      const { min, max } = ranges[k];
      return k === 'reliability' ? (max - s[k]) / (max - min) : (s[k] - min) / (max - min);
    }),
  );
  return { ranges, values, active };
}

const sum = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0);
const sub = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x - b[i]);
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a: readonly number[]): number => Math.sqrt(dot(a, a));
const cross = (a: readonly number[], b: readonly number[]): number[] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** Index of the best of `scores` (higher is better), ties by lowest sum of normalized values, then lowest index. */
function argBest(scores: readonly number[], values: readonly number[][]): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) {
    const d = scores[i] - scores[best];
    if (d > EPS || (Math.abs(d) <= EPS && sum(values[i]) < sum(values[best]) - EPS)) best = i;
  }
  return best;
}

export interface KneeResult {
  index: number;
  /** d of the chosen solution (see the header); 0 when there was no plane or line to measure from. */
  distance: number;
  /** The indices of the extremes the plane or line went through. */
  extremes: number[];
  basis: 'plane' | 'line' | 'single-objective' | 'identical';
}

export function knee(n: Normalized): KneeResult {
  const { values, active } = n;
  if (values.length === 0) throw new Error('knee: the front is empty');
  if (active.length === 0) return { index: 0, distance: 0, extremes: [0], basis: 'identical' };
  const extremes: number[] = [];
  for (const k of active) {
    const e = argBest(values.map((v) => -v[k]), values);
    if (!extremes.includes(e)) extremes.push(e);
  }
  if (active.length === 1 || extremes.length === 1) return { index: extremes[0], distance: 0, extremes, basis: 'single-objective' };

  if (extremes.length >= 3) {
    const [a, b, c] = extremes.map((i) => values[i]);
    let u = cross(sub(b, a), sub(c, a));
    const length = norm(u);
    if (length > EPS) {
      u = u.map((x) => x / length);
      // Towards the ideal point: decreasing objectives. A plane that contains the (1,1,1) direction has no such
      // side; then the side of the ideal point itself.
      const towards = Math.abs(sum(u)) > EPS ? sum(u) < 0 : dot(u, sub([0, 0, 0], a)) > 0;
      if (!towards) u = u.map((x) => -x);
      const scores = values.map((v) => dot(u, sub(v, a)));
      const index = argBest(scores, values);
      return { index, distance: scores[index], extremes: extremes.slice(0, 3), basis: 'plane' };
    }
  }
  // A line through the two extremes farthest apart.
  let [p, q] = [extremes[0], extremes[1]];
  for (const i of extremes) for (const j of extremes) if (norm(sub(values[i], values[j])) > norm(sub(values[p], values[q]))) [p, q] = [i, j];
  const a = values[p];
  const d = sub(values[q], a);
  const dd = dot(d, d);
  const scores = values.map((v) => {
    const t = dot(sub(v, a), d) / dd;
    const projection = a.map((x, i) => x + t * d[i]);
    const perpendicular = sub(v, projection);
    const distance = norm(perpendicular);
    return sum(v) < sum(projection) - EPS ? distance : sum(v) > sum(projection) + EPS ? -distance : 0;
  });
  const index = argBest(scores, values);
  return { index, distance: scores[index], extremes: [p, q], basis: 'line' };
}

export interface WeightedResult {
  index: number;
  score: number;
  weights: Weights;
}

export function weighted(n: Normalized, weights: Weights): WeightedResult {
  if (n.values.length === 0) throw new Error('weighted: the front is empty');
  const total = sum(OBJECTIVES.map((k) => weights[k]));
  const w: Weights = total > 0 ? weights : { time: 1, cost: 1, reliability: 1 };
  const wTotal = total > 0 ? total : 3;
  const scores = n.values.map((v) => sum(OBJECTIVES.map((k, i) => w[k] * v[i])) / wTotal);
  let index = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] < scores[index] - EPS) index = i;
  return { index, score: scores[index], weights: w };
}

export interface TradeOff {
  objective: ObjectiveName;
  direction: 'minimize' | 'maximize';
  /** The best value on the front and the first solution that has it. */
  best: number;
  bestIndex: number;
  chosen: number;
  /** How much worse the chosen solution is than the best, in the objective's unit (>= 0). */
  given: number;
  /** `given` as a share of the objective's range on the front (0..1). */
  givenShare: number;
}

export interface Explanation {
  policy: Policy;
  solutions: number;
  chosenIndex: number | null;
  /** For the manual policy: the knee, offered to the planner. */
  suggestedIndex: number | null;
  chosen: ConfigurationObjectives | null;
  ranges: Record<ObjectiveName, Range>;
  /** The chosen solution's normalized objectives (0 best on the front, 1 worst). */
  normalized: Record<ObjectiveName, number> | null;
  score: { kind: 'knee-distance'; value: number; basis: KneeResult['basis']; extremes: number[] } | { kind: 'weighted-sum'; value: number; weights: Weights } | null;
  /** Per objective: what the chosen solution gives up against the best solution in that objective. */
  tradeOffs: TradeOff[];
  summary: string;
}

export interface Choice {
  index: number | null;
  explanation: Explanation;
}

/** Chooses by `policy` and explains the choice; `units` name the time unit and currency for the summary. */
export function choose(solutions: readonly ConfigurationObjectives[], policy: Policy, weights: Weights, units: { time: string; currency?: string }): Choice {
  const n = normalize(solutions);
  const k = knee(n);
  if (policy === 'manual') return { index: null, explanation: explain(solutions, n, null, policy, null, k.index, units) };
  if (policy === 'knee') {
    return { index: k.index, explanation: explain(solutions, n, k.index, policy, { kind: 'knee-distance', value: k.distance, basis: k.basis, extremes: k.extremes }, null, units) };
  }
  const w = weighted(n, weights);
  return { index: w.index, explanation: explain(solutions, n, w.index, policy, { kind: 'weighted-sum', value: w.score, weights: w.weights }, null, units) };
}

/** The explanation of a solution chosen by a planner (manual approval): no score, the same trade-offs. */
export function explainApproval(solutions: readonly ConfigurationObjectives[], index: number, units: { time: string; currency?: string }): Explanation {
  const n = normalize(solutions);
  return explain(solutions, n, index, 'manual', null, knee(n).index, units);
}

function explain(
  solutions: readonly ConfigurationObjectives[],
  n: Normalized,
  index: number | null,
  policy: Policy,
  score: Explanation['score'],
  suggested: number | null,
  units: { time: string; currency?: string },
): Explanation {
  const tradeOffs: TradeOff[] = [];
  const reference = index ?? suggested;
  if (reference !== null) {
    for (const k of OBJECTIVES) {
      const maximize = k === 'reliability';
      const best = maximize ? n.ranges[k].max : n.ranges[k].min;
      const bestIndex = solutions.findIndex((s) => s[k] === best);
      const chosen = solutions[reference][k];
      const given = Math.abs(chosen - best);
      const range = n.ranges[k].max - n.ranges[k].min;
      tradeOffs.push({ objective: k, direction: maximize ? 'maximize' : 'minimize', best, bestIndex, chosen, given, givenShare: range > EPS ? given / range : 0 });
    }
  }
  const unit = (k: ObjectiveName): string => (k === 'time' ? ` ${units.time}` : k === 'cost' && units.currency ? ` ${units.currency}` : '');
  const fmt = (x: number): string => String(Number(x.toPrecision(6)));
  const parts = tradeOffs.map((t) =>
    t.given <= EPS
      ? `${t.objective} ${fmt(t.chosen)}${unit(t.objective)} (the best on the front)`
      : `${t.objective} ${fmt(t.chosen)}${unit(t.objective)} (${t.direction === 'maximize' ? '-' : '+'}${fmt(t.given)} against #${t.bestIndex}, ${Math.round(t.givenShare * 100)}% of the range)`,
  );
  const summary =
    index === null
      ? `${solutions.length} solutions wait for a planner's choice; the knee is #${suggested}: ${parts.join(', ')}`
      : `chose #${index} of ${solutions.length} by ${policy === 'manual' ? 'a planner' : `the ${policy} policy`}: ${parts.join(', ')}`;
  return {
    policy,
    solutions: solutions.length,
    chosenIndex: index,
    suggestedIndex: suggested,
    chosen: index === null ? null : { ...solutions[index] },
    ranges: n.ranges,
    normalized: index === null ? null : (Object.fromEntries(OBJECTIVES.map((k, i) => [k, n.values[index][i]])) as Record<ObjectiveName, number>),
    score,
    tradeOffs,
    summary,
  };
}
