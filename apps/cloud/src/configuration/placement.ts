// When each triggered flow of a batch starts.
//
// MODEL.md section 2 schedules without waiting: a flow starts exactly at its row's `start`, and its activities
// follow back to back. Rows that all start at the batch origin would need every flow staffed at once, so a batch
// of more events than there are people would have no feasible solution at all. The pipeline therefore chooses the
// starts, by a serial schedule (earliest deadline first): each flow starts at the earliest time, not before its
// window start, at which one of its alternatives can be staffed with qualified resources that are free (busy
// intervals of open work orders and the flows placed before it taken into account); of its alternatives, the one
// that ends first within the deadline (else the one that ends first: the flow is `late`).
//
// The placement is also a feasible solution (the "witness"): the optimizer then chooses alternatives and
// resources for these starts, and the witness joins its front, so a batch whose flows can all be staffed always
// has a solution. A flow none of whose alternatives can ever be staffed (an activity needs more qualified
// resources of a kind than the model has) cannot be planned at all.
import { Activity, Occurrence, PssModel, alternatives, overlaps, scheduleBody } from '@pss/model';

/** Margin after a blocking interval's end (model time units): float sums of activity times never touch it. */
export const START_GAP = 1e-6;

export interface FlowToPlace {
  key: string;
  asset: string;
  trigger: string;
  /** Earliest start and deadline, model time units from the origin. */
  earliest: number;
  deadline: number;
}

export interface BusyInterval {
  resource: string;
  from: number;
  to: number;
}

export type Placement =
  | { key: string; placed: true; start: number; end: number; late: boolean; occurrences: Occurrence[] }
  | { key: string; placed: false; reason: string };

interface Interval {
  from: number;
  to: number;
}

interface Candidate {
  resource: string;
  theta: number;
  costRate: number;
}

export function placeFlows(model: PssModel, flows: readonly FlowToPlace[], busy: readonly BusyInterval[]): Placement[] {
  const activities = new Map<string, Activity>(model.activities.map((a) => [a.id, a]));
  const resources = new Map(model.resources.map((r) => [r.id, r]));
  const bodies = new Map(model.flows.map((f) => [f.trigger, f.body]));
  const candidatesOf = new Map<string, Candidate[]>();
  for (const edge of model.assignable) {
    const resource = resources.get(edge.resource)!;
    const list = candidatesOf.get(edge.activity) ?? [];
    list.push({ resource: edge.resource, theta: edge.theta, costRate: resource.costRate });
    candidatesOf.set(edge.activity, list);
  }
  // The most reliable first, then the cheapest: the witness is a sensible plan, not only a feasible one.
  for (const list of candidatesOf.values()) list.sort((a, b) => b.theta - a.theta || a.costRate - b.costRate || a.resource.localeCompare(b.resource));
  const kindOf = (resource: string): string => resources.get(resource)!.kind;

  const occupied = new Map<string, Interval[]>();
  const occupy = (resource: string, interval: Interval): void => {
    const list = occupied.get(resource) ?? [];
    list.push(interval);
    occupied.set(resource, list);
  };
  for (const b of busy) occupy(b.resource, { from: b.from, to: b.to });
  const isFree = (resource: string, from: number, to: number, local: Map<string, Interval[]>): boolean =>
    ![...(occupied.get(resource) ?? []), ...(local.get(resource) ?? [])].some((i) => overlaps(from, to, i.from, i.to));

  const order = [...flows].sort((a, b) => a.deadline - b.deadline || a.earliest - b.earliest || a.key.localeCompare(b.key));
  const placements = new Map<string, Placement>();
  for (const flow of order) {
    const body = bodies.get(flow.trigger);
    if (body === undefined) {
      placements.set(flow.key, { key: flow.key, placed: false, reason: `the model has no flow for trigger "${flow.trigger}"` });
      continue;
    }
    let best: { start: number; end: number; occurrences: Occurrence[]; alternative: string[] } | null = null;
    let reason = '';
    for (const alternative of alternatives(body)) {
      const schedule = scheduleBody(body, new Set(alternative), 0, (id) => activities.get(id)!.time);
      const work = schedule.occurrences.filter((o) => !activities.get(o.activity)!.virtual);
      const missing = unstaffable(work.map((o) => activities.get(o.activity)!), candidatesOf, kindOf);
      if (missing !== null) {
        reason = missing;
        continue;
      }
      for (const start of candidateStarts(flow.earliest, work, occupied)) {
        const occurrences = assign(flow, work, start, activities, candidatesOf, kindOf, isFree);
        if (occurrences === null) continue;
        const end = start + schedule.end;
        const meets = (e: number): boolean => e <= flow.deadline;
        if (best === null || (meets(end) && !meets(best.end)) || (meets(end) === meets(best.end) && end < best.end)) best = { start, end, occurrences, alternative };
        break;
      }
    }
    if (best === null) {
      placements.set(flow.key, { key: flow.key, placed: false, reason });
      continue;
    }
    // The times exactly as every evaluator computes them from this start (the same float sums).
    const exact = scheduleBody(body, new Set(best.alternative), best.start, (id) => activities.get(id)!.time);
    const timeOf = new Map(exact.occurrences.map((o) => [o.activity, o]));
    const occurrences = best.occurrences.map((o) => ({ ...o, start: timeOf.get(o.activity)!.start, end: timeOf.get(o.activity)!.end }));
    for (const o of occurrences) for (const r of o.resources) occupy(r, { from: o.start, to: o.end });
    placements.set(flow.key, { key: flow.key, placed: true, start: best.start, end: exact.end, late: exact.end > flow.deadline, occurrences });
  }
  return flows.map((f) => placements.get(f.key)!);
}

/** Why no assignment can ever staff these activities, or null. */
function unstaffable(work: readonly Activity[], candidatesOf: Map<string, Candidate[]>, kindOf: (r: string) => string): string | null {
  for (const activity of work) {
    for (const demand of activity.demands) {
      const qualified = (candidatesOf.get(activity.id) ?? []).filter((c) => kindOf(c.resource) === demand.kind).length;
      if (qualified < demand.qty) return `activity "${activity.id}" needs ${demand.qty} of ${demand.kind}, the model assigns ${qualified}`;
    }
  }
  return null;
}

/**
 * The starts worth trying, ascending: the earliest, and every start at which an occurrence would begin just after a
 * blocking interval ends (feasibility only changes there).
 */
function candidateStarts(earliest: number, work: readonly { start: number }[], occupied: Map<string, Interval[]>): number[] {
  const starts = new Set<number>([earliest]);
  for (const intervals of occupied.values()) {
    for (const interval of intervals) {
      for (const o of work) {
        const t = interval.to - o.start + START_GAP;
        if (t > earliest) starts.add(t);
      }
    }
  }
  return [...starts].sort((a, b) => a - b);
}

function assign(
  flow: FlowToPlace,
  work: readonly { activity: string; start: number; end: number }[],
  start: number,
  activities: Map<string, Activity>,
  candidatesOf: Map<string, Candidate[]>,
  kindOf: (r: string) => string,
  isFree: (resource: string, from: number, to: number, local: Map<string, Interval[]>) => boolean,
): Occurrence[] | null {
  const local = new Map<string, Interval[]>();
  const occurrences: Occurrence[] = [];
  for (const o of work) {
    const from = start + o.start;
    const to = start + o.end;
    const chosen: string[] = [];
    for (const demand of activities.get(o.activity)!.demands) {
      const free = (candidatesOf.get(o.activity) ?? []).filter((c) => kindOf(c.resource) === demand.kind && !chosen.includes(c.resource) && isFree(c.resource, from, to, local));
      if (free.length < demand.qty) return null;
      chosen.push(...free.slice(0, demand.qty).map((c) => c.resource));
    }
    for (const r of chosen) local.set(r, [...(local.get(r) ?? []), { from, to }]);
    occurrences.push({ asset: flow.asset, trigger: flow.trigger, activity: o.activity, start: from, end: to, resources: chosen });
  }
  return occurrences;
}
