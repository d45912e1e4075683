// API keys: the secret is shown once when created; the database keeps its sha256, and a request's key is found
// by hashing what it presents.
import { createHash, randomBytes } from 'node:crypto';
import { Queryable } from '../database';
import { isUuid } from '../ids';

export const API_KEY_ROLES = ['viewer', 'planner', 'admin', 'technician', 'gateway'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export interface ApiKey {
  tenant: string;
  id: string;
  name: string;
  role: ApiKeyRole;
  keyHash: string;
  /** The resource a technician acts as; null for every other role. */
  resource: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export type NewApiKey = Omit<ApiKey, 'id' | 'revokedAt'>;

interface ApiKeyRow {
  tenant: string;
  id: string;
  name: string;
  role: ApiKeyRole;
  key_hash: string;
  resource: string | null;
  created_at: number;
  revoked_at: number | null;
}

const COLUMNS = 'tenant, id, name, role, key_hash, resource, created_at, revoked_at';

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    tenant: row.tenant,
    id: row.id,
    name: row.name,
    role: row.role,
    keyHash: row.key_hash,
    resource: row.resource,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** sha256 of the secret, lowercase hex: what the database stores and looks up. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new secret: 32 random bytes, base64url, with a prefix that makes a leaked key recognizable. */
export function generateApiKeySecret(): string {
  return `pss_${randomBytes(32).toString('base64url')}`;
}

export class ApiKeyRepository {
  constructor(private readonly db: Queryable) {}

  async insert(key: NewApiKey): Promise<ApiKey> {
    const rows = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (tenant, name, role, key_hash, resource, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [key.tenant, key.name, key.role, key.keyHash, key.resource, key.createdAt],
    );
    return toApiKey(rows[0]);
  }

  /** The active (not revoked) key with this hash, or null. */
  async findByHash(keyHash: string): Promise<ApiKey | null> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [keyHash]);
    return rows.length === 1 ? toApiKey(rows[0]) : null;
  }

  /** Revokes a key; false when it does not exist or was revoked before. */
  async revoke(tenant: string, id: string, at: number): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.db.query<{ id: string }>(
      'UPDATE api_keys SET revoked_at = $3 WHERE tenant = $1 AND id = $2 AND revoked_at IS NULL RETURNING id',
      [tenant, id, at],
    );
    return rows.length === 1;
  }

  async list(tenant: string): Promise<ApiKey[]> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant = $1 ORDER BY created_at, id`, [tenant]);
    return rows.map(toApiKey);
  }
}
