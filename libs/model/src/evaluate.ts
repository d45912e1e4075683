// The one evaluator everyone trusts: checks a solution against every constraint of MODEL.md
// section 2 (a reason per violation) and computes the three objectives.
import { Activity, ConfigurationObjectives, ConfigurationProblem, Occurrence, ReliabilityObjective } from './types';
import { activityImportance } from './importance';
import { FlowPlan, TIME_EPSILON, overlaps, planFlows } from './schedule';

export type ConstraintRule = 'A8' | 'A9' | 'A10' | 'structure' | 'schedule';

export interface Violation {
  rule: ConstraintRule;
  /** Where in the solution: `occurrences[3].resources[1]`, or a flow `car-0017/ss.running`. */
  path: string;
  message: string;
}

export interface ConfigurationEvaluation {
  feasible: boolean;
  violations: Violation[];
  objectives: ConfigurationObjectives;
}

/** One non-virtual occurrence as the objectives see it. */
export interface ObjectiveTerm {
  activity: Activity;
  resources: readonly string[];
}

/** Precomputed lookups for objective evaluation over one model. */
export class ObjectiveContext {
  readonly importance: Record<string, number>;
  private readonly costRate = new Map<string, number>();
  private readonly theta = new Map<string, number>();

  constructor(
    readonly problem: ConfigurationProblem,
    importance?: Record<string, number>,
  ) {
    this.importance = importance ?? activityImportance(problem.model);
    for (const r of problem.model.resources) this.costRate.set(r.id, r.costRate);
    for (const e of problem.model.assignable) this.theta.set(`${e.resource}\u0000${e.activity}`, e.theta);
  }

  thetaOf(resource: string, activity: string): number | undefined {
    return this.theta.get(`${resource}\u0000${activity}`);
  }

  rateOf(resource: string): number {
    return this.costRate.get(resource) ?? 0;
  }

  /** R_o: the product of the assigned resources' thetas when the activity has demands, else r_a. */
  occurrenceReliability(term: ObjectiveTerm): number {
    if (term.activity.demands.length === 0) return term.activity.reliability;
    return term.resources.reduce((p, r) => p * (this.thetaOf(r, term.activity.id) ?? 0), 1);
  }

  objectives(terms: readonly ObjectiveTerm[], mode: ReliabilityObjective = this.problem.reliabilityObjective): ConfigurationObjectives {
    if (terms.length === 0) return { time: 0, cost: 0, reliability: 1 };
    let time = 0;
    let cost = 0;
    let weighted = 0;
    let weights = 0;
    let plain = 0;
    for (const term of terms) {
      const a = term.activity;
      time += a.time;
      cost += a.cost + a.time * term.resources.reduce((s, r) => s + this.rateOf(r), 0);
      const ro = this.occurrenceReliability(term);
      const ia = this.importance[a.id] ?? 0;
      weighted += ia * ro;
      weights += ia;
      plain += ro;
    }
    const reliability = mode === 'mean' || weights === 0 ? plain / terms.length : weighted / weights;
    return { time, cost, reliability };
  }
}

/**
 * Checks a solution's occurrences against the problem. The objectives are computed from the
 * no-wait schedule of the alternatives the occurrences select (a wrong start or end in the file is
 * reported, never trusted).
 */
export function evaluateConfiguration(problem: ConfigurationProblem, occurrences: readonly Occurrence[], context = new ObjectiveContext(problem), plans: FlowPlan[] = planFlows(problem)): ConfigurationEvaluation {
  const violations: Violation[] = [];
  const model = problem.model;
  const activities = new Map(model.activities.map((a) => [a.id, a]));
  const resources = new Map(model.resources.map((r) => [r.id, r]));
  const flowKey = (asset: string, trigger: string) => `${asset}/${trigger}`;
  const planByKey = new Map(plans.map((p) => [flowKey(p.asset, p.trigger), p]));

  const byFlow = new Map<string, number[]>();
  occurrences.forEach((o, i) => {
    const key = flowKey(o.asset, o.trigger);
    if (!planByKey.has(key)) {
      violations.push({ rule: 'structure', path: `occurrences[${i}]`, message: `flow ${key} is not triggered in this problem` });
      return;
    }
    if (!activities.has(o.activity)) {
      violations.push({ rule: 'structure', path: `occurrences[${i}].activity`, message: `unknown activity "${o.activity}"` });
      return;
    }
    byFlow.set(key, [...(byFlow.get(key) ?? []), i]);
  });

  // Per flow: which alternative, and the scheduled interval of each occurrence.
  const scheduled: { index: number; start: number; end: number }[] = [];
  const terms: ObjectiveTerm[] = [];
  for (const plan of plans) {
    const key = flowKey(plan.asset, plan.trigger);
    const indices = byFlow.get(key) ?? [];
    const listed = indices.map((i) => occurrences[i].activity);
    const duplicates = listed.filter((a, k) => listed.indexOf(a) !== k);
    if (duplicates.length) {
      violations.push({ rule: 'structure', path: key, message: `activity ${duplicates[0]} is listed twice` });
      continue;
    }
    const real = new Set(listed.filter((a) => !activities.get(a)!.virtual));
    const alternative = plan.alternatives.find((alt) => {
      const altReal = alt.activities.filter((a) => !activities.get(a)!.virtual);
      return altReal.length === real.size && altReal.every((a) => real.has(a)) && listed.every((a) => alt.activities.includes(a));
    });
    if (!alternative) {
      const what = listed.length ? `{${[...real].sort().join(', ')}}` : 'no activity';
      violations.push({ rule: 'structure', path: key, message: `${what} is not an alternative of the flow (it has ${plan.alternatives.length})` });
      continue;
    }
    if (!alternative.meetsDeadline) {
      violations.push({ rule: 'A8', path: key, message: `ends at ${alternative.end}, after its deadline ${plan.deadline}` });
    }
    for (const i of indices) {
      const o = occurrences[i];
      const slot = alternative.schedule.find((s) => s.activity === o.activity)!;
      // Given times are optional (NaN when absent); when given they must be the no-wait schedule's.
      const differs = (given: number, planned: number) => Number.isFinite(given) && Math.abs(given - planned) > TIME_EPSILON;
      if (differs(o.start, slot.start) || differs(o.end, slot.end)) {
        violations.push({ rule: 'schedule', path: `occurrences[${i}]`, message: `${o.activity} is scheduled [${slot.start}, ${slot.end}), not [${o.start}, ${o.end})` });
      }
      scheduled.push({ index: i, start: slot.start, end: slot.end });
      const activity = activities.get(o.activity)!;
      checkDemands(activity, o, i, context, resources, violations);
      if (!activity.virtual) terms.push({ activity, resources: o.resources });
    }
    const missing = alternative.activities.filter((a) => !activities.get(a)!.virtual && !listed.includes(a));
    if (missing.length) violations.push({ rule: 'structure', path: key, message: `missing ${missing.join(', ')}` });
  }

  checkDoubleBooking(problem, occurrences, scheduled, violations);
  return { feasible: violations.length === 0, violations, objectives: context.objectives(terms) };
}

function checkDemands(activity: Activity, o: Occurrence, i: number, context: ObjectiveContext, resources: Map<string, { kind: string }>, violations: Violation[]): void {
  const at = `occurrences[${i}]`;
  if (activity.virtual) {
    if (o.resources.length) violations.push({ rule: 'A9', path: `${at}.resources`, message: `virtual activity ${activity.id} takes no resources` });
    return;
  }
  const count = new Map<string, number>();
  const seen = new Set<string>();
  o.resources.forEach((id, k) => {
    const path = `${at}.resources[${k}]`;
    const resource = resources.get(id);
    if (!resource) return void violations.push({ rule: 'A9', path, message: `unknown resource "${id}"` });
    if (seen.has(id)) violations.push({ rule: 'A9', path, message: `${id} is listed twice` });
    seen.add(id);
    if (context.thetaOf(id, activity.id) === undefined) violations.push({ rule: 'A9', path, message: `${id} is not assignable to ${activity.id}` });
    count.set(resource.kind, (count.get(resource.kind) ?? 0) + 1);
  });
  for (const d of activity.demands) {
    const got = count.get(d.kind) ?? 0;
    if (got !== d.qty) violations.push({ rule: 'A9', path: `${at}.resources`, message: `${activity.id} needs ${d.qty} × ${d.kind}, got ${got}` });
    count.delete(d.kind);
  }
  for (const [kind, got] of count) violations.push({ rule: 'A9', path: `${at}.resources`, message: `${activity.id} demands no ${kind}, got ${got}` });
}

function checkDoubleBooking(problem: ConfigurationProblem, occurrences: readonly Occurrence[], scheduled: { index: number; start: number; end: number }[], violations: Violation[]): void {
  const uses = new Map<string, { index: number; start: number; end: number }[]>();
  for (const s of scheduled) {
    for (const r of new Set(occurrences[s.index].resources)) uses.set(r, [...(uses.get(r) ?? []), s]);
  }
  for (const [resource, list] of uses) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = list[x];
        const b = list[y];
        if (overlaps(a.start, a.end, b.start, b.end)) {
          violations.push({ rule: 'A10', path: `occurrences[${b.index}]`, message: `${resource} is already working on occurrences[${a.index}] during [${Math.max(a.start, b.start)}, ${Math.min(a.end, b.end)})` });
        }
      }
      for (const busy of problem.busy) {
        const a = list[x];
        if (busy.resource === resource && overlaps(a.start, a.end, busy.from, busy.to)) {
          violations.push({ rule: 'A10', path: `occurrences[${a.index}]`, message: `${resource} is busy during [${busy.from}, ${busy.to})` });
        }
      }
    }
  }
}
