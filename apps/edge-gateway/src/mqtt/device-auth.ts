// Who may connect to the embedded broker and what each device may publish and subscribe to.
//
// Passwords are compared as SHA-256 digests with crypto.timingSafeEqual: equal-length buffers whatever the
// password lengths, so neither the content nor the length of a stored password leaks through timing. An unknown
// username is compared against a dummy digest for the same reason.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeviceCredentials } from '../config/types';
import { filterCovers, stripSharedPrefix, topicFilterProblem } from './topic-filter';

/** A device list the broker cannot enforce (duplicate username, invalid filter, a username unfit for `{username}`). */
export class DeviceAclError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceAclError';
  }
}

export type ClientIdentity = { kind: 'anonymous' } | { kind: 'device'; username: string; publish: readonly string[]; subscribe: readonly string[] };

export type AuthResult =
  | { ok: true; identity: ClientIdentity }
  /** returnCode as in MQTT 3.1.1 CONNACK: 4 bad username or password, 5 not authorized. */
  | { ok: false; returnCode: 4 | 5; reason: string };

interface Device {
  username: string;
  digest: Buffer;
  publish: string[];
  subscribe: string[];
}

const digest = (password: Buffer): Buffer => createHash('sha256').update(password).digest();
const DUMMY_DIGEST = digest(Buffer.from('no device has this password'));
const USERNAME_TEMPLATE = /\{username\}/g;

export class DeviceAuthenticator {
  private readonly devices = new Map<string, Device>();
  private readonly anonymous: ClientIdentity = { kind: 'anonymous' };

  constructor(
    devices: readonly DeviceCredentials[],
    private readonly allowAnonymous: boolean,
  ) {
    for (const d of devices) {
      if (this.devices.has(d.username)) throw new DeviceAclError(`device "${d.username}" is listed twice`);
      const expand = (filters: readonly string[], what: string): string[] =>
        filters.map((f) => {
          if (f.includes('{username}') && /[/+#]/.test(d.username)) {
            throw new DeviceAclError(`device "${d.username}": its username contains "/", "+" or "#" and cannot replace {username} in ${what} filter "${f}"`);
          }
          const filter = f.replace(USERNAME_TEMPLATE, d.username);
          const problem = topicFilterProblem(filter);
          if (problem) throw new DeviceAclError(`device "${d.username}", ${what}: ${problem}`);
          return filter;
        });
      this.devices.set(d.username, {
        username: d.username,
        digest: digest(Buffer.from(d.password, 'utf8')),
        publish: expand(d.publish, 'publish'),
        subscribe: expand(d.subscribe, 'subscribe'),
      });
    }
  }

  authenticate(username: string | undefined, password: Buffer | undefined): AuthResult {
    if (username === undefined && password === undefined) {
      if (this.allowAnonymous) return { ok: true, identity: this.anonymous };
      return { ok: false, returnCode: 5, reason: 'anonymous clients are not allowed' };
    }
    const device = username === undefined ? undefined : this.devices.get(username);
    const given = digest(password ?? Buffer.alloc(0));
    const matches = timingSafeEqual(given, device?.digest ?? DUMMY_DIGEST);
    if (device === undefined || password === undefined || !matches) return { ok: false, returnCode: 4, reason: 'bad username or password' };
    return { ok: true, identity: { kind: 'device', username: device.username, publish: device.publish, subscribe: device.subscribe } };
  }

  /** `$SYS/...` is the broker's own, for everyone; otherwise anonymous clients may publish anywhere. */
  mayPublish(identity: ClientIdentity, topic: string): boolean {
    if (topic.startsWith('$SYS/') || topic === '$SYS') return false;
    if (identity.kind === 'anonymous') return true;
    return identity.publish.some((filter) => filterCovers(filter, topic));
  }

  /** A subscription is allowed when one ACL filter covers every topic it can match. */
  maySubscribe(identity: ClientIdentity, filter: string): boolean {
    if (identity.kind === 'anonymous') return true;
    const plain = stripSharedPrefix(filter);
    return identity.subscribe.some((allowed) => filterCovers(allowed, plain));
  }
}

/** The name a refusal is logged and counted under. */
export function identityName(identity: ClientIdentity): string {
  return identity.kind === 'anonymous' ? '(anonymous)' : identity.username;
}
