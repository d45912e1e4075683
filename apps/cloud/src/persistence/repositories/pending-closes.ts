// Close commands owed to gateways: recorded when an edge event's service closes (TriggerEventRepository.close),
// re-sent until the gateway acknowledges them.
import { Queryable } from '../database';

export interface PendingClose {
  tenant: string;
  gateway: string;
  eventId: string;
  asset: string;
  trigger: string;
  closedAt: number;
}

export class PendingCloseRepository {
  constructor(private readonly db: Queryable) {}

  /** The close commands a gateway has not acknowledged, oldest first (to send when it comes online). */
  async forGateway(tenant: string, gateway: string): Promise<PendingClose[]> {
    const rows = await this.db.query<{ tenant: string; gateway: string; event_id: string; asset: string; trigger: string; closed_at: number }>(
      `SELECT tenant, gateway, event_id, asset, trigger, closed_at FROM pending_closes
       WHERE tenant = $1 AND gateway = $2 AND acked_at IS NULL ORDER BY closed_at, event_id`,
      [tenant, gateway],
    );
    return rows.map((r) => ({ tenant: r.tenant, gateway: r.gateway, eventId: r.event_id, asset: r.asset, trigger: r.trigger, closedAt: r.closed_at }));
  }

  /**
   * Marks the gateway's acknowledged close commands; returns the event ids acknowledged now (ids of another
   * gateway, unknown or acknowledged before are ignored: acks are redelivered too).
   */
  async ack(tenant: string, gateway: string, eventIds: readonly string[], at: number): Promise<string[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.db.query<{ event_id: string }>(
      `UPDATE pending_closes SET acked_at = $4
       WHERE tenant = $1 AND gateway = $2 AND event_id = ANY($3::text[]) AND acked_at IS NULL
       RETURNING event_id`,
      [tenant, gateway, [...eventIds], at],
    );
    return rows.map((r) => r.event_id).sort();
  }
}
