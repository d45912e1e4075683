// What every search shares: a time limit, progress reports, and refusing work that is too large.

export interface Progress {
  phase: string;
  done: number;
  total: number;
  evaluations: number;
  front: number;
}

export type ProgressReporter = (progress: Progress) => void;

/** The problem is too large for the requested algorithm; nothing was searched. */
export class SearchLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchLimitError';
  }
}

export class Deadline {
  private readonly at: number;

  constructor(
    timeLimitMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.at = timeLimitMs === undefined ? Infinity : now() + timeLimitMs;
  }

  passed(): boolean {
    return this.at !== Infinity && this.now() >= this.at;
  }
}
