// Gateways' connection state from their birth and death messages (GatewayStatus, retained, the death as MQTT last
// will). Deliveries may be late, repeated and out of order; the rules keep the state right regardless:
// a death applies only to its own session, and a birth never revives a session that died nor overwrites a newer one.
import { GatewayState, GatewayStatus, OfflineReason } from '@pss/protocol';
import { Queryable } from '../database';

export interface Gateway {
  tenant: string;
  id: string;
  state: GatewayState;
  session: string;
  version: string;
  startedAt: number;
  statusTime: number;
  reason: OfflineReason | null;
  lastSeen: number;
  spoolDepth: number | null;
}

interface GatewayRow {
  tenant: string;
  id: string;
  state: GatewayState;
  session: string;
  version: string;
  started_at: number;
  status_time: number;
  reason: OfflineReason | null;
  last_seen: number;
  spool_depth: number | null;
}

const COLUMNS = 'tenant, id, state, session, version, started_at, status_time, reason, last_seen, spool_depth';

function toGateway(row: GatewayRow): Gateway {
  return {
    tenant: row.tenant,
    id: row.id,
    state: row.state,
    session: row.session,
    version: row.version,
    startedAt: row.started_at,
    statusTime: row.status_time,
    reason: row.reason,
    lastSeen: row.last_seen,
    spoolDepth: row.spool_depth,
  };
}

export class GatewayRepository {
  constructor(private readonly db: Queryable) {}

  /** Applies a status message received at `receivedAt`; `applied: false` when the rules above ignore it. */
  async applyStatus(status: GatewayStatus, receivedAt: number): Promise<{ applied: boolean; gateway: Gateway | null }> {
    const params = [
      status.tenant,
      status.gateway,
      status.state,
      status.session,
      status.version,
      status.startedAt,
      status.time,
      status.state === 'offline' ? (status.reason ?? null) : null,
      receivedAt,
      status.spoolDepth ?? null,
    ];
    const guard =
      status.state === 'online'
        ? // A birth: newer than what is applied, and not of a session whose death is already recorded.
          `WHERE gateways.status_time <= EXCLUDED.status_time AND NOT (gateways.state = 'offline' AND gateways.session = EXCLUDED.session)`
        : // A death: only for the session it was registered with.
          'WHERE gateways.session = EXCLUDED.session';
    const set =
      status.state === 'online'
        ? `state = 'online', session = EXCLUDED.session, version = EXCLUDED.version, started_at = EXCLUDED.started_at,
           status_time = EXCLUDED.status_time, reason = NULL, spool_depth = EXCLUDED.spool_depth`
        : `state = 'offline', reason = EXCLUDED.reason, status_time = GREATEST(gateways.status_time, EXCLUDED.status_time)`;
    const rows = await this.db.query<GatewayRow>(
      `INSERT INTO gateways (tenant, id, state, session, version, started_at, status_time, reason, last_seen, spool_depth)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (tenant, id) DO UPDATE SET ${set}, last_seen = GREATEST(gateways.last_seen, EXCLUDED.last_seen)
       ${guard}
       RETURNING ${COLUMNS}`,
      params,
    );
    if (rows.length === 1) return { applied: true, gateway: toGateway(rows[0]) };
    // Ignored, but the gateway was heard from.
    await this.touch(status.tenant, status.gateway, receivedAt);
    return { applied: false, gateway: await this.get(status.tenant, status.gateway) };
  }

  /** Any message from the gateway shows it is alive. */
  async touch(tenant: string, id: string, at: number): Promise<void> {
    await this.db.query('UPDATE gateways SET last_seen = GREATEST(last_seen, $3) WHERE tenant = $1 AND id = $2', [tenant, id, at]);
  }

  async get(tenant: string, id: string): Promise<Gateway | null> {
    const rows = await this.db.query<GatewayRow>(`SELECT ${COLUMNS} FROM gateways WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return rows.length === 1 ? toGateway(rows[0]) : null;
  }

  async list(tenant: string): Promise<Gateway[]> {
    const rows = await this.db.query<GatewayRow>(`SELECT ${COLUMNS} FROM gateways WHERE tenant = $1 ORDER BY id`, [tenant]);
    return rows.map(toGateway);
  }
}
