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

/** What every heuristic accepts. Runs are reproducible from `seed`; the limits stop them early. */
export interface HeuristicOptions {
  /** Default 1. */
  seed?: number;
  /** Stop after this long (wall clock, via `now`). */
  timeLimitMs?: number;
  /** Stop after this many evaluations of complete solutions. */
  maxEvaluations?: number;
  onProgress?: ProgressReporter;
  now?: () => number;
}

/** Counts evaluations and answers "should I stop?" for a heuristic run. */
export class RunBudget {
  evaluations = 0;
  private readonly deadline: Deadline;
  private stoppedBy: string | undefined;

  constructor(private readonly options: HeuristicOptions) {
    this.deadline = new Deadline(options.timeLimitMs, options.now ?? Date.now);
  }

  count(n = 1): void {
    this.evaluations += n;
  }

  /** True once the time or evaluation limit is reached (checked cheaply, remembered). */
  exhausted(): boolean {
    if (this.stoppedBy) return true;
    if (this.options.maxEvaluations !== undefined && this.evaluations >= this.options.maxEvaluations) this.stoppedBy = 'evaluation limit';
    else if (this.deadline.passed()) this.stoppedBy = 'time limit';
    return this.stoppedBy !== undefined;
  }

  /** Why the run stopped early, if it did. */
  get reason(): string | undefined {
    return this.stoppedBy;
  }
}

/** A share of the work for one of several workers: combinations i with i % count === index. */
export interface Partition {
  index: number;
  count: number;
}

/** The items of a list that fall to this partition (all of them without one). */
export function ownShare<T>(items: T[], partition: Partition | undefined): T[] {
  if (!partition || partition.count <= 1) return items;
  return items.filter((_, i) => i % partition.count === partition.index);
}
