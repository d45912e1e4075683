// Exact solver for PesProblems: depth-first over modules (an instance each, or none for optional
// modules), rules and limits checked as soon as both ends are decided, pruned by an optimistic bound
// against the archive. Seed 003's elevator case (under 300,000 configurations) takes milliseconds.
import { PES_EPSILON, ParetoArchive, PesFront, PesInstance, PesProblem } from '@pss/model';
import { finishPesFront, verifiedPesSolution } from './front';
import { Deadline, ProgressReporter, SearchLimitError } from './run-control';

export interface ExactPesOptions {
  maxConfigurations?: number;
  timeLimitMs?: number;
  onProgress?: ProgressReporter;
  now?: () => number;
}

/** Enumeration with bounds: refuse spaces above this many configurations by default. */
export const DEFAULT_MAX_PES_CONFIGURATIONS = 1e9;

export function pesSpaceSize(problem: PesProblem): number {
  return problem.modules.reduce((n, m) => n * (m.instances.length + (m.mandatory ? 0 : 1)), 1);
}

export function solvePesExact(problem: PesProblem, options: ExactPesOptions = {}): PesFront {
  const now = options.now ?? Date.now;
  const started = now();
  const size = pesSpaceSize(problem);
  const limit = options.maxConfigurations ?? DEFAULT_MAX_PES_CONFIGURATIONS;
  if (size > limit) throw new SearchLimitError(`the exact search would face ${size.toExponential(2)} configurations (limit ${limit.toExponential(0)})`);
  const deadline = new Deadline(options.timeLimitMs, now);
  const modules = problem.modules;
  const moduleOf = new Map<string, number>();
  modules.forEach((m, i) => m.instances.forEach((inst) => moduleOf.set(inst.id, i)));
  // A rule is checked when the later of its two modules has been decided.
  const rulesAt: { type: string; a: string; b: string }[][] = modules.map(() => []);
  for (const rule of problem.rules) rulesAt[Math.max(moduleOf.get(rule.a)!, moduleOf.get(rule.b)!)].push(rule);
  const { profitMargin, maxPrice, maxResponseTime } = problem.limits;
  // The same slack as evaluatePes, on the price: cost·(1 + margin) <= maxPrice + 1e-9.
  const maxCost = maxPrice === undefined ? Infinity : (maxPrice + PES_EPSILON) / (1 + profitMargin);
  const maxTime = maxResponseTime === undefined ? Infinity : maxResponseTime + PES_EPSILON;

  // Optimistic completions of modules i.. : best performance, least cost, least time.
  const n = modules.length;
  const bestPerf = new Float64Array(n + 1);
  const leastCost = new Float64Array(n + 1);
  const leastTime = new Float64Array(n + 1);
  for (let i = n - 1; i >= 0; i--) {
    const m = modules[i];
    const opt = m.mandatory ? m.instances : [...m.instances, { performance: 0, cost: 0, responseTime: 0 }];
    bestPerf[i] = bestPerf[i + 1] + Math.max(...opt.map((x) => x.performance));
    leastCost[i] = leastCost[i + 1] + Math.min(...opt.map((x) => x.cost));
    leastTime[i] = leastTime[i + 1] + Math.min(...opt.map((x) => x.responseTime));
  }

  const archive = new ParetoArchive<string[]>();
  const chosen = new Set<string>();
  const path: string[] = [];
  let evaluations = 0;
  let nodes = 0;
  let stopped = false;

  const rulesHold = (i: number) =>
    rulesAt[i].every((r) => {
      const a = chosen.has(r.a);
      const b = chosen.has(r.b);
      return r.type === 'excludes' ? !(a && b) : r.type === 'requires' ? !a || b : a === b;
    });

  const dfs = (i: number, perf: number, cost: number, time: number): void => {
    if (stopped) return;
    if ((++nodes & 0xffff) === 0 && deadline.passed()) {
      stopped = true;
      return;
    }
    if (cost + leastCost[i] > maxCost || time + leastTime[i] > maxTime) return;
    if (archive.covers([-(perf + bestPerf[i]), cost + leastCost[i], time + leastTime[i]])) return;
    if (i === n) {
      evaluations++;
      archive.add([-perf, cost, time], [...path]);
      return;
    }
    const m = modules[i];
    const options: (PesInstance | undefined)[] = m.mandatory ? m.instances : [...m.instances, undefined];
    for (const inst of options) {
      if (inst) {
        chosen.add(inst.id);
        path.push(inst.id);
      }
      if (rulesHold(i)) dfs(i + 1, perf + (inst?.performance ?? 0), cost + (inst?.cost ?? 0), time + (inst?.responseTime ?? 0));
      if (inst) {
        chosen.delete(inst.id);
        path.pop();
      }
    }
  };
  dfs(0, 0, 0, 0);
  options.onProgress?.({ phase: 'exact', done: 1, total: 1, evaluations, front: archive.size });

  const solutions = archive.items().map((instances) => verifiedPesSolution(problem, instances, 'exact'));
  return finishPesFront(solutions, {
    infeasible: solutions.length ? null : stopped ? 'no feasible configuration found before the time limit' : explainPesInfeasible(problem),
    stats: { algorithm: 'exact', exact: !stopped, evaluations, wallMs: now() - started, nodes, configurations: size },
  });
}

function explainPesInfeasible(problem: PesProblem): string {
  const { profitMargin, maxPrice, maxResponseTime } = problem.limits;
  const least = (key: 'cost' | 'responseTime') =>
    problem.modules.reduce((s, m) => s + (m.mandatory ? Math.min(...m.instances.map((x) => x[key])) : 0), 0);
  const reasons: string[] = [];
  if (maxPrice !== undefined && least('cost') * (1 + profitMargin) > maxPrice) reasons.push(`the cheapest mandatory modules already cost ${least('cost') * (1 + profitMargin)} with margin, above the price limit ${maxPrice}`);
  if (maxResponseTime !== undefined && least('responseTime') > maxResponseTime) reasons.push(`the fastest mandatory modules already take ${least('responseTime')}, above the limit ${maxResponseTime}`);
  return reasons.length ? reasons.join('; ') : 'no selection satisfies the requires/excludes/inclusive rules within the price and response-time limits';
}
