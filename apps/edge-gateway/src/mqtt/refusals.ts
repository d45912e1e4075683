// Refused connections, publications and subscriptions of the embedded broker: counted per username, and logged at
// most once per interval per (kind, username) so that a device stuck in a retry loop cannot flood the log. The
// usernames come from the network: they are cut to a sane length and, past a cap, counted together.
import type { Logger } from '../sources/types';

export type RefusalKind = 'auth' | 'publish' | 'subscribe';

export interface RefusalCounts {
  auth: number;
  publish: number;
  subscribe: number;
}

const MAX_USERNAME_CHARS = 64;
const OTHERS = '(others)';

interface LogState {
  lastLoggedAt: number;
  suppressed: number;
}

export class RefusalTracker {
  private readonly total: RefusalCounts = { auth: 0, publish: 0, subscribe: 0 };
  private readonly perUser = new Map<string, RefusalCounts>();
  private readonly logs = new Map<string, LogState>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly maxUsernames = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a refusal and logs it unless one of the same kind and username was logged within the interval. */
  refuse(kind: RefusalKind, rawUsername: string, fields: Record<string, unknown>, message: string): void {
    const username = rawUsername.length > MAX_USERNAME_CHARS ? `${rawUsername.slice(0, MAX_USERNAME_CHARS)}…` : rawUsername;
    this.total[kind]++;
    const key = this.perUser.has(username) || this.perUser.size < this.maxUsernames ? username : OTHERS;
    let counts = this.perUser.get(key);
    if (!counts) {
      counts = { auth: 0, publish: 0, subscribe: 0 };
      this.perUser.set(key, counts);
    }
    counts[kind]++;

    const logKey = `${kind}\u0000${key}`;
    const now = this.now();
    const state = this.logs.get(logKey);
    if (state && now - state.lastLoggedAt < this.intervalMs) {
      state.suppressed++;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.logs.set(logKey, { lastLoggedAt: now, suppressed: 0 });
    this.logger.warn({ refused: kind, username, ...fields, ...(suppressed > 0 ? { suppressedSinceLastLog: suppressed } : {}) }, message);
  }

  totals(): RefusalCounts {
    return { ...this.total };
  }

  byUsername(): Record<string, RefusalCounts> {
    const out: Record<string, RefusalCounts> = {};
    for (const [name, counts] of this.perUser) out[name] = { ...counts };
    return out;
  }
}
