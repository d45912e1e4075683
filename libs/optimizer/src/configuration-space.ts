// The search space of a ConfigurationProblem in numbers: per triggered flow the alternatives that
// meet the deadline, and per alternative the demand slots with their candidate resources. Every
// configuration algorithm works on this, and hands its answers back to the model's evaluator.
import {
  Activity,
  AlternativePlan,
  ConfigurationProblem,
  FlowPlan,
  ObjectiveContext,
  Occurrence,
  overlaps,
  planFlows,
} from '@pss/model';
import { log10Binomial, log10Sum } from './counting';

export interface Candidate {
  resource: string;
  /** Dense resource number, for conflict bookkeeping. */
  r: number;
  theta: number;
  rate: number;
}

/** One demand (kind, qty) of one occurrence: pick `qty` distinct candidates. */
export interface DemandSlot {
  kind: string;
  qty: number;
  /** Assignable resources of the kind, not busy during the occurrence, cheapest first. */
  candidates: Candidate[];
  /** Assignable resources of the kind before removing busy ones (for explaining infeasibility). */
  assignableCount: number;
}

export interface PlannedOccurrence {
  flow: number;
  activity: Activity;
  start: number;
  end: number;
  importance: number;
  slots: DemandSlot[];
}

export interface AlternativeSpace {
  plan: AlternativePlan;
  /** Non-virtual occurrences in schedule order. */
  occurrences: PlannedOccurrence[];
  /** log10 of the number of allocations of this alternative taken alone. */
  log10Allocations: number;
}

export interface FlowSpace {
  plan: FlowPlan;
  /** Alternatives that meet the deadline. */
  alternatives: AlternativeSpace[];
}

export interface ConfigurationSpace {
  problem: ConfigurationProblem;
  context: ObjectiveContext;
  flows: FlowSpace[];
  resourceIds: string[];
  /** Busy intervals per dense resource number. */
  busy: { from: number; to: number }[][];
  /** log10 of the number of complete configurations (alternatives × allocations, ignoring conflicts). */
  log10Size: number;
}

export function buildConfigurationSpace(problem: ConfigurationProblem, context = new ObjectiveContext(problem)): ConfigurationSpace {
  const model = problem.model;
  const resourceIds = model.resources.map((r) => r.id);
  const rIndex = new Map(resourceIds.map((id, i) => [id, i]));
  const kindOf = new Map(model.resources.map((r) => [r.id, r.kind]));
  const busy: { from: number; to: number }[][] = resourceIds.map(() => []);
  for (const b of problem.busy) busy[rIndex.get(b.resource)!].push({ from: b.from, to: b.to });

  const assignableTo = new Map<string, Candidate[]>();
  for (const e of model.assignable) {
    const r = rIndex.get(e.resource)!;
    const list = assignableTo.get(e.activity) ?? [];
    list.push({ resource: e.resource, r, theta: e.theta, rate: model.resources[r].costRate });
    assignableTo.set(e.activity, list);
  }
  const activities = new Map(model.activities.map((a) => [a.id, a]));

  const flows = planFlows(problem).map((plan): FlowSpace => {
    const alternatives = plan.alternatives
      .filter((alt) => alt.meetsDeadline)
      .map((alt): AlternativeSpace => {
        const occurrences = alt.schedule
          .filter((s) => !activities.get(s.activity)!.virtual)
          .map((s): PlannedOccurrence => {
            const activity = activities.get(s.activity)!;
            const slots = activity.demands.map((d): DemandSlot => {
              const ofKind = (assignableTo.get(activity.id) ?? []).filter((c) => kindOf.get(c.resource) === d.kind);
              const free = ofKind.filter((c) => !busy[c.r].some((b) => overlaps(s.start, s.end, b.from, b.to)));
              free.sort((x, y) => x.rate - y.rate || y.theta - x.theta || x.r - y.r);
              return { kind: d.kind, qty: d.qty, candidates: free, assignableCount: ofKind.length };
            });
            return { flow: plan.index, activity, start: s.start, end: s.end, importance: context.importance[activity.id] ?? 0, slots };
          });
        const log10Allocations = occurrences.reduce((sum, o) => sum + o.slots.reduce((s, slot) => s + log10Binomial(slot.candidates.length, slot.qty), 0), 0);
        return { plan: alt, occurrences, log10Allocations };
      });
    return { plan, alternatives };
  });
  const log10Size = flows.reduce((sum, f) => sum + log10Sum(f.alternatives.map((a) => a.log10Allocations)), 0);
  return { problem, context, flows, resourceIds, busy, log10Size };
}

/** Why a problem has no feasible configuration, as precisely as the space shows it. */
export function explainInfeasible(space: ConfigurationSpace): string {
  const reasons: string[] = [];
  for (const flow of space.flows) {
    const name = `${flow.plan.asset}/${flow.plan.trigger}`;
    if (flow.alternatives.length === 0) {
      const shortest = Math.min(...flow.plan.alternatives.map((a) => a.end));
      reasons.push(`flow ${name} cannot meet its deadline ${flow.plan.deadline}: its earliest possible end is ${shortest}`);
      continue;
    }
    const blocked = flow.alternatives.map((alt) => {
      for (const o of alt.occurrences) {
        for (const slot of o.slots) {
          if (slot.candidates.length < slot.qty) {
            const busyNote = slot.assignableCount > slot.candidates.length ? `, ${slot.assignableCount - slot.candidates.length} of them busy` : '';
            return `${o.activity.id} needs ${slot.qty} × ${slot.kind} during [${o.start}, ${o.end}) but ${slot.assignableCount} ${slot.assignableCount === 1 ? 'is' : 'are'} assignable${busyNote}`;
          }
        }
      }
      return undefined;
    });
    if (blocked.every((b) => b !== undefined)) reasons.push(`flow ${name}: no alternative can be staffed (${[...new Set(blocked)].join('; ')})`);
  }
  if (reasons.length) return reasons.join('; ');
  return 'every flow can be staffed alone, but no allocation avoids double-booking a resource across the triggered flows within their deadlines';
}

/** Turns a chosen alternative per flow and resources per slot into the answer's occurrences. */
export function toOccurrences(space: ConfigurationSpace, alternativeOf: readonly number[], resourcesOf: (flow: number, occurrence: number) => string[]): Occurrence[] {
  return space.flows.flatMap((flow, f) =>
    flow.alternatives[alternativeOf[f]].occurrences.map((o, k) => ({
      asset: flow.plan.asset,
      trigger: flow.plan.trigger,
      activity: o.activity.id,
      start: o.start,
      end: o.end,
      resources: resourcesOf(f, k),
    })),
  );
}
