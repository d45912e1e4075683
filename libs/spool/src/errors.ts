// Typed errors so a gateway can tell policy outcomes (full, too large) from programming errors and I/O failures
// without parsing messages. `code` is stable; messages are for people.

export type SpoolErrorCode = 'SPOOL_CLOSED' | 'SPOOL_FULL' | 'RECORD_TOO_LARGE' | 'SPOOL_LOCKED';

export class SpoolError extends Error {
  constructor(
    readonly code: SpoolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The spool was closed (or is closing): nothing more is accepted. */
export class SpoolClosedError extends SpoolError {
  constructor(operation: string) {
    super('SPOOL_CLOSED', `spool is closed: cannot ${operation}`);
  }
}

/**
 * The record was refused because the disk budget is full of records of higher priority than it (e.g. telemetry while
 * the spool holds only trigger events). Counted in `refused`; nothing already stored was dropped for it.
 */
export class SpoolFullError extends SpoolError {
  constructor(
    readonly recordClass: string,
    readonly recordBytes: number,
    readonly maxBytes: number,
  ) {
    super('SPOOL_FULL', `spool full: a ${recordBytes}-byte ${recordClass} record does not fit in ${maxBytes} bytes without dropping higher-priority records`);
  }
}

/** One record (framed) is larger than the whole disk budget: it could never be stored. */
export class RecordTooLargeError extends SpoolError {
  constructor(
    readonly recordBytes: number,
    readonly maxBytes: number,
  ) {
    super('RECORD_TOO_LARGE', `record of ${recordBytes} bytes (framed) exceeds the spool's maxBytes of ${maxBytes}`);
  }
}

/** Another live process (or this one) has the spool directory open: two writers would corrupt each other's logs. */
export class SpoolLockedError extends SpoolError {
  constructor(dir: string, detail: string) {
    super('SPOOL_LOCKED', `spool directory ${dir} is locked: ${detail}`);
  }
}

/** The `code` of a Node.js system error (`ENOENT`, ...), if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Normalizes a thrown value to an Error (promise rejections must carry one). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
