// Bad input is logged once per cause and source, then at most once per interval with the number suppressed
// meanwhile: a device that sends garbage 1,000 times a second must not drown the log (or the disk), and its first
// occurrence must still be seen with an example.
import type { Logger } from '../sources/types';

interface CauseState {
  lastLogged: number;
  suppressed: number;
}

export class RejectLog {
  private readonly causes = new Map<string, CauseState>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one rejection; logs it if this cause was not logged within the interval. */
  record(source: string, cause: string, detail: string): void {
    const key = `${source}\u0000${cause}`;
    const t = this.now();
    const state = this.causes.get(key);
    if (state && t - state.lastLogged < this.intervalMs) {
      state.suppressed++;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.causes.set(key, { lastLogged: t, suppressed: 0 });
    this.logger.warn(
      { source, cause, ...(suppressed > 0 && { suppressedSinceLastLog: suppressed }) },
      `input dropped (${cause}): ${detail}${suppressed > 0 ? ` (+${suppressed} more of this cause since the last report)` : ''}`,
    );
  }
}
