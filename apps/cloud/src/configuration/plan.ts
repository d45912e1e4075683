// A solution of a run in the live world: its occurrences as work orders to create (epoch ms, per event) and as
// Gantt rows for the dashboard. Reads what a run stores: the front (ParetoFront JSON) and stats.plan (PlanContext).
import { ConfigurationFront, ConfigurationSolution } from '@pss/model';
import { ConfigurationRun, PlannedOccurrence } from '../persistence';
import { PlanContext } from './problem';

/** What the configuration service stores as a run's stats. */
export interface RunStats {
  optimizer: Record<string, unknown> | null;
  plan: PlanContext;
  /** Activities of the model that are virtual: kept out of work orders. */
  virtualActivities: string[];
  /** Events the batch held that this run does not plan (another model's, parked as unplanned). */
  deferred: { eventId: string; reason: string }[];
}

export interface GanttRow {
  eventId: string;
  asset: string;
  trigger: string;
  activity: string;
  resources: string[];
  /** Epoch ms, [start, end). */
  start: number;
  end: number;
}

export function isRunStats(value: unknown): value is RunStats {
  if (typeof value !== 'object' || value === null) return false;
  const plan = (value as { plan?: unknown }).plan;
  return typeof plan === 'object' && plan !== null && typeof (plan as { originMs?: unknown }).originMs === 'number';
}

export function runStats(run: ConfigurationRun): RunStats {
  if (!isRunStats(run.stats)) throw new Error(`run ${run.id} has no plan context in its stats`);
  return run.stats;
}

export function runFront(run: ConfigurationRun): ConfigurationFront | null {
  const front = run.front as ConfigurationFront | null;
  return front !== null && typeof front === 'object' && Array.isArray(front.solutions) ? front : null;
}

/** The solution's non-virtual occurrences, in epoch ms, each with the event it serves. */
export function ganttOf(solution: ConfigurationSolution, stats: RunStats): GanttRow[] {
  const { originMs, unitMs, events } = stats.plan;
  const eventOf = new Map(events.map((e) => [`${e.asset}\u0000${e.trigger}`, e.eventId]));
  const virtual = new Set(stats.virtualActivities);
  const rows: GanttRow[] = [];
  for (const o of solution.occurrences) {
    if (virtual.has(o.activity)) continue;
    const eventId = eventOf.get(`${o.asset}\u0000${o.trigger}`);
    if (eventId === undefined) throw new Error(`occurrence of ${o.activity} for ${o.asset}/${o.trigger}: no event of the run has that asset and trigger`);
    rows.push({
      eventId,
      asset: o.asset,
      trigger: o.trigger,
      activity: o.activity,
      resources: [...o.resources],
      start: originMs + Math.round(o.start * unitMs),
      end: originMs + Math.round(o.end * unitMs),
    });
  }
  return rows.sort((a, b) => a.start - b.start || a.asset.localeCompare(b.asset) || a.activity.localeCompare(b.activity));
}

/** The work orders a solution asks for, and the events it gives no work (all their activities virtual). */
export function occurrencesOf(solution: ConfigurationSolution, stats: RunStats): { occurrences: PlannedOccurrence[]; withoutWork: string[] } {
  const rows = ganttOf(solution, stats);
  const occurrences = rows.map((r) => ({ eventId: r.eventId, activity: r.activity, occurrence: 0, startAt: r.start, endAt: r.end, resources: r.resources }));
  const served = new Set(rows.map((r) => r.eventId));
  return { occurrences, withoutWork: stats.plan.events.map((e) => e.eventId).filter((id) => !served.has(id)) };
}
