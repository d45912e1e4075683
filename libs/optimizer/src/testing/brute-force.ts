// Deliberately naive exhaustive solvers, independent of the optimizer: they share nothing with the
// search code but the model's evaluators. Every alternative of every triggered flow (from MODEL.md's
// alt() definition, re-implemented here) × every choice of resources of the demanded kind for every
// demand (assignable or not, busy or not) is built and handed to `evaluateConfiguration`, which alone
// decides feasibility; the feasible objective vectors are reduced to the non-dominated distinct ones.
// PES likewise: every instance (or none, for optional modules) of every module, judged by `evaluatePes`.
import {
  Activity,
  ConfigurationObjectives,
  ConfigurationProblem,
  ConfigurationSolution,
  FlowBody,
  ObjectiveContext,
  Occurrence,
  PesObjectives,
  PesProblem,
  PesSolution,
  evaluateConfiguration,
  evaluatePes,
  planFlows,
} from '@pss/model';

/** Vectors to minimize are compared as equal within this relative tolerance. */
export const BRUTE_FORCE_TOLERANCE = 1e-12;

function near(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/** a is at least as good as b everywhere, float noise forgiven (sums reached in different orders). */
function covers(a: readonly number[], b: readonly number[]): boolean {
  return a.every((x, i) => x <= b[i] || near(x, b[i], BRUTE_FORCE_TOLERANCE));
}

/** A non-dominated archive of distinct vectors (all components minimized), one item per vector. */
class NaiveArchive<T> {
  readonly entries: { vector: number[]; item: T }[] = [];

  add(vector: number[], item: T): void {
    if (this.entries.some((e) => covers(e.vector, vector))) return;
    for (let i = this.entries.length - 1; i >= 0; i--) if (covers(vector, this.entries[i].vector)) this.entries.splice(i, 1);
    this.entries.push({ vector, item });
  }
}

// ---------------------------------------------------------------------------------------------
// ConfigurationProblem

type Block = { kind: 'seq' | 'and' | 'xor'; children: FlowBody[] };

function block(body: FlowBody): Block | undefined {
  if (typeof body === 'string') return undefined;
  if ('seq' in body) return { kind: 'seq', children: body.seq };
  if ('and' in body) return { kind: 'and', children: body.and };
  return { kind: 'xor', children: body.xor };
}

/** alt() exactly as MODEL.md 1.1 defines it, as sorted id lists without duplicates. */
export function naiveAlternatives(body: FlowBody): string[][] {
  const b = block(body);
  let sets: string[][];
  if (!b) sets = [[body as string]];
  else if (b.kind === 'xor') sets = b.children.flatMap(naiveAlternatives);
  else {
    sets = [[]];
    for (const child of b.children) {
      const childSets = naiveAlternatives(child);
      sets = sets.flatMap((left) => childSets.map((right) => [...left, ...right]));
    }
  }
  const unique = new Map<string, string[]>();
  for (const s of sets) {
    const sorted = [...new Set(s)].sort();
    unique.set(sorted.join('|'), sorted);
  }
  return [...unique.values()];
}

/** The no-wait schedule of MODEL.md section 2 for one alternative: activity -> [start, end). */
export function naiveSchedule(body: FlowBody, chosen: ReadonlySet<string>, start: number, timeOf: (id: string) => number): Map<string, { start: number; end: number }> {
  const out = new Map<string, { start: number; end: number }>();
  const holds = (b: FlowBody): boolean => {
    const k = block(b);
    return k ? k.children.some(holds) : chosen.has(b as string);
  };
  const run = (b: FlowBody, t: number): number => {
    const k = block(b);
    if (!k) {
      const id = b as string;
      out.set(id, { start: t, end: t + timeOf(id) });
      return t + timeOf(id);
    }
    if (k.kind === 'seq') {
      let at = t;
      for (const child of k.children) at = run(child, at);
      return at;
    }
    if (k.kind === 'and') {
      let end = t;
      for (const child of k.children) end = Math.max(end, run(child, t));
      return end;
    }
    const branch = k.children.find(holds);
    if (!branch) throw new Error('no branch of an xor block holds a chosen activity');
    return run(branch, t);
  };
  run(body, start);
  return out;
}

/** All k-element subsets of `items`, in lexicographic order of positions. */
export function combinations<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  const pick: T[] = [];
  const go = (from: number) => {
    if (pick.length === k) return void out.push([...pick]);
    for (let i = from; i <= items.length - (k - pick.length); i++) {
      pick.push(items[i]);
      go(i + 1);
      pick.pop();
    }
  };
  go(0);
  return out;
}

function cartesian<T>(lists: readonly (readonly T[])[]): T[][] {
  let acc: T[][] = [[]];
  for (const list of lists) acc = acc.flatMap((prefix) => list.map((x) => [...prefix, x]));
  return acc;
}

/** One way to carry out one flow: an alternative with resources for each of its activities. */
interface FlowOption {
  occurrences: Occurrence[];
}

function flowOptions(problem: ConfigurationProblem, row: number): FlowOption[] {
  const model = problem.model;
  const tf = problem.triggered[row];
  const body = model.flows.find((f) => f.trigger === tf.trigger)!.body;
  const activities = new Map<string, Activity>(model.activities.map((a) => [a.id, a]));
  const ofKind = (kind: string) => model.resources.filter((r) => r.kind === kind).map((r) => r.id);
  const options: FlowOption[] = [];
  for (const alt of naiveAlternatives(body)) {
    const schedule = naiveSchedule(body, new Set(alt), tf.start, (id) => activities.get(id)!.time);
    // Per activity: every way to fill all its demands (a list of resource lists).
    const perActivity = alt.map((id) => {
      const a = activities.get(id)!;
      if (a.virtual) return [[]];
      return cartesian(a.demands.map((d) => combinations(ofKind(d.kind), d.qty))).map((parts) => parts.flat());
    });
    for (const resources of cartesian(perActivity)) {
      options.push({
        occurrences: alt.map((id, i) => ({ asset: tf.asset, trigger: tf.trigger, activity: id, start: schedule.get(id)!.start, end: schedule.get(id)!.end, resources: resources[i] })),
      });
    }
  }
  return options;
}

/** How many configurations the brute force would evaluate. */
export function bruteForceConfigurationCount(problem: ConfigurationProblem): number {
  return problem.triggered.reduce((n, _, row) => n * flowOptions(problem, row).length, 1);
}

export interface BruteForceConfigurationResult {
  /** The non-dominated distinct feasible solutions, as evaluateConfiguration scores them. */
  solutions: ConfigurationSolution[];
  configurations: number;
  feasible: number;
}

export function bruteForceConfiguration(problem: ConfigurationProblem, options: { maxConfigurations?: number } = {}): BruteForceConfigurationResult {
  const perFlow = problem.triggered.map((_, row) => flowOptions(problem, row));
  const total = perFlow.reduce((n, list) => n * list.length, 1);
  const limit = options.maxConfigurations ?? 200_000;
  if (total > limit) throw new Error(`brute force refused: ${total} configurations (limit ${limit})`);
  const context = new ObjectiveContext(problem);
  const plans = planFlows(problem);
  const archive = new NaiveArchive<Occurrence[]>();
  let configurations = 0;
  let feasible = 0;
  const chosen: Occurrence[][] = [];
  const go = (f: number): void => {
    if (f === perFlow.length) {
      configurations++;
      const occurrences = chosen.flat();
      const evaluation = evaluateConfiguration(problem, occurrences, context, plans);
      if (!evaluation.feasible) return;
      feasible++;
      const { time, cost, reliability } = evaluation.objectives;
      archive.add([time, cost, -reliability], occurrences);
      return;
    }
    for (const option of perFlow[f]) {
      chosen.push(option.occurrences);
      go(f + 1);
      chosen.pop();
    }
  };
  go(0);
  const solutions = archive.entries.map(
    (e): ConfigurationSolution => ({ objectives: { time: e.vector[0], cost: e.vector[1], reliability: -e.vector[2] } as ConfigurationObjectives, occurrences: e.item }),
  );
  return { solutions, configurations, feasible };
}

// ---------------------------------------------------------------------------------------------
// PesProblem

export interface BruteForcePesResult {
  solutions: PesSolution[];
  configurations: number;
  feasible: number;
}

/** Every selection (one instance per mandatory module, at most one per optional module), judged by evaluatePes. */
export function bruteForcePes(problem: PesProblem, options: { maxConfigurations?: number } = {}): BruteForcePesResult {
  const choices = problem.modules.map((m) => [...m.instances.map((i) => i.id), ...(m.mandatory ? [] : [undefined])]);
  const total = choices.reduce((n, c) => n * c.length, 1);
  const limit = options.maxConfigurations ?? 1_000_000;
  if (total > limit) throw new Error(`brute force refused: ${total} configurations (limit ${limit})`);
  const archive = new NaiveArchive<string[]>();
  const digit = choices.map(() => 0);
  let configurations = 0;
  let feasible = 0;
  for (;;) {
    const instances: string[] = [];
    digit.forEach((d, m) => {
      const id = choices[m][d];
      if (id !== undefined) instances.push(id);
    });
    configurations++;
    const evaluation = evaluatePes(problem, instances);
    if (evaluation.feasible) {
      feasible++;
      const { performance, cost, responseTime } = evaluation.objectives;
      archive.add([-performance, cost, responseTime], instances);
    }
    let m = 0;
    while (m < digit.length && ++digit[m] === choices[m].length) digit[m++] = 0;
    if (m === digit.length) break;
  }
  const solutions = archive.entries.map((e): PesSolution => ({ objectives: { performance: -e.vector[0], cost: e.vector[1], responseTime: e.vector[2] } as PesObjectives, instances: e.item }));
  return { solutions, configurations, feasible };
}

// ---------------------------------------------------------------------------------------------
// Comparing fronts

/** Objective vectors to minimize: (time, cost, −reliability). */
export const configurationObjectiveVector = (o: ConfigurationObjectives): number[] => [o.time, o.cost, -o.reliability];
/** Objective vectors to minimize: (−performance, cost, responseTime). */
export const pesObjectiveVector = (o: PesObjectives): number[] => [-o.performance, o.cost, o.responseTime];

export function sameVector(a: readonly number[], b: readonly number[], tolerance = 1e-9): boolean {
  return a.length === b.length && a.every((x, i) => near(x, b[i], tolerance));
}

/**
 * How two fronts differ as sets of objective vectors (relative tolerance): the vectors of `actual`
 * that `expected` lacks, and the other way round. Equal sets with equal counts give two empty lists
 * and `sameCount`.
 */
export function frontDifference(actual: readonly number[][], expected: readonly number[][], tolerance = 1e-9): { extra: number[][]; missing: number[][]; sameCount: boolean } {
  return {
    extra: actual.filter((a) => !expected.some((e) => sameVector(a, e, tolerance))).map((v) => [...v]),
    missing: expected.filter((e) => !actual.some((a) => sameVector(a, e, tolerance))).map((v) => [...v]),
    sameCount: actual.length === expected.length,
  };
}
