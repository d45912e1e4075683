// The persisted acknowledgement cursor: per class, a floor (every record with seq < floor is acknowledged or dropped)
// plus the acknowledged seqs above the floor as inclusive ranges (acks by event id arrive out of order; in the
// common in-order case the list stays empty, and ranges keep it short otherwise).
//
// The file is replaced atomically: written to a temp file, fsynced, renamed over the old one, directory fsynced. A
// reader therefore sees the old cursor or the new one, never a mix. Its content is `<crc32 hex> <json>\n`: a bit flip
// in a floor would otherwise silently mark unacknowledged records as delivered. An unreadable cursor is discarded,
// which redelivers everything still on disk: at-least-once is kept, only duplicates are risked.
import { promises as fsp } from 'fs';
import type { FileHandle } from 'fs/promises';
import * as path from 'path';
import { crc32 } from './crc32';
import { errorCode } from './errors';

export const CURSOR_FILE = 'cursor.json';
export const CURSOR_TEMP_FILE = 'cursor.json.tmp';

/** Inclusive range of sequence numbers. */
export type SeqRange = readonly [number, number];

export interface ClassCursor {
  floor: number;
  /** Sorted, disjoint, non-adjacent, every start >= floor. */
  acked: SeqRange[];
}

export type CursorState = Map<string, ClassCursor>;

export interface CursorReadResult {
  cursor: CursorState;
  /** The file existed but failed its checksum or shape: it was ignored. */
  reset: boolean;
}

export async function readCursor(dir: string): Promise<CursorReadResult> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, CURSOR_FILE), 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { cursor: new Map(), reset: false };
    throw error;
  }
  const cursor = parseCursor(text);
  return cursor ? { cursor, reset: false } : { cursor: new Map(), reset: true };
}

export function serializeCursor(cursor: CursorState): string {
  const classes: Record<string, ClassCursor> = {};
  for (const [name, c] of cursor) classes[name] = c;
  const json = JSON.stringify({ version: 1, classes });
  return `${crc32(Buffer.from(json, 'utf8')).toString(16).padStart(8, '0')} ${json}\n`;
}

/** The cursor in `text`, or undefined when it is damaged or not a cursor. */
export function parseCursor(text: string): CursorState | undefined {
  const match = /^([0-9a-f]{8}) (.*)\n$/s.exec(text);
  if (!match || parseInt(match[1], 16) !== crc32(Buffer.from(match[2], 'utf8'))) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(match[2]);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || doc.version !== 1 || !isRecord(doc.classes)) return undefined;
  const cursor: CursorState = new Map();
  for (const [name, value] of Object.entries(doc.classes)) {
    if (!isRecord(value) || !isSeq(value.floor) || !Array.isArray(value.acked)) return undefined;
    const acked: SeqRange[] = [];
    let last = value.floor - 2;
    for (const range of value.acked as unknown[]) {
      if (!Array.isArray(range) || range.length !== 2 || !isSeq(range[0]) || !isSeq(range[1])) return undefined;
      const [start, end] = range as [number, number];
      if (start <= last + 1 || end < start) return undefined;
      acked.push([start, end]);
      last = end;
    }
    cursor.set(name, { floor: value.floor, acked });
  }
  return cursor;
}

/** Writes the cursor atomically; returns the number of fsyncs it took (for the metrics). */
export async function writeCursorAtomic(dir: string, cursor: CursorState, dirHandle: FileHandle | null): Promise<number> {
  const temp = path.join(dir, CURSOR_TEMP_FILE);
  const handle = await fsp.open(temp, 'w');
  try {
    await handle.writeFile(serializeCursor(cursor), 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fsp.rename(temp, path.join(dir, CURSOR_FILE));
  // The rename is only durable once the directory is: without this a power cut could bring back the old cursor.
  return 1 + ((await syncDirectory(dirHandle)) ? 1 : 0);
}

/** Sorted seqs to inclusive ranges. */
export function toRanges(seqs: readonly number[]): SeqRange[] {
  const ranges: [number, number][] = [];
  for (const seq of seqs) {
    const last = ranges[ranges.length - 1];
    if (last && seq <= last[1] + 1) last[1] = Math.max(last[1], seq);
    else ranges.push([seq, seq]);
  }
  return ranges;
}

/** Membership in sorted disjoint ranges, by binary search (ranges may span millions of seqs: never expand them). */
export function inRanges(ranges: readonly SeqRange[], seq: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid];
    if (seq < start) hi = mid - 1;
    else if (seq > end) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * fsync of a directory makes the creation, rename or removal of its entries durable. Linux supports it; where the
 * platform refuses (no directory handle, EISDIR, EINVAL, EPERM) there is nothing better to do than to go on.
 */
export async function syncDirectory(handle: FileHandle | null): Promise<boolean> {
  if (!handle) return false;
  try {
    await handle.sync();
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'EBADF') return false;
    throw error;
  }
}

/** A handle on a directory for syncDirectory, or null where directories cannot be opened (Windows). */
export async function openDirectory(dir: string): Promise<FileHandle | null> {
  try {
    return await fsp.open(dir, 'r');
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
