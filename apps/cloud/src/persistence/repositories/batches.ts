// Batches: the open trigger events of a tenant collected for a while, then solved together as one configuration
// problem. One batch collects per tenant at a time (a unique index); one instance claims it (a state guard under a
// row lock); a claim whose instance died expires and another instance takes the batch over.
import { Queryable } from '../database';
import { isUuid } from '../ids';

export const BATCH_STATES = ['collecting', 'solving', 'solved', 'failed'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export interface Batch {
  tenant: string;
  id: string;
  createdAt: number;
  state: BatchState;
  claimedBy: string | null;
  claimedAt: number | null;
  attempts: number;
  finishedAt: number | null;
  error: string | null;
}

export interface ClaimOptions {
  /** A batch collects events this long after it was created before it may be claimed. */
  collectMs: number;
  /** A claim older than this (the instance stopped without finishing) may be taken over. */
  leaseMs: number;
}

export type BatchOutcome = { state: 'solved' } | { state: 'failed'; error: string; /** Detach the unplanned events, for the next batch. */ releaseEvents: boolean };

interface BatchRow {
  tenant: string;
  id: string;
  created_at: number;
  state: BatchState;
  claimed_by: string | null;
  claimed_at: number | null;
  attempts: number;
  finished_at: number | null;
  error: string | null;
}

const COLUMNS = 'tenant, id, created_at, state, claimed_by, claimed_at, attempts, finished_at, error';

function toBatch(row: BatchRow): Batch {
  return {
    tenant: row.tenant,
    id: row.id,
    createdAt: row.created_at,
    state: row.state,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at,
    attempts: row.attempts,
    finishedAt: row.finished_at,
    error: row.error,
  };
}

export class BatchRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Attaches the tenant's open events that are in no batch to its collecting batch, creating that batch when
   * there is none. The collecting batch is share-locked while events join it, so a claim cannot slip in between:
   * either the claim waits for the attach, or the attach sees the claimed batch is no longer collecting and
   * creates the next one.
   */
  async attachOpenEvents(tenant: string, now: number): Promise<{ batchId: string | null; attached: string[] }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const attached = await this.db.query<{ event_id: string; batch_id: string }>(
        `WITH target AS (
           SELECT tenant, id FROM batches WHERE tenant = $1 AND state = 'collecting' FOR SHARE
         )
         UPDATE trigger_events e SET batch_id = target.id
         FROM target
         WHERE e.tenant = target.tenant AND e.batch_id IS NULL AND e.state = 'open'
         RETURNING e.event_id, target.id AS batch_id`,
        [tenant],
      );
      if (attached.length > 0) return { batchId: attached[0].batch_id, attached: attached.map((r) => r.event_id).sort() };
      const waiting = await this.db.query<{ waiting: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM trigger_events WHERE tenant = $1 AND batch_id IS NULL AND state = 'open') AS waiting`,
        [tenant],
      );
      if (!waiting[0].waiting) {
        const current = await this.collecting(tenant);
        return { batchId: current?.id ?? null, attached: [] };
      }
      await this.db.query(
        `INSERT INTO batches (tenant, created_at) VALUES ($1, $2) ON CONFLICT (tenant) WHERE state = 'collecting' DO NOTHING`,
        [tenant, now],
      );
    }
    throw new Error(`tenant ${tenant}: open events could not be attached to a collecting batch after 5 attempts`);
  }

  async collecting(tenant: string): Promise<Batch | null> {
    const rows = await this.db.query<BatchRow>(`SELECT ${COLUMNS} FROM batches WHERE tenant = $1 AND state = 'collecting'`, [tenant]);
    return rows.length === 1 ? toBatch(rows[0]) : null;
  }

  /**
   * Claims the oldest batch that is ready (collecting for `collectMs`, with events) or whose claim expired, for
   * `instanceId`; null when there is none. Exactly one of several concurrent claimers gets a given batch: the
   * candidate row is locked (others skip it), and the state guard is re-checked on the locked row.
   */
  async claim(instanceId: string, now: number, options: ClaimOptions): Promise<Batch | null> {
    const rows = await this.db.query<BatchRow>(
      `UPDATE batches b SET state = 'solving', claimed_by = $1, claimed_at = $2, attempts = b.attempts + 1
       WHERE (b.tenant, b.id) = (
         SELECT c.tenant, c.id FROM batches c
         WHERE ((c.state = 'collecting' AND c.created_at <= $3) OR (c.state = 'solving' AND c.claimed_at <= $4))
           AND EXISTS (SELECT 1 FROM trigger_events e WHERE e.tenant = c.tenant AND e.batch_id = c.id)
         ORDER BY c.created_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       -- Checked again on the row as the UPDATE finds it: the lock already guarantees it, this states it.
       AND ((b.state = 'collecting' AND b.created_at <= $3) OR (b.state = 'solving' AND b.claimed_at <= $4))
       RETURNING ${COLUMNS.split(', ').map((c) => `b.${c}`).join(', ')}`,
      [instanceId, now, now - options.collectMs, now - options.leaseMs],
    );
    return rows.length === 1 ? toBatch(rows[0]) : null;
  }

  /**
   * Ends a batch this instance still holds; false when it does not (its claim expired and another instance took
   * the batch over: that one's result counts). A failed batch may release its unplanned events for a new batch.
   */
  async finish(tenant: string, id: string, instanceId: string, outcome: BatchOutcome, at: number): Promise<{ finished: boolean; released: string[] }> {
    const rows = await this.db.query<{ finished: number; released: string[] | null }>(
      `WITH done AS (
         UPDATE batches SET state = $4, finished_at = $5, error = $6
         WHERE tenant = $1 AND id = $2 AND state = 'solving' AND claimed_by = $3
         RETURNING tenant, id
       ), released AS (
         UPDATE trigger_events e SET batch_id = NULL
         FROM done
         WHERE $7 AND e.tenant = done.tenant AND e.batch_id = done.id AND e.planned_run IS NULL AND e.state = 'open'
         RETURNING e.event_id
       )
       SELECT (SELECT count(*) FROM done)::int AS finished, (SELECT array_agg(event_id ORDER BY event_id) FROM released) AS released`,
      [tenant, id, instanceId, outcome.state, at, outcome.state === 'failed' ? outcome.error : null, outcome.state === 'failed' && outcome.releaseEvents],
    );
    return { finished: rows[0].finished === 1, released: rows[0].released ?? [] };
  }

  async get(tenant: string, id: string): Promise<Batch | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.query<BatchRow>(`SELECT ${COLUMNS} FROM batches WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return rows.length === 1 ? toBatch(rows[0]) : null;
  }
}
