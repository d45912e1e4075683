// The CLI's view of the outside world, so commands can be run in-process by tests.
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  now(): number;
  /** Is stderr a terminal (progress is redrawn in place) or a pipe/file (progress lines are appended)? */
  errIsTty: boolean;
}

/** Exit codes: documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** evaluate: some solution violates a constraint or its claimed objectives are wrong. */
  failedCheck: 1,
  /** Invalid input file or command line. */
  invalid: 2,
  /** The problem is too large for the chosen algorithm (nothing searched). */
  tooLarge: 3,
  /** A bug in pss (EX_SOFTWARE). */
  internal: 70,
} as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
