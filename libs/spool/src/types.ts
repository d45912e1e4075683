// Public option, record and metric shapes of the spool.

/**
 * When an append counts as done:
 * - `always`: after fdatasync of the record (survives power loss). Concurrent appends share one fsync (group commit).
 * - `{ intervalMs }`: after write(2) (survives a crash or SIGKILL of the process); the class is fsynced every
 *   `intervalMs`, so a power cut loses at most that much.
 * - `never`: after write(2); fsync only on flush() and close(), otherwise whenever the OS writes back.
 */
export type FsyncPolicy = 'always' | 'never' | { intervalMs: number };

export interface SpoolClassOptions<C extends string = string> {
  /** Directory name and record tag: lowercase letters, digits, `-` and `_`, up to 32 characters. */
  name: C;
  /** Default `always`. */
  fsync?: FsyncPolicy;
}

export interface SpoolOptions {
  /** The spool's directory (created if missing). One process at a time may have it open. */
  dir: string;
  /** Disk budget for the segment files, in bytes (default 256 MiB). The cursor and lock files are not counted. */
  maxBytes?: number;
  /**
   * Target size of one segment file (default maxBytes / 16, between 4 KiB and 4 MiB). Disk is reclaimed a whole
   * segment at a time, so this is also the granularity of acknowledgement cleanup and of drops when full.
   */
  segmentBytes?: number;
  /** Clock for `enqueuedAt` (epoch milliseconds); default Date.now. */
  now?: () => number;
}

export interface SpoolOptionsWithClasses<C extends string> extends SpoolOptions {
  /** Priority classes, highest first. Delivered in this order; dropped in the reverse order when the disk is full. */
  classes: readonly SpoolClassOptions<C>[];
}

export type DefaultSpoolClass = 'event' | 'telemetry';

/** Trigger events before telemetry; events fsynced on every append, telemetry once a second. */
export const DEFAULT_CLASSES: readonly SpoolClassOptions<DefaultSpoolClass>[] = [
  { name: 'event', fsync: 'always' },
  { name: 'telemetry', fsync: { intervalMs: 1000 } },
];

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export interface SpoolRecord<C extends string = string> {
  id: string;
  class: C;
  /** Per-class sequence number: strictly increasing in append order within a class, across restarts too. */
  seq: number;
  /** When append() was called, epoch milliseconds. */
  enqueuedAt: number;
  /** A copy owned by the caller. */
  payload: Uint8Array;
}

export interface PeekOptions<C extends string = string> {
  /** Only these classes (still in priority order). */
  classes?: readonly C[];
  /** Leave out these ids, e.g. the ones already published and awaiting their ack. */
  skipIds?: ReadonlySet<string>;
}

export interface SpoolClassMetrics {
  /** Records not yet acknowledged (nor dropped): what a consumer still has to deliver. */
  depthRecords: number;
  /** Their bytes on disk, frames included. */
  depthBytes: number;
  /** Segment files of this class, including acknowledged records they still hold. */
  segments: number;
  /** Live records found on disk at open. */
  recovered: number;
  // The counters below count since open(): depthRecords = recovered + appended - acknowledged - dropped - corrupted - failed.
  appended: number;
  acknowledged: number;
  /** Stored records removed unacknowledged by the disk bound. */
  dropped: number;
  /** Appends refused with SpoolFullError (the budget was full of higher-priority records). */
  refused: number;
  /** Records that failed their CRC when read back after open (skipped, never returned). */
  corrupted: number;
  /** Appends rejected because writing them failed (I/O error); they are not in the spool. */
  failed: number;
}

export interface RecoveryStats {
  /** Segment files scanned. */
  segments: number;
  /** Intact records found. */
  records: number;
  /** Of those, not yet acknowledged. */
  liveRecords: number;
  /** Bytes cut off torn tails (writes interrupted by a crash or power cut). */
  truncatedBytes: number;
  /** Segments whose tail was cut. */
  tornSegments: number;
  /** Damaged records skipped in the middle of a segment (bit flips), with their bytes. */
  corruptRecords: number;
  corruptBytes: number;
  /** Fully acknowledged segments removed at open. */
  deletedSegments: number;
  /** The cursor file was damaged and ignored: everything on disk is redelivered. */
  cursorReset: boolean;
  durationMs: number;
}

export interface SpoolMetrics<C extends string = string> {
  classes: Record<C, SpoolClassMetrics>;
  /** Records to deliver, all classes (a gateway's reported spool depth). */
  depthRecords: number;
  /** Bytes of all segment files: what counts against maxBytes. */
  diskBytes: number;
  maxBytes: number;
  /** fsync/fdatasync calls: segments, directories and the cursor. */
  fsyncs: number;
  cursorWrites: number;
  /** I/O errors met (failed writes, fsyncs, cursor writes, removals). */
  ioErrors: number;
  recovery: RecoveryStats;
}
