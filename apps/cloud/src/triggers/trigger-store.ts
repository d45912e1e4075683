// Trigger event queries of the pipeline beyond the persistence repository: the 'unplanned' state and its issue
// (migration 0002), listings for the API, and the asset list the matrix shows. Same tables, same Queryable.
import { Asset, Queryable, StoredTriggerEvent, TRIGGER_EVENT_COLUMNS, toTriggerEvent } from '../persistence';

export const EVENT_STATES = ['open', 'planned', 'unplanned', 'closed'] as const;
export type EventState = (typeof EVENT_STATES)[number];
/** A listing filter: one state, or `active` (every state but closed). */
export const EVENT_FILTERS = [...EVENT_STATES, 'active'] as const;
export type EventFilter = (typeof EVENT_FILTERS)[number];

/** A trigger event as the API shows it: the stored event, its full state, and why it cannot be planned. */
export interface TriggerEventView extends Omit<StoredTriggerEvent, 'state'> {
  state: EventState;
  issue: string | null;
}

type Row = Parameters<typeof toTriggerEvent>[0] & { issue: string | null; state: string };

const COLUMNS = `${TRIGGER_EVENT_COLUMNS}, issue`;

function toView(row: Row): TriggerEventView {
  const event = toTriggerEvent(row as Parameters<typeof toTriggerEvent>[0]);
  return { ...event, state: row.state as EventState, issue: row.issue };
}

export class TriggerStore {
  constructor(private readonly db: Queryable) {}

  async get(tenant: string, eventId: string): Promise<TriggerEventView | null> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM trigger_events WHERE tenant = $1 AND event_id = $2`, [tenant, eventId]);
    return rows.length === 1 ? toView(rows[0]) : null;
  }

  /** Newest first. */
  async list(tenant: string, filter: EventFilter, limit: number): Promise<TriggerEventView[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM trigger_events
       WHERE tenant = $1 AND (CASE WHEN $2 = 'active' THEN state <> 'closed' ELSE state = $2 END)
       ORDER BY fired_at DESC, event_id LIMIT $3`,
      [tenant, filter, limit],
    );
    return rows.map(toView);
  }

  async listByIds(tenant: string, eventIds: readonly string[]): Promise<TriggerEventView[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM trigger_events WHERE tenant = $1 AND event_id = ANY($2::text[]) ORDER BY fired_at, event_id`, [
      tenant,
      [...eventIds],
    ]);
    return rows.map(toView);
  }

  /**
   * Parks an open event that cannot be planned: state 'unplanned' with the reason, out of any batch. Only an open
   * event not planned by a run is parked; returns whether it was.
   */
  async markUnplanned(tenant: string, eventId: string, issue: string): Promise<boolean> {
    const rows = await this.db.query<{ event_id: string }>(
      `UPDATE trigger_events SET state = 'unplanned', issue = $3, batch_id = NULL
       WHERE tenant = $1 AND event_id = $2 AND state = 'open' AND planned_run IS NULL
       RETURNING event_id`,
      [tenant, eventId, issue],
    );
    return rows.length === 1;
  }

  /** Puts a parked event back in line for the next batch; null when it is not parked. */
  async replan(tenant: string, eventId: string): Promise<TriggerEventView | null> {
    const rows = await this.db.query<Row>(
      `UPDATE trigger_events SET state = 'open', issue = NULL WHERE tenant = $1 AND event_id = $2 AND state = 'unplanned' RETURNING ${COLUMNS}`,
      [tenant, eventId],
    );
    return rows.length === 1 ? toView(rows[0]) : null;
  }

  async listAssets(tenant: string): Promise<Asset[]> {
    const rows = await this.db.query<{
      tenant: string;
      id: string;
      model_id: string;
      model_version: number;
      gateway: string;
      contract_triggers: string[] | null;
      created_at: number;
    }>('SELECT tenant, id, model_id, model_version, gateway, contract_triggers, created_at FROM assets WHERE tenant = $1 ORDER BY id', [tenant]);
    return rows.map((r) => ({
      tenant: r.tenant,
      id: r.id,
      modelId: r.model_id,
      modelVersion: r.model_version,
      gateway: r.gateway,
      contractTriggers: r.contract_triggers,
      createdAt: r.created_at,
    }));
  }
}
