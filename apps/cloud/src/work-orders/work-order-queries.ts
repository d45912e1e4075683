// Work order listings beyond the persistence repository: filtered lists for the API, the orders left planned for
// the dispatch sweep, and the resources' open orders the next problem must not double-book.
import { Queryable, WORK_ORDER_COLUMNS, WorkOrder, WorkOrderRow, WorkOrderState, toWorkOrder } from '../persistence';

export interface WorkOrderFilter {
  state?: WorkOrderState;
  resource?: string;
  runId?: string;
  eventId?: string;
  limit: number;
}

export class WorkOrderQueries {
  constructor(private readonly db: Queryable) {}

  /** Newest planned start first. */
  async list(tenant: string, filter: WorkOrderFilter): Promise<WorkOrder[]> {
    const rows = await this.db.query<WorkOrderRow>(
      `SELECT ${WORK_ORDER_COLUMNS} FROM work_orders
       WHERE tenant = $1 AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR resources @> ARRAY[$3::text])
         AND ($4::text IS NULL OR run_id::text = $4) AND ($5::text IS NULL OR event_id = $5)
       ORDER BY start_at DESC, id LIMIT $6`,
      [tenant, filter.state ?? null, filter.resource ?? null, filter.runId ?? null, filter.eventId ?? null, filter.limit],
    );
    return rows.map(toWorkOrder);
  }

  /** Orders created but not dispatched, of every tenant, oldest first. */
  async planned(limit: number): Promise<WorkOrder[]> {
    const rows = await this.db.query<WorkOrderRow>(`SELECT ${WORK_ORDER_COLUMNS} FROM work_orders WHERE state = 'planned' ORDER BY created_at, id LIMIT $1`, [limit]);
    return rows.map(toWorkOrder);
  }

  /** The tenant's orders that are not finished and have resources: what keeps resources busy. */
  async active(tenant: string): Promise<WorkOrder[]> {
    const rows = await this.db.query<WorkOrderRow>(
      `SELECT ${WORK_ORDER_COLUMNS} FROM work_orders
       WHERE tenant = $1 AND state NOT IN ('done', 'failed', 'cancelled') AND cardinality(resources) > 0
       ORDER BY start_at, id`,
      [tenant],
    );
    return rows.map(toWorkOrder);
  }
}
