// The configuration problem of a batch (MODEL.md section 2), built from the live state:
//
// - Time origin: the batch time (the instant the batch was claimed for solving, epoch ms). Problem times are in
//   the model's time unit relative to it: t = (epoch ms - origin) / unitMs. Nothing is scheduled before it.
// - Each event is one row of the trigger matrix. Its start is chosen by the serial placement (placement.ts): the
//   earliest time >= max(0, window start - origin) at which the flow can be staffed. Its deadline is
//   deadline - origin; a flow that cannot end by it (or whose deadline has passed: `overdue`) is planned as early
//   as it can be staffed, its row's deadline moved to that end, and it is flagged `late`.
// - Busy resources: every work order that is not finished keeps its resources busy over its planned interval
//   [start, end) (the problem's `busy` rows, A10). An order that has overrun its planned end keeps them busy for
//   one more planned duration from the origin. Only resources of this model are listed (a resource id names one
//   resource per tenant: it is its MQTT topic).
// - Reliabilities: the model's r_a and theta after the closed loop's overrides (reliabilities.ts).
import { ConfigurationProblem, Occurrence, PssModel } from '@pss/model';
import { StoredTriggerEvent, WorkOrder } from '../persistence';
import { placeFlows } from './placement';
import { ReliabilityOverride } from './reliabilities';

export interface PlannedEvent {
  eventId: string;
  asset: string;
  trigger: string;
  /** The event's window, epoch ms. */
  windowStart: number;
  deadline: number;
  /** Its row in the problem, in model time units from the origin: the chosen start and the deadline. */
  start: number;
  end: number;
  /** The deadline had passed at the origin. */
  overdue: boolean;
  /** The flow cannot end by its deadline: the row's deadline is the earliest end the crew allows. */
  late: boolean;
}

export interface BusyRow {
  resource: string;
  workOrder: string;
  from: number;
  to: number;
}

/** What turns the problem's numbers back into the live world; stored with the run (stats.plan). */
export interface PlanContext {
  originMs: number;
  timeUnit: string;
  unitMs: number;
  modelId: string;
  modelVersion: number;
  events: PlannedEvent[];
  busy: BusyRow[];
  overrides: ReliabilityOverride[];
}

export interface ProblemInput {
  name: string;
  modelId: string;
  modelVersion: number;
  /** The model with the observed reliabilities applied. */
  model: PssModel;
  unitMs: number;
  events: readonly StoredTriggerEvent[];
  activeOrders: readonly WorkOrder[];
  originMs: number;
  overrides: ReliabilityOverride[];
}

export interface BuiltProblem {
  problem: ConfigurationProblem;
  context: PlanContext;
  /** The placement's own solution: feasible by construction (every flow staffed at its start). */
  witness: Occurrence[];
  /** Events no alternative of whose flow can ever be staffed with this model: not in the problem. */
  unstaffable: { eventId: string; reason: string }[];
}

export function buildProblem(input: ProblemInput): BuiltProblem {
  const { model, unitMs, originMs } = input;
  const units = (ms: number): number => ms / unitMs;

  const resources = new Set(model.resources.map((r) => r.id));
  const busy: BusyRow[] = [];
  for (const order of input.activeOrders) {
    const overrun = order.endAt <= originMs;
    const from = overrun ? 0 : Math.max(0, units(order.startAt - originMs));
    const to = overrun ? units(order.endAt - order.startAt) : units(order.endAt - originMs);
    if (!(to > from)) continue;
    for (const resource of order.resources) if (resources.has(resource)) busy.push({ resource, workOrder: order.id, from, to });
  }

  const events = [...input.events].sort((a, b) => a.firedAt - b.firedAt || a.eventId.localeCompare(b.eventId));
  const flows = events.map((e) => ({
    key: e.eventId,
    asset: e.asset,
    trigger: e.trigger,
    earliest: Math.max(0, units(e.windowStart - originMs)),
    deadline: units(e.deadline - originMs),
  }));
  const placements = new Map(placeFlows(model, flows, busy).map((p) => [p.key, p]));

  const planned: PlannedEvent[] = [];
  const witness: Occurrence[] = [];
  const unstaffable: BuiltProblem['unstaffable'] = [];
  flows.forEach((flow, i) => {
    const placement = placements.get(flow.key)!;
    const e = events[i];
    if (!placement.placed) {
      unstaffable.push({ eventId: e.eventId, reason: `flow ${e.trigger} of asset "${e.asset}" cannot be staffed: ${placement.reason}` });
      return;
    }
    witness.push(...placement.occurrences);
    planned.push({
      eventId: e.eventId,
      asset: e.asset,
      trigger: e.trigger,
      windowStart: e.windowStart,
      deadline: e.deadline,
      start: placement.start,
      end: placement.late ? Math.max(flow.deadline, placement.end) : flow.deadline,
      overdue: flow.deadline < flow.earliest,
      late: placement.late,
    });
  });

  const problem: ConfigurationProblem = {
    apiVersion: 'pss/v1',
    kind: 'ConfigurationProblem',
    name: input.name,
    model,
    triggered: planned.map((e) => ({ asset: e.asset, trigger: e.trigger, at: 0, start: e.start, deadline: e.end })),
    busy: busy.map((b) => ({ resource: b.resource, from: b.from, to: b.to })),
    reliabilityObjective: 'importance-weighted',
  };
  return {
    problem,
    context: { originMs, timeUnit: model.timeUnit, unitMs, modelId: input.modelId, modelVersion: input.modelVersion, events: planned, busy, overrides: input.overrides },
    witness,
    unstaffable,
  };
}
