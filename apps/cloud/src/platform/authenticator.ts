// Who presents an API key: the key's tenant, role and (technicians) resource, looked up by the key's sha256; or
// the bootstrap admin key from the environment (PSS_ADMIN_KEY). Used by the HTTP guard and the embedded broker.
import { timingSafeEqual } from 'node:crypto';
import { ApiKeyRepository, Queryable, hashApiKey } from '../persistence';
import { Principal } from './tokens';

/** The subject of the bootstrap admin key in audit fields. */
export const BOOTSTRAP_ADMIN_SUBJECT = 'bootstrap-admin';

export class ApiKeyAuthenticator {
  private readonly keys: ApiKeyRepository;
  private readonly adminHash: Buffer | undefined;

  constructor(
    db: Queryable,
    adminKey: string | undefined,
    private readonly tenant: string,
  ) {
    this.keys = new ApiKeyRepository(db);
    this.adminHash = adminKey === undefined ? undefined : Buffer.from(hashApiKey(adminKey), 'hex');
  }

  /** The principal of an active key, or null (unknown or revoked: the caller cannot tell which, on purpose). */
  async authenticate(secret: string): Promise<Principal | null> {
    if (secret === '' || secret.length > 512) return null;
    const hash = hashApiKey(secret);
    // Constant-time against the admin key: equal-length digests whatever the secrets' lengths.
    if (this.adminHash !== undefined && timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash)) {
      return { tenant: this.tenant, role: 'admin', subject: BOOTSTRAP_ADMIN_SUBJECT };
    }
    const key = await this.keys.findByHash(hash);
    if (key === null) return null;
    return { tenant: key.tenant, role: key.role, subject: key.id, ...(key.resource !== null ? { resource: key.resource } : {}) };
  }
}
