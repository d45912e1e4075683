// Run and batch queries of the configuration service beyond the persistence repositories.
import { Queryable, toJson } from '../persistence';
import type { RunSummary } from '../triggers/live-events';

interface SummaryRow {
  id: string;
  batch_id: string;
  state: RunSummary['state'];
  policy: string | null;
  chosen_index: number | null;
  solutions: number | null;
  events: number | null;
  error: string | null;
  created_at: number;
}

function toSummary(r: SummaryRow): RunSummary {
  return {
    id: r.id,
    batchId: r.batch_id,
    state: r.state,
    policy: r.policy,
    chosenIndex: r.chosen_index,
    solutions: r.solutions ?? 0,
    events: r.events ?? 0,
    error: r.error,
    createdAt: r.created_at,
  };
}

const SUMMARY = `id, batch_id, state, policy, chosen_index, error, created_at,
  CASE WHEN jsonb_typeof(front->'solutions') = 'array' THEN jsonb_array_length(front->'solutions') ELSE 0 END AS solutions,
  CASE WHEN jsonb_typeof(stats->'plan'->'events') = 'array' THEN jsonb_array_length(stats->'plan'->'events') ELSE 0 END AS events`;

export class RunQueries {
  constructor(private readonly db: Queryable) {}

  /** Newest first. */
  async list(tenant: string, limit: number): Promise<RunSummary[]> {
    const rows = await this.db.query<SummaryRow>(`SELECT ${SUMMARY} FROM configuration_runs WHERE tenant = $1 ORDER BY created_at DESC, id LIMIT $2`, [tenant, limit]);
    return rows.map(toSummary);
  }

  async summary(tenant: string, id: string): Promise<RunSummary | null> {
    const rows = await this.db.query<SummaryRow>(`SELECT ${SUMMARY} FROM configuration_runs WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return rows.length === 1 ? toSummary(rows[0]) : null;
  }

  /** Solved runs whose policy chose a solution but that are not approved (their instance stopped in between). */
  async awaitingAutoApproval(limit: number): Promise<{ tenant: string; id: string }[]> {
    return this.db.query<{ tenant: string; id: string }>(
      `SELECT tenant, id FROM configuration_runs WHERE state = 'solved' AND policy IN ('knee', 'weighted') AND chosen_index IS NOT NULL
       ORDER BY created_at LIMIT $1`,
      [limit],
    );
  }

  async setExplanation(tenant: string, id: string, explanation: unknown): Promise<void> {
    await this.db.query('UPDATE configuration_runs SET explanation = $3::jsonb WHERE tenant = $1 AND id = $2', [tenant, id, toJson(explanation)]);
  }

  /** Tenants with open events in no batch. */
  async tenantsWithUnbatchedEvents(): Promise<string[]> {
    const rows = await this.db.query<{ tenant: string }>(`SELECT DISTINCT tenant FROM trigger_events WHERE batch_id IS NULL AND state = 'open'`);
    return rows.map((r) => r.tenant);
  }

  /** Takes events out of a batch this instance is solving (another model's: they go to the next batch). */
  async detach(tenant: string, batchId: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.db.query(
      `UPDATE trigger_events SET batch_id = NULL WHERE tenant = $1 AND batch_id = $2 AND event_id = ANY($3::text[]) AND planned_run IS NULL AND state = 'open'`,
      [tenant, batchId, [...eventIds]],
    );
  }

  /**
   * Releases the unplanned events of batches that failed at least `retryMs` ago, for a new batch: an infeasible
   * batch is tried again after a pause instead of at every batch window.
   */
  async releaseFailed(before: number): Promise<number> {
    const rows = await this.db.query<{ event_id: string }>(
      `UPDATE trigger_events e SET batch_id = NULL
       FROM batches b
       WHERE b.tenant = e.tenant AND b.id = e.batch_id AND b.state = 'failed' AND b.finished_at <= $1
         AND e.state = 'open' AND e.planned_run IS NULL
       RETURNING e.event_id`,
      [before],
    );
    return rows.length;
  }
}
