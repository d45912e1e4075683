// The no-wait schedule (MODEL.md section 2) and, per triggered flow, its alternatives with their
// schedules: everything about a solution that does not depend on the resources chosen.
import { Activity, ConfigurationProblem, FlowBody } from './types';
import { alternatives, blockOf } from './flow-body';

export interface ScheduledActivity {
  activity: string;
  start: number;
  end: number;
}

/**
 * Schedules the chosen alternative of a body from `start`: seq children one after another, and
 * children all at the block start (the block ends with the latest), xor the branch holding the
 * chosen activities. Returns the occurrences in schedule order and the body's end.
 */
export function scheduleBody(body: FlowBody, chosen: ReadonlySet<string>, start: number, timeOf: (activity: string) => number): { occurrences: ScheduledActivity[]; end: number } {
  const occurrences: ScheduledActivity[] = [];
  const visit = (b: FlowBody, t: number): number => {
    const block = blockOf(b);
    if (!block) {
      const end = t + timeOf(b as string);
      occurrences.push({ activity: b as string, start: t, end });
      return end;
    }
    if (block.kind === 'seq') return block.children.reduce((at, child) => visit(child, at), t);
    if (block.kind === 'and') return block.children.reduce((latest, child) => Math.max(latest, visit(child, t)), t);
    const branch = block.children.find((child) => containsChosen(child, chosen));
    if (!branch) throw new Error(`no branch of a selective block holds a chosen activity (${[...chosen].join(', ')})`);
    return visit(branch, t);
  };
  const end = visit(body, start);
  return { occurrences, end };
}

function containsChosen(body: FlowBody, chosen: ReadonlySet<string>): boolean {
  const block = blockOf(body);
  return block ? block.children.some((c) => containsChosen(c, chosen)) : chosen.has(body as string);
}

export interface AlternativePlan {
  /** The alternative's activities, sorted (virtual ones included). */
  activities: string[];
  /** Every activity of the alternative with its absolute interval, in schedule order. */
  schedule: ScheduledActivity[];
  end: number;
  /** A8: the flow ends by its deadline. */
  meetsDeadline: boolean;
  /** T contribution: Σ t_a over the non-virtual occurrences. */
  time: number;
}

export interface FlowPlan {
  index: number;
  asset: string;
  trigger: string;
  start: number;
  deadline: number;
  body: FlowBody;
  alternatives: AlternativePlan[];
}

/** Tolerance for comparing times computed by summing floats against deadlines and given times. */
export const TIME_EPSILON = 1e-9;

export function planFlows(problem: ConfigurationProblem): FlowPlan[] {
  const activities = new Map<string, Activity>(problem.model.activities.map((a) => [a.id, a]));
  const bodies = new Map(problem.model.flows.map((f) => [f.trigger, f.body]));
  const timeOf = (id: string) => activities.get(id)!.time;
  return problem.triggered.map((row, index) => {
    const body = bodies.get(row.trigger)!;
    const plans = alternatives(body).map((set): AlternativePlan => {
      const { occurrences, end } = scheduleBody(body, new Set(set), row.start, timeOf);
      const time = occurrences.reduce((sum, o) => sum + (activities.get(o.activity)!.virtual ? 0 : timeOf(o.activity)), 0);
      return { activities: set, schedule: occurrences, end, meetsDeadline: end <= row.deadline + TIME_EPSILON, time };
    });
    return { index, asset: row.asset, trigger: row.trigger, start: row.start, deadline: row.deadline, body, alternatives: plans };
  });
}

/** Half-open intervals [s1,e1) and [s2,e2) overlap iff s1 < e2 and s2 < e1; zero-length ones overlap nothing. */
export function overlaps(s1: number, e1: number, s2: number, e2: number): boolean {
  return e1 > s1 && e2 > s2 && s1 < e2 && s2 < e1;
}
