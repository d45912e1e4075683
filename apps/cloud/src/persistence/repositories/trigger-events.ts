// Trigger events: the firings the gateways report (and the planners enter by hand), stored once each, then
// batched, planned by one run, and closed.
import { TriggerEvent } from '@pss/protocol';
import { Queryable, toJson } from '../database';

export const TRIGGER_EVENT_STATES = ['open', 'planned', 'closed'] as const;
export type TriggerEventState = (typeof TRIGGER_EVENT_STATES)[number];
export type TriggerEventSource = 'edge' | 'manual';

export interface NewTriggerEvent {
  tenant: string;
  eventId: string;
  gateway: string;
  asset: string;
  trigger: string;
  firedAt: number;
  windowStart: number;
  deadline: number;
  values: Record<string, number>;
  windowValues: Record<string, number> | null;
  source: TriggerEventSource;
  receivedAt: number;
}

export interface StoredTriggerEvent extends NewTriggerEvent {
  state: TriggerEventState;
  batchId: string | null;
  plannedRun: string | null;
  closedAt: number | null;
}

/** What happened to an event offered for storage. Either way it is durable: the gateway may be acknowledged. */
export type InsertEventResult =
  | { inserted: true }
  /** Stored before (a redelivery). */
  | { inserted: false; reason: 'duplicate' }
  /** The asset's service for this trigger is still open under another event id: not stored. */
  | { inserted: false; reason: 'open-event-exists'; openEventId: string };

interface TriggerEventRow {
  tenant: string;
  event_id: string;
  gateway: string;
  asset: string;
  trigger: string;
  fired_at: number;
  window_start: number;
  deadline: number;
  event_values: Record<string, number>;
  window_values: Record<string, number> | null;
  source: TriggerEventSource;
  state: TriggerEventState;
  batch_id: string | null;
  planned_run: string | null;
  received_at: number;
  closed_at: number | null;
}

export const TRIGGER_EVENT_COLUMNS =
  'tenant, event_id, gateway, asset, trigger, fired_at, window_start, deadline, event_values, window_values, source, state, batch_id, planned_run, received_at, closed_at';

export function toTriggerEvent(row: TriggerEventRow): StoredTriggerEvent {
  return {
    tenant: row.tenant,
    eventId: row.event_id,
    gateway: row.gateway,
    asset: row.asset,
    trigger: row.trigger,
    firedAt: row.fired_at,
    windowStart: row.window_start,
    deadline: row.deadline,
    values: row.event_values,
    windowValues: row.window_values,
    source: row.source,
    state: row.state,
    batchId: row.batch_id,
    plannedRun: row.planned_run,
    receivedAt: row.received_at,
    closedAt: row.closed_at,
  };
}

/** A protocol trigger event as the cloud stores it. */
export function fromProtocolEvent(event: TriggerEvent, receivedAt: number): NewTriggerEvent {
  return {
    tenant: event.tenant,
    eventId: event.id,
    gateway: event.gateway,
    asset: event.asset,
    trigger: event.trigger,
    firedAt: event.time,
    windowStart: event.window.start,
    deadline: event.window.deadline,
    values: event.values,
    windowValues: event.windowValues ?? null,
    source: 'edge',
    receivedAt,
  };
}

export class TriggerEventRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Insert-or-ignore on (tenant, event id). ON CONFLICT without a target also covers the one-open-per-asset-and-
   * trigger index; which of the two refused the row is read afterwards.
   */
  async insertIfNew(event: NewTriggerEvent): Promise<InsertEventResult> {
    // A refusal by the open-service index whose open event closes before we look is rare; looking again settles it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.db.query<{ event_id: string }>(
        `INSERT INTO trigger_events (tenant, event_id, gateway, asset, trigger, fired_at, window_start, deadline, event_values,
           window_values, source, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12)
         ON CONFLICT DO NOTHING
         RETURNING event_id`,
        [
          event.tenant,
          event.eventId,
          event.gateway,
          event.asset,
          event.trigger,
          event.firedAt,
          event.windowStart,
          event.deadline,
          toJson(event.values),
          event.windowValues === null ? null : toJson(event.windowValues),
          event.source,
          event.receivedAt,
        ],
      );
      if (inserted.length === 1) return { inserted: true };
      const same = await this.db.query<{ event_id: string }>('SELECT event_id FROM trigger_events WHERE tenant = $1 AND event_id = $2', [
        event.tenant,
        event.eventId,
      ]);
      if (same.length === 1) return { inserted: false, reason: 'duplicate' };
      const open = await this.db.query<{ event_id: string }>(
        `SELECT event_id FROM trigger_events WHERE tenant = $1 AND asset = $2 AND trigger = $3 AND state <> 'closed'`,
        [event.tenant, event.asset, event.trigger],
      );
      if (open.length === 1) return { inserted: false, reason: 'open-event-exists', openEventId: open[0].event_id };
    }
    throw new Error(`trigger event ${event.tenant}/${event.eventId} was neither stored nor found after 3 attempts`);
  }

  async get(tenant: string, eventId: string): Promise<StoredTriggerEvent | null> {
    const rows = await this.db.query<TriggerEventRow>(`SELECT ${TRIGGER_EVENT_COLUMNS} FROM trigger_events WHERE tenant = $1 AND event_id = $2`, [
      tenant,
      eventId,
    ]);
    return rows.length === 1 ? toTriggerEvent(rows[0]) : null;
  }

  async listByBatch(tenant: string, batchId: string): Promise<StoredTriggerEvent[]> {
    const rows = await this.db.query<TriggerEventRow>(
      `SELECT ${TRIGGER_EVENT_COLUMNS} FROM trigger_events WHERE tenant = $1 AND batch_id = $2 ORDER BY fired_at, event_id`,
      [tenant, batchId],
    );
    return rows.map(toTriggerEvent);
  }

  /** Events not closed yet (open or planned), oldest first. */
  async listOpen(tenant: string): Promise<StoredTriggerEvent[]> {
    const rows = await this.db.query<TriggerEventRow>(
      `SELECT ${TRIGGER_EVENT_COLUMNS} FROM trigger_events WHERE tenant = $1 AND state <> 'closed' ORDER BY fired_at, event_id`,
      [tenant],
    );
    return rows.map(toTriggerEvent);
  }

  /**
   * Closes the event's service, and for an edge event records the close command owed to its gateway, in one
   * statement. Closing a closed event changes nothing ({closed: false}).
   */
  async close(tenant: string, eventId: string, at: number): Promise<{ closed: boolean; closeCommandQueued: boolean }> {
    const rows = await this.db.query<{ closed: number; queued: number }>(
      `WITH closed AS (
         UPDATE trigger_events SET state = 'closed', closed_at = $3
         WHERE tenant = $1 AND event_id = $2 AND state <> 'closed'
         RETURNING tenant, gateway, event_id, asset, trigger, closed_at, source
       ), queued AS (
         INSERT INTO pending_closes (tenant, gateway, event_id, asset, trigger, closed_at)
         SELECT tenant, gateway, event_id, asset, trigger, closed_at FROM closed WHERE source = 'edge'
         ON CONFLICT (tenant, event_id) DO NOTHING
         RETURNING event_id
       )
       SELECT (SELECT count(*) FROM closed)::int AS closed, (SELECT count(*) FROM queued)::int AS queued`,
      [tenant, eventId, at],
    );
    return { closed: rows[0].closed === 1, closeCommandQueued: rows[0].queued === 1 };
  }
}
