// The closed loop's feedback (seed 004): every finished work order counts once towards the reliability of its
// activity (r_a) and of each of its resources for that activity (theta), which the next problems carry.
//
// "In time" [reading]: the paper's r_a is "completed in time / executed". A done order is in time when its executed
// duration (finished - started) is within its planned duration (end - start), the theoretical executing time t_a
// the schedule used; an order never marked in_progress is judged by its planned end instead. Failed orders count as
// executed and not in time; cancelled ones were not executed and do not count.
import { Queryable } from '../database';
import { WorkOrder } from './work-orders';

export interface ActivityRecord {
  activity: string;
  completed: number;
  completedInTime: number;
  failed: number;
  /** completed + failed */
  executed: number;
  /** completedInTime / executed; null before the first execution. */
  reliability: number | null;
  /** Mean executed duration of the completed orders (ms); null before the first completion. */
  meanDurationMs: number | null;
}

export interface ResourceRecord {
  resource: string;
  activity: string;
  inTime: number;
  total: number;
  /** inTime / total: theta of a personnel resource for this activity. */
  theta: number | null;
}

export interface ResourceTotal {
  resource: string;
  inTime: number;
  total: number;
  /** Over all activities: theta of an equipment resource (the same for every activity it serves). */
  theta: number | null;
}

export interface ObservedReliability {
  activities: ActivityRecord[];
  resources: ResourceRecord[];
  resourceTotals: ResourceTotal[];
}

/** Whether a finished order counts as completed in time (see the header). */
export function completedInTime(order: WorkOrder): boolean {
  if (order.state !== 'done' || order.finishedAt === null) return false;
  if (order.startedAt !== null) return order.finishedAt - order.startedAt <= order.endAt - order.startAt;
  return order.finishedAt <= order.endAt;
}

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

export class FeedbackRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Counts a work order that has just become done or failed. Call it in the transaction that made the
   * transition: the transition happens once (its version guard), so the counting does too.
   */
  async recordCompletion(order: WorkOrder): Promise<{ recorded: boolean }> {
    if (order.state !== 'done' && order.state !== 'failed') return { recorded: false };
    const done = order.state === 'done';
    const inTime = completedInTime(order);
    const duration = done && order.startedAt !== null && order.finishedAt !== null ? Math.max(0, order.finishedAt - order.startedAt) : 0;
    await this.db.query(
      `INSERT INTO activity_records AS a (tenant, model_id, activity, completed, completed_in_time, failed, total_duration)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant, model_id, activity) DO UPDATE SET
         completed = a.completed + EXCLUDED.completed,
         completed_in_time = a.completed_in_time + EXCLUDED.completed_in_time,
         failed = a.failed + EXCLUDED.failed,
         total_duration = a.total_duration + EXCLUDED.total_duration`,
      [order.tenant, order.modelId, order.activity, done ? 1 : 0, inTime ? 1 : 0, done ? 0 : 1, duration],
    );
    if (order.resources.length > 0) {
      await this.db.query(
        `INSERT INTO resource_records AS r (tenant, model_id, resource, activity, in_time, total)
         SELECT $1, $2, resource, $3, $4, 1 FROM (SELECT DISTINCT unnest($5::text[]) AS resource) AS assigned
         ON CONFLICT (tenant, model_id, resource, activity) DO UPDATE SET
           in_time = r.in_time + EXCLUDED.in_time,
           total = r.total + 1`,
        [order.tenant, order.modelId, order.activity, inTime ? 1 : 0, order.resources],
      );
    }
    return { recorded: true };
  }

  /** What the finished work orders of a model say so far. */
  async observed(tenant: string, modelId: string): Promise<ObservedReliability> {
    const activities = await this.db.query<{ activity: string; completed: number; completed_in_time: number; failed: number; total_duration: number }>(
      'SELECT activity, completed, completed_in_time, failed, total_duration FROM activity_records WHERE tenant = $1 AND model_id = $2 ORDER BY activity',
      [tenant, modelId],
    );
    const resources = await this.db.query<{ resource: string; activity: string; in_time: number; total: number }>(
      'SELECT resource, activity, in_time, total FROM resource_records WHERE tenant = $1 AND model_id = $2 ORDER BY resource, activity',
      [tenant, modelId],
    );
    const totals = new Map<string, { inTime: number; total: number }>();
    for (const r of resources) {
      const t = totals.get(r.resource) ?? { inTime: 0, total: 0 };
      totals.set(r.resource, { inTime: t.inTime + r.in_time, total: t.total + r.total });
    }
    return {
      activities: activities.map((a) => ({
        activity: a.activity,
        completed: a.completed,
        completedInTime: a.completed_in_time,
        failed: a.failed,
        executed: a.completed + a.failed,
        reliability: ratio(a.completed_in_time, a.completed + a.failed),
        meanDurationMs: ratio(a.total_duration, a.completed),
      })),
      resources: resources.map((r) => ({ resource: r.resource, activity: r.activity, inTime: r.in_time, total: r.total, theta: ratio(r.in_time, r.total) })),
      resourceTotals: [...totals.entries()].map(([resource, t]) => ({ resource, inTime: t.inTime, total: t.total, theta: ratio(t.inTime, t.total) })),
    };
  }
}
