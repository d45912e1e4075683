// Work orders: one occurrence of a service activity of an approved run, for its resources. Created once per
// (run, event, activity, occurrence) however often the dispatch runs; changed only by optimistic transitions
// (`WHERE version = $v AND state = $from`), each logged in work_order_history under its new version.
import { Queryable, toJson } from '../database';
import { isUuid } from '../ids';
import { WorkOrderState, canTransitionWorkOrder } from '../work-order-states';

export interface WorkOrder {
  tenant: string;
  id: string;
  runId: string;
  eventId: string;
  modelId: string;
  asset: string;
  trigger: string;
  activity: string;
  occurrence: number;
  startAt: number;
  endAt: number;
  resources: string[];
  state: WorkOrderState;
  version: number;
  note: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** One occurrence of the chosen solution, for the trigger event it serves. */
export interface PlannedOccurrence {
  eventId: string;
  activity: string;
  /** Distinguishes repeated occurrences of one activity for one event (default 0). */
  occurrence?: number;
  startAt: number;
  endAt: number;
  resources: string[];
  note?: string;
}

/** Why an occurrence's event cannot be planned by the run (an event planned by another run is in another batch). */
export type EventRefusal = 'unknown-event' | 'not-in-run-batch' | 'closed';

export type CreateWorkOrdersResult =
  | {
      ok: true;
      /** Work orders this call created (state planned, version 0). */
      created: WorkOrder[];
      /** Occurrences that had their work order already (a repeated dispatch). */
      existing: number;
      /** Occurrences left out because their event cannot be planned by this run. */
      refused: { eventId: string; reason: EventRefusal }[];
    }
  | { ok: false; reason: 'run-not-found' | 'run-not-approved' };

export interface TransitionRequest {
  /** The version the caller saw (a progress report's `version`). */
  version: number;
  from: WorkOrderState;
  to: WorkOrderState;
  /** Who: a resource id, a user, "system". */
  actor: string;
  at: number;
  note?: string;
  /** When set, the order must be assigned to this resource (a technician moves only its own orders). */
  resource?: string;
}

export type TransitionResult =
  | { ok: true; order: WorkOrder }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'invalid-transition'; order: WorkOrder }
  | { ok: false; reason: 'not-assigned'; order: WorkOrder }
  /** The same transition was applied before (a redelivered report): nothing changed, nothing to do. */
  | { ok: false; reason: 'already-applied'; order: WorkOrder }
  /** Someone else moved the order first: `order` is what it is now. */
  | { ok: false; reason: 'stale'; order: WorkOrder };

export interface WorkOrderRow {
  tenant: string;
  id: string;
  run_id: string;
  event_id: string;
  model_id: string;
  asset: string;
  trigger: string;
  activity: string;
  occurrence: number;
  start_at: number;
  end_at: number;
  resources: string[];
  state: WorkOrderState;
  version: number;
  note: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export const WORK_ORDER_COLUMNS =
  'tenant, id, run_id, event_id, model_id, asset, trigger, activity, occurrence, start_at, end_at, resources, state, version, note, created_at, updated_at, started_at, finished_at';

export function toWorkOrder(row: WorkOrderRow): WorkOrder {
  return {
    tenant: row.tenant,
    id: row.id,
    runId: row.run_id,
    eventId: row.event_id,
    modelId: row.model_id,
    asset: row.asset,
    trigger: row.trigger,
    activity: row.activity,
    occurrence: row.occurrence,
    startAt: row.start_at,
    endAt: row.end_at,
    resources: row.resources,
    state: row.state,
    version: row.version,
    note: row.note,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export interface WorkOrderHistoryEntry {
  version: number;
  from: WorkOrderState | null;
  to: WorkOrderState;
  actor: string;
  at: number;
  note: string | null;
}

export class WorkOrderRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Creates the work orders of an approved run. First the run plans the events the occurrences serve (an event
   * is planned by one run only, and only by the run of its own batch); then one INSERT ... ON CONFLICT DO NOTHING
   * creates the orders that do not exist yet and returns them. Asset and trigger come from the event itself.
   * Run it in a transaction so the planning and the orders commit together.
   */
  async createForRun(
    tenant: string,
    runId: string,
    modelId: string,
    occurrences: PlannedOccurrence[],
    at: number,
    actor = 'system',
  ): Promise<CreateWorkOrdersResult> {
    if (!isUuid(runId)) return { ok: false, reason: 'run-not-found' };
    // Locking the run makes concurrent dispatches of it take turns (inside a transaction): the second finds the
    // events planned and every order existing, instead of the two locking the events in different orders.
    const run = await this.db.query<{ state: string }>('SELECT state FROM configuration_runs WHERE tenant = $1 AND id = $2 FOR NO KEY UPDATE', [
      tenant,
      runId,
    ]);
    if (run.length === 0) return { ok: false, reason: 'run-not-found' };
    if (run[0].state !== 'approved') return { ok: false, reason: 'run-not-approved' };

    const eventIds = [...new Set(occurrences.map((o) => o.eventId))].sort();
    await this.db.query(
      `UPDATE trigger_events e SET planned_run = r.id, state = 'planned'
       FROM configuration_runs r
       WHERE r.tenant = $1 AND r.id = $2 AND e.tenant = r.tenant AND e.batch_id = r.batch_id
         AND e.event_id = ANY($3::text[]) AND e.planned_run IS NULL AND e.state = 'open'`,
      [tenant, runId, eventIds],
    );
    const events = await this.db.query<{ event_id: string; planned_run: string | null; state: string; in_batch: boolean }>(
      `SELECT e.event_id, e.planned_run, e.state, (e.batch_id IS NOT DISTINCT FROM r.batch_id) AS in_batch
       FROM trigger_events e JOIN configuration_runs r ON r.tenant = e.tenant AND r.id = $2
       WHERE e.tenant = $1 AND e.event_id = ANY($3::text[])`,
      [tenant, runId, eventIds],
    );
    const byId = new Map(events.map((e) => [e.event_id, e]));
    const refused: { eventId: string; reason: EventRefusal }[] = [];
    const plannable = new Set<string>();
    for (const eventId of eventIds) {
      const event = byId.get(eventId);
      if (event === undefined) refused.push({ eventId, reason: 'unknown-event' });
      else if (event.planned_run === runId) plannable.add(eventId);
      else if (!event.in_batch) refused.push({ eventId, reason: 'not-in-run-batch' });
      else if (event.state === 'closed') refused.push({ eventId, reason: 'closed' });
      // In the run's batch, not closed, yet not planned by it: the schema allows one run per batch, so never.
      else throw new Error(`event ${tenant}/${eventId} is in the batch of run ${runId} but was not planned by it (planned_run ${event.planned_run})`);
    }

    const wanted = occurrences
      .filter((o) => plannable.has(o.eventId))
      .map((o) => ({
        event_id: o.eventId,
        activity: o.activity,
        occurrence: o.occurrence ?? 0,
        start_at: o.startAt,
        end_at: o.endAt,
        resources: o.resources,
        note: o.note ?? null,
      }));
    if (wanted.length === 0) return { ok: true, created: [], existing: 0, refused };
    const created = await this.db.query<WorkOrderRow>(
      `WITH created AS (
         INSERT INTO work_orders (tenant, run_id, event_id, model_id, asset, trigger, activity, occurrence, start_at, end_at, resources, note,
           created_at, updated_at)
         SELECT $1, $2, o.event_id, $3, e.asset, e.trigger, o.activity, o.occurrence, o.start_at, o.end_at, o.resources, o.note, $5, $5
         FROM jsonb_to_recordset($4::jsonb)
           AS o(event_id text, activity text, occurrence integer, start_at bigint, end_at bigint, resources text[], note text)
         JOIN trigger_events e ON e.tenant = $1 AND e.event_id = o.event_id
         ON CONFLICT (tenant, run_id, event_id, activity, occurrence) DO NOTHING
         RETURNING ${WORK_ORDER_COLUMNS}
       ), logged AS (
         INSERT INTO work_order_history (tenant, work_order, version, from_state, to_state, actor, at)
         SELECT tenant, id, version, NULL, state, $6, $5 FROM created
       )
       SELECT ${WORK_ORDER_COLUMNS} FROM created ORDER BY event_id, start_at, activity, occurrence`,
      [tenant, runId, modelId, toJson(wanted), at, actor],
    );
    return { ok: true, created: created.map(toWorkOrder), existing: wanted.length - created.length, refused };
  }

  /**
   * Moves a work order from (version, from) to `to`: one UPDATE guarded by version and state, so of two
   * concurrent transitions from the same version exactly one succeeds; the history entry is written by the same
   * statement. Entering in_progress stamps started_at; a final state stamps finished_at.
   */
  async transition(tenant: string, id: string, request: TransitionRequest): Promise<TransitionResult> {
    if (!canTransitionWorkOrder(request.from, request.to)) {
      const current = await this.get(tenant, id);
      return current === null ? { ok: false, reason: 'not-found' } : { ok: false, reason: 'invalid-transition', order: current };
    }
    const rows = await this.db.query<WorkOrderRow>(
      `WITH moved AS (
         UPDATE work_orders SET state = $5, version = version + 1, updated_at = $6, note = coalesce($7, note),
           started_at = CASE WHEN $5 = 'in_progress' THEN $6 ELSE started_at END,
           finished_at = CASE WHEN $5 IN ('done', 'failed', 'cancelled') THEN $6 ELSE finished_at END
         WHERE tenant = $1 AND id = $2 AND version = $3 AND state = $4 AND ($9::text IS NULL OR $9 = ANY(resources))
         RETURNING ${WORK_ORDER_COLUMNS}
       ), logged AS (
         INSERT INTO work_order_history (tenant, work_order, version, from_state, to_state, actor, at, note)
         SELECT tenant, id, version, $4, state, $8, $6, $7 FROM moved
       )
       SELECT ${WORK_ORDER_COLUMNS} FROM moved`,
      [tenant, id, request.version, request.from, request.to, request.at, request.note ?? null, request.actor, request.resource ?? null],
    );
    if (rows.length === 1) return { ok: true, order: toWorkOrder(rows[0]) };

    const current = await this.get(tenant, id);
    if (current === null) return { ok: false, reason: 'not-found' };
    if (request.resource !== undefined && !current.resources.includes(request.resource)) return { ok: false, reason: 'not-assigned', order: current };
    if (current.version === request.version + 1 && current.state === request.to) return { ok: false, reason: 'already-applied', order: current };
    return { ok: false, reason: 'stale', order: current };
  }

  async get(tenant: string, id: string): Promise<WorkOrder | null> {
    const rows = await this.db.query<WorkOrderRow>(`SELECT ${WORK_ORDER_COLUMNS} FROM work_orders WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return rows.length === 1 ? toWorkOrder(rows[0]) : null;
  }

  async listByRun(tenant: string, runId: string): Promise<WorkOrder[]> {
    if (!isUuid(runId)) return [];
    const rows = await this.db.query<WorkOrderRow>(
      `SELECT ${WORK_ORDER_COLUMNS} FROM work_orders WHERE tenant = $1 AND run_id = $2 ORDER BY event_id, start_at, activity, occurrence`,
      [tenant, runId],
    );
    return rows.map(toWorkOrder);
  }

  async listByEvent(tenant: string, eventId: string): Promise<WorkOrder[]> {
    const rows = await this.db.query<WorkOrderRow>(
      `SELECT ${WORK_ORDER_COLUMNS} FROM work_orders WHERE tenant = $1 AND event_id = $2 ORDER BY start_at, activity, occurrence`,
      [tenant, eventId],
    );
    return rows.map(toWorkOrder);
  }

  /** A resource's orders, oldest planned start first; by default only those not finished. */
  async listForResource(tenant: string, resource: string, options: { includeFinished?: boolean } = {}): Promise<WorkOrder[]> {
    const rows = await this.db.query<WorkOrderRow>(
      `SELECT ${WORK_ORDER_COLUMNS} FROM work_orders
       WHERE tenant = $1 AND resources @> ARRAY[$2::text] AND ($3 OR state NOT IN ('done', 'failed', 'cancelled'))
       ORDER BY start_at, id`,
      [tenant, resource, options.includeFinished === true],
    );
    return rows.map(toWorkOrder);
  }

  async history(tenant: string, id: string): Promise<WorkOrderHistoryEntry[]> {
    const rows = await this.db.query<{ version: number; from_state: WorkOrderState | null; to_state: WorkOrderState; actor: string; at: number; note: string | null }>(
      'SELECT version, from_state, to_state, actor, at, note FROM work_order_history WHERE tenant = $1 AND work_order = $2 ORDER BY version',
      [tenant, id],
    );
    return rows.map((r) => ({ version: r.version, from: r.from_state, to: r.to_state, actor: r.actor, at: r.at, note: r.note }));
  }
}
