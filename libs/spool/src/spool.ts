// The durable store-and-forward spool of an edge gateway. See ../README.md for the design; in short:
//
// - One append-only log per priority class, cut into segment files `<dir>/<class>/<first seq>.seg` of CRC-checked
//   frames (format.ts). The in-memory index (seq, id, offset per record) is rebuilt from the files at open.
// - All segment I/O goes through one sequential pump. Each round: deletions, then writes (one writev per segment for
//   every record appended since the last round), then fsyncs (one per segment for the whole batch: group commit),
//   then the appends resolve. Appends made while a round awaits the disk form the next batch, so under load batches
//   grow until one fsync covers hundreds of records.
// - Acknowledgements update the index at once and persist the cursor (cursor.ts) before ack() resolves; segments
//   whose records are all acknowledged are deleted.
// - The disk budget is enforced synchronously in append(): the oldest segments of the lowest-priority classes are
//   dropped before the new record is accepted, and the pump removes them before writing it, so the files never exceed
//   maxBytes and append() never waits for a consumer.
import { promises as fsp } from 'fs';
import type { FileHandle } from 'fs/promises';
import * as path from 'path';
import { performance } from 'perf_hooks';
import {
  CURSOR_TEMP_FILE,
  CursorState,
  ClassCursor,
  SeqRange,
  inRanges,
  openDirectory,
  readCursor,
  syncDirectory,
  writeCursorAtomic,
} from './cursor';
import { asError, errorCode, RecordTooLargeError, SpoolClosedError, SpoolFullError } from './errors';
import { decodeFrameAt, encodeFrame, frameBytes, MAX_CLASS_BYTES, MAX_ID_BYTES, scanFrames } from './format';
import { acquireLock, SpoolLock } from './lock';
import {
  DEFAULT_CLASSES,
  DEFAULT_MAX_BYTES,
  DefaultSpoolClass,
  FsyncPolicy,
  PeekOptions,
  RecoveryStats,
  SpoolClassMetrics,
  SpoolClassOptions,
  SpoolMetrics,
  SpoolOptions,
  SpoolOptionsWithClasses,
  SpoolRecord,
} from './types';

const CLASS_NAME = /^[a-z][a-z0-9_-]*$/;
const SEGMENT_FILE = /^(\d{16})\.seg$/;
const MIN_MAX_BYTES = 1024;
const MIN_SEGMENT_BYTES = 256;
/** Records read per step by records(); peek() reads what it is asked for. */
const ITERATION_BATCH = 64;
/** writev takes at most IOV_MAX (1024 on Linux) buffers per call. */
const MAX_IOVECS = 1024;

/** Why a record no longer needs delivering. */
type Done = 'acked' | 'dropped' | 'corrupt' | 'failed';

interface Entry {
  readonly seq: number;
  readonly id: string;
  readonly enqueuedAt: number;
  readonly segment: Segment;
  readonly offset: number;
  readonly bytes: number;
  /** Its append resolved: a consumer may see it. Per class this only ever advances in seq order. */
  visible: boolean;
  done: Done | null;
}

interface PendingWrite {
  entry: Entry;
  frame: Buffer;
  resolve(): void;
  reject(error: Error): void;
}

interface Segment {
  readonly cls: ClassState;
  readonly path: string;
  /** In seq order. Done entries stay until the segment is deleted: the cursor must keep listing their seqs. */
  readonly entries: Entry[];
  /** Every entry before this index is done (advanced lazily, so peeks skip acknowledged heads in O(1)). */
  head: number;
  /** Entries not done. */
  live: number;
  /** Bytes assigned to records (written or waiting to be): offsets are handed out at append time. */
  size: number;
  written: number;
  synced: number;
  /** Appends not yet taken by a pump round; `queued` says the segment is in the pump's write queue. */
  pending: PendingWrite[];
  queued: boolean;
  handle: FileHandle | null;
  /** The file exists (created by the pump, or found at open). */
  onDisk: boolean;
  /** Its directory entry is durable. */
  dirSynced: boolean;
  /** No more appends: a newer segment took over, the spool is closing, or its I/O failed. */
  sealed: boolean;
  /** A write or fsync failed: its durable state is unknown, so it gets no more writes and no more fsync retries. */
  broken: boolean;
  deleted: boolean;
}

interface ClassState {
  readonly name: string;
  readonly nameBytes: number;
  /** 0 is the highest priority. */
  readonly rank: number;
  readonly policy: FsyncPolicy;
  readonly dir: string;
  dirHandle: FileHandle | null;
  /** Not deleted, in seq order; the last one may be `active`. */
  segments: Segment[];
  /** Removed from `segments` but not yet durably unlinked: the cursor still marks their seqs as done meanwhile. */
  deleting: Segment[];
  active: Segment | null;
  nextSeq: number;
  liveRecords: number;
  liveBytes: number;
  /** The interval timer, flush() or close() asked the next pump round to fsync this class. */
  syncRequested: boolean;
  timer: NodeJS.Timeout | null;
  recovered: number;
  counters: { appended: number; acknowledged: number; dropped: number; refused: number; corrupted: number; failed: number };
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

interface Deferred extends Waiter {
  promise: Promise<void>;
}

/** Where a consumer is: after record `seq` of the class ranked `rank`. */
interface Position {
  rank: number;
  seq: number;
}

interface Config {
  dir: string;
  maxBytes: number;
  segmentBytes: number;
  now: () => number;
  classes: readonly SpoolClassOptions[];
}

export class Spool<C extends string = DefaultSpoolClass> {
  /** Opens (creating if needed) and recovers a spool with the default classes, `event` and `telemetry`. */
  static open(options: SpoolOptions): Promise<Spool<DefaultSpoolClass>>;
  /** Opens (creating if needed) and recovers a spool with the given priority classes, highest first. */
  static open<C extends string>(options: SpoolOptionsWithClasses<C>): Promise<Spool<C>>;
  static async open(options: SpoolOptions & { classes?: readonly SpoolClassOptions[] }): Promise<Spool<string>> {
    const config = normalizeOptions(options);
    await fsp.mkdir(config.dir, { recursive: true });
    const lock = await acquireLock(config.dir);
    const spool = new Spool<string>(config, lock);
    try {
      await spool.recover();
    } catch (error) {
      await spool.closeHandles();
      await lock.release();
      throw error;
    }
    spool.startTimers();
    return spool;
  }

  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  private readonly now: () => number;
  private readonly order: ClassState[];
  private readonly byName = new Map<string, ClassState>();
  /** Live records by id; an id appended twice maps to both (acknowledging an id acknowledges every copy). */
  private readonly ids = new Map<string, Entry[]>();
  private usedBytes = 0;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | null = null;
  private rootDirHandle: FileHandle | null = null;

  // The pump's inputs. Only the pump touches segment file handles, so no handle is ever closed under an I/O call.
  private writeQueue: Segment[] = [];
  private deletions: Segment[] = [];
  private sealedOpen: Segment[] = [];
  private flushWaiters: Waiter[] = [];
  private idleWaiters: (() => void)[] = [];
  private pumping = false;

  // Cursor writes form their own chain (they touch no segment) and commit in groups like appends do.
  private cursorNext: Deferred | null = null;
  private cursorCurrent: Deferred | null = null;

  private fsyncs = 0;
  private cursorWrites = 0;
  private ioErrors = 0;
  private readonly recoveryStats: RecoveryStats = {
    segments: 0,
    records: 0,
    liveRecords: 0,
    truncatedBytes: 0,
    tornSegments: 0,
    corruptRecords: 0,
    corruptBytes: 0,
    deletedSegments: 0,
    cursorReset: false,
    durationMs: 0,
  };

  private constructor(
    config: Config,
    private readonly lock: SpoolLock,
  ) {
    this.dir = config.dir;
    this.maxBytes = config.maxBytes;
    this.segmentBytes = config.segmentBytes;
    this.now = config.now;
    this.order = config.classes.map((c, rank) => ({
      name: c.name,
      nameBytes: Buffer.byteLength(c.name, 'utf8'),
      rank,
      policy: c.fsync ?? 'always',
      dir: path.join(config.dir, c.name),
      dirHandle: null,
      segments: [],
      deleting: [],
      active: null,
      nextSeq: 0,
      liveRecords: 0,
      liveBytes: 0,
      syncRequested: false,
      timer: null,
      recovered: 0,
      counters: { appended: 0, acknowledged: 0, dropped: 0, refused: 0, corrupted: 0, failed: 0 },
    }));
    for (const c of this.order) this.byName.set(c.name, c);
  }

  /** The priority classes, highest first. */
  get classes(): readonly C[] {
    return this.order.map((c) => c.name as C);
  }

  /**
   * Stores a record. Resolves when it is durable per its class's fsync policy (or, if it was acknowledged or dropped
   * before it got there, once that is settled). Rejects with RecordTooLargeError if the framed record exceeds
   * maxBytes, with SpoolFullError if the budget is full of higher-priority records, and with the I/O error if the
   * write fails. Never waits for space: the drop policy decides at once.
   */
  append(cls: C, id: string, payload: Uint8Array): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new SpoolClosedError('append'));
    const c = this.byName.get(cls);
    if (!c) return Promise.reject(new RangeError(`unknown spool class ${JSON.stringify(cls)}: expected one of ${this.order.map((k) => k.name).join(', ')}`));
    if (typeof id !== 'string' || id.length === 0) return Promise.reject(new RangeError('record id must be a non-empty string'));
    const idBytes = Buffer.byteLength(id, 'utf8');
    if (idBytes > MAX_ID_BYTES) return Promise.reject(new RangeError(`record id is ${idBytes} bytes of UTF-8, more than ${MAX_ID_BYTES}`));
    // A lone surrogate would be stored as U+FFFD and come back as a different id, which acks could never match.
    if (!isWellFormed(id)) return Promise.reject(new RangeError('record id must be well-formed Unicode (no lone surrogates)'));
    if (!(payload instanceof Uint8Array)) return Promise.reject(new TypeError('record payload must be a Uint8Array'));
    const bytes = frameBytes(c.nameBytes, idBytes, payload.length);
    if (bytes > this.maxBytes) return Promise.reject(new RecordTooLargeError(bytes, this.maxBytes));
    if (!this.makeRoom(bytes, c.rank)) {
      c.counters.refused++;
      return Promise.reject(new SpoolFullError(c.name, bytes, this.maxBytes));
    }
    const seg = this.segmentFor(c, bytes);
    const seq = c.nextSeq++;
    const enqueuedAt = Math.max(0, Math.floor(this.now()));
    const frame = encodeFrame(c.name, seq, enqueuedAt, id, payload);
    const entry: Entry = { seq, id, enqueuedAt, segment: seg, offset: seg.size, bytes, visible: false, done: null };
    seg.entries.push(entry);
    seg.size += bytes;
    seg.live++;
    this.usedBytes += bytes;
    c.liveRecords++;
    c.liveBytes += bytes;
    c.counters.appended++;
    this.index(entry);
    return new Promise<void>((resolve, reject) => {
      seg.pending.push({ entry, frame, resolve, reject });
      if (!seg.queued) {
        seg.queued = true;
        this.writeQueue.push(seg);
      }
      this.kick();
    });
  }

  /**
   * Up to `max` records to deliver, in priority order (every class before the next), oldest first within a class.
   * Does not remove them: they come back until acknowledged. Records that fail their CRC are skipped and counted.
   */
  async peek(max: number, options: PeekOptions<C> = {}): Promise<SpoolRecord<C>[]> {
    if (this.state === 'closed') throw new SpoolClosedError('peek');
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`peek(max): max must be an integer >= 0, got ${max}`);
    return (await this.collect(max, options, null)).records;
  }

  /**
   * Every record to deliver, in priority order, read in small batches. Records acknowledged meanwhile are skipped;
   * records appended meanwhile appear if the walk has not passed their class yet.
   */
  async *records(options: PeekOptions<C> = {}): AsyncGenerator<SpoolRecord<C>, void, undefined> {
    let after: Position | null = null;
    for (;;) {
      if (this.state === 'closed') throw new SpoolClosedError('iterate');
      const step = await this.collect(ITERATION_BATCH, options, after);
      if (step.records.length === 0) return;
      after = step.last;
      yield* step.records;
    }
  }

  /**
   * Marks every record with one of these ids delivered (ids not in the spool are ignored: acks repeat under
   * at-least-once). Resolves with the number of records acknowledged once the cursor is durable, so they are not
   * delivered again after a restart.
   */
  ack(ids: string | Iterable<string>): Promise<number> {
    if (this.state !== 'open') return Promise.reject(new SpoolClosedError('ack'));
    let count = 0;
    const emptied = new Set<Segment>();
    for (const id of typeof ids === 'string' ? [ids] : ids) {
      const entries = this.ids.get(id);
      if (!entries) continue;
      for (const entry of [...entries]) {
        if (entry.done) continue;
        this.finish(entry, 'acked');
        entry.segment.cls.counters.acknowledged++;
        count++;
        if (entry.segment.live === 0) emptied.add(entry.segment);
      }
    }
    // The active segment stays even when empty: a consumer that keeps up would otherwise create a file per record.
    for (const seg of emptied) if (!seg.deleted && seg.cls.active !== seg) this.removeSegment(seg);
    if (count > 0) return this.persistCursor().then(() => count);
    // Nothing new, but an ack of the same ids may still be on its way to disk: its caller's promise is ours too.
    const latest = this.cursorNext ?? this.cursorCurrent;
    return latest ? latest.promise.then(() => 0) : Promise.resolve(0);
  }

  /** Makes everything appended so far durable now, whatever the policies. */
  flush(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new SpoolClosedError('flush'));
    return this.requestSync();
  }

  /** Finishes pending writes, fsyncs every class, persists the cursor, releases the directory. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  get metrics(): SpoolMetrics<C> {
    const classes = {} as Record<C, SpoolClassMetrics>;
    let depthRecords = 0;
    for (const c of this.order) {
      depthRecords += c.liveRecords;
      classes[c.name as C] = {
        depthRecords: c.liveRecords,
        depthBytes: c.liveBytes,
        segments: c.segments.length,
        recovered: c.recovered,
        ...c.counters,
      };
    }
    return {
      classes,
      depthRecords,
      diskBytes: this.usedBytes,
      maxBytes: this.maxBytes,
      fsyncs: this.fsyncs,
      cursorWrites: this.cursorWrites,
      ioErrors: this.ioErrors,
      recovery: { ...this.recoveryStats },
    };
  }

  // ---- recovery ----------------------------------------------------------------------------------------------------

  private async recover(): Promise<void> {
    const started = performance.now();
    // A temp cursor is a write that never got renamed: the previous cursor is the valid one.
    await fsp.rm(path.join(this.dir, CURSOR_TEMP_FILE), { force: true });
    this.rootDirHandle = await openDirectory(this.dir);
    const { cursor, reset } = await readCursor(this.dir);
    this.recoveryStats.cursorReset = reset;
    for (const c of this.order) await this.recoverClass(c, cursor.get(c.name) ?? { floor: 0, acked: [] });
    this.recoveryStats.liveRecords = this.order.reduce((n, c) => n + c.liveRecords, 0);
    // A budget lowered since the last run applies now, in the usual drop order.
    this.makeRoom(0, 0);
    this.recoveryStats.durationMs = performance.now() - started;
  }

  private async recoverClass(c: ClassState, saved: ClassCursor): Promise<void> {
    await fsp.mkdir(c.dir, { recursive: true });
    c.dirHandle = await openDirectory(c.dir);
    const files: { name: string; seq: number }[] = [];
    for (const name of await fsp.readdir(c.dir)) {
      const match = SEGMENT_FILE.exec(name);
      if (match) files.push({ name, seq: Number(match[1]) });
    }
    files.sort((a, b) => a.seq - b.seq);
    const stats = this.recoveryStats;
    let lastSeq = -1;
    let lastNamed = -1;
    let removedAny = false;
    for (const file of files) {
      lastNamed = Math.max(lastNamed, file.seq);
      const filePath = path.join(c.dir, file.name);
      const buf = await fsp.readFile(filePath);
      const scan = scanFrames(buf);
      stats.segments++;
      stats.corruptRecords += scan.corruptRegions;
      stats.corruptBytes += scan.corruptBytes;
      if (scan.truncatedBytes > 0) {
        // Cut the torn tail now: later records go to new segments, and a second recovery must find a clean file.
        stats.truncatedBytes += scan.truncatedBytes;
        stats.tornSegments++;
        await this.truncateFile(filePath, scan.validEnd);
      }
      const seg = this.newSegment(c, filePath);
      seg.onDisk = true;
      seg.dirSynced = true;
      seg.sealed = true;
      seg.size = seg.written = seg.synced = scan.validEnd;
      for (const frame of scan.frames) {
        const r = frame.record;
        // An intact frame out of place (another class's, or seqs going backwards) did not come from this log's
        // writer, e.g. a frame embedded in a payload that a resync landed on: skip it like any damage.
        if (r.cls !== c.name || r.seq <= lastSeq) {
          stats.corruptRecords++;
          stats.corruptBytes += frame.bytes;
          continue;
        }
        lastSeq = r.seq;
        stats.records++;
        const acked = r.seq < saved.floor || inRanges(saved.acked, r.seq);
        const entry: Entry = { seq: r.seq, id: r.id, enqueuedAt: r.enqueuedAt, segment: seg, offset: frame.offset, bytes: frame.bytes, visible: true, done: acked ? 'acked' : null };
        seg.entries.push(entry);
        if (acked) continue;
        seg.live++;
        c.liveRecords++;
        c.liveBytes += frame.bytes;
        this.index(entry);
      }
      if (seg.live === 0) {
        await fsp.unlink(filePath);
        removedAny = true;
        stats.deletedSegments++;
        continue;
      }
      c.segments.push(seg);
      this.usedBytes += seg.size;
    }
    if (removedAny) await this.syncDir(c);
    // New seqs must be above everything the cursor mentions, or a stale acknowledgement could cover a new record.
    const lastAcked = saved.acked.length > 0 ? saved.acked[saved.acked.length - 1][1] : -1;
    c.nextSeq = Math.max(lastSeq + 1, lastNamed + 1, saved.floor, lastAcked + 1);
    c.recovered = c.liveRecords;
  }

  private async truncateFile(filePath: string, length: number): Promise<void> {
    const handle = await fsp.open(filePath, 'r+');
    try {
      await handle.truncate(length);
      await handle.datasync();
      this.fsyncs++;
    } finally {
      await handle.close();
    }
  }

  private startTimers(): void {
    for (const c of this.order) {
      const policy = c.policy;
      if (typeof policy !== 'object') continue;
      c.timer = setInterval(() => {
        if (this.state === 'open' && c.segments.some(needsSync)) {
          c.syncRequested = true;
          this.kick();
        }
      }, policy.intervalMs);
      // The spool must not keep a gateway process alive on its own.
      c.timer.unref();
    }
  }

  // ---- index bookkeeping -------------------------------------------------------------------------------------------

  private newSegment(c: ClassState, filePath: string): Segment {
    return {
      cls: c,
      path: filePath,
      entries: [],
      head: 0,
      live: 0,
      size: 0,
      written: 0,
      synced: 0,
      pending: [],
      queued: false,
      handle: null,
      onDisk: false,
      dirSynced: false,
      sealed: false,
      broken: false,
      deleted: false,
    };
  }

  private segmentFor(c: ClassState, bytes: number): Segment {
    let seg = c.active;
    if (seg && seg.size > 0 && seg.size + bytes > this.segmentBytes) {
      this.seal(seg);
      seg = null;
    }
    if (!seg) {
      // Named after the seq of its first record: names sort in log order and never repeat within a class.
      seg = this.newSegment(c, path.join(c.dir, `${String(c.nextSeq).padStart(16, '0')}.seg`));
      c.segments.push(seg);
      c.active = seg;
    }
    return seg;
  }

  /** No more appends to `seg`; the pump makes it durable per policy and closes it once its writes are done. */
  private seal(seg: Segment): void {
    const c = seg.cls;
    if (c.active === seg) c.active = null;
    if (!seg.sealed) {
      seg.sealed = true;
      this.sealedOpen.push(seg);
      this.kick();
    }
    if (seg.live === 0 && !seg.deleted) this.removeSegment(seg);
  }

  private index(entry: Entry): void {
    const list = this.ids.get(entry.id);
    if (list) list.push(entry);
    else this.ids.set(entry.id, [entry]);
  }

  private unindex(entry: Entry): void {
    const list = this.ids.get(entry.id);
    if (!list) return;
    const at = list.indexOf(entry);
    if (at < 0) return;
    if (list.length === 1) this.ids.delete(entry.id);
    else list.splice(at, 1);
  }

  /** The record needs no delivery any more. Its bytes stay on disk until its whole segment goes. */
  private finish(entry: Entry, done: Done): void {
    entry.done = done;
    const seg = entry.segment;
    seg.live--;
    seg.cls.liveRecords--;
    seg.cls.liveBytes -= entry.bytes;
    this.unindex(entry);
  }

  /** Takes a segment out of the log (all its records are done) and has the pump delete its file. */
  private removeSegment(seg: Segment): void {
    const c = seg.cls;
    seg.deleted = true;
    const at = c.segments.indexOf(seg);
    if (at >= 0) c.segments.splice(at, 1);
    if (c.active === seg) c.active = null;
    this.usedBytes -= seg.size;
    c.deleting.push(seg);
    // Appends still waiting for their write have nothing left to make durable: their records are settled.
    for (const w of seg.pending.splice(0)) w.resolve();
    this.deletions.push(seg);
    this.kick();
  }

  /**
   * Makes room for `bytes` more by dropping whole segments, oldest first, from the lowest-priority class upwards but
   * never above `rank` (a record never displaces more important ones). False, dropping nothing, if that cannot free
   * enough.
   */
  private makeRoom(bytes: number, rank: number): boolean {
    if (this.usedBytes + bytes <= this.maxBytes) return true;
    let droppable = 0;
    for (let r = rank; r < this.order.length; r++) for (const seg of this.order[r].segments) droppable += seg.size;
    if (this.usedBytes - droppable + bytes > this.maxBytes) return false;
    for (let r = this.order.length - 1; r >= rank; r--) {
      const c = this.order[r];
      while (c.segments.length > 0 && this.usedBytes + bytes > this.maxBytes) {
        const victim = c.segments[0];
        for (const entry of victim.entries) {
          if (entry.done) continue;
          this.finish(entry, 'dropped');
          c.counters.dropped++;
        }
        this.removeSegment(victim);
      }
    }
    return true;
  }

  // ---- the pump ----------------------------------------------------------------------------------------------------

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    // Started from a microtask so that every append made in the current tick joins the first batch.
    queueMicrotask(() => void this.pump());
  }

  private hasWork(): boolean {
    return (
      this.deletions.length > 0 ||
      this.writeQueue.length > 0 ||
      this.flushWaiters.length > 0 ||
      this.sealedOpen.length > 0 ||
      this.order.some((c) => c.syncRequested)
    );
  }

  private async pump(): Promise<void> {
    try {
      while (this.hasWork()) await this.pumpRound();
    } catch (error) {
      // I/O errors are handled where they happen; this is a bug. Report it and stop this run (the next kick
      // resumes) rather than spin on it.
      this.ioErrors++;
      console.error('spool: pump round failed', error);
    } finally {
      this.pumping = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async pumpRound(): Promise<void> {
    // Everything this round does is taken now: work arriving while it awaits the disk waits for the next round, so a
    // flush is never answered by a round that started before the appends it must cover.
    const deletions = this.deletions.splice(0);
    const writes = this.writeQueue.splice(0).map((seg) => {
      seg.queued = false;
      return { seg, batch: seg.pending.splice(0) };
    });
    const syncClasses = this.order.filter((c) => c.syncRequested);
    for (const c of syncClasses) c.syncRequested = false;
    const flushWaiters = this.flushWaiters.splice(0);

    // 1. Deletions first: space freed for a new record is free on disk before that record is written.
    await this.deleteSegments(deletions);

    // 2. Writes: one writev per segment for the whole batch, at the offsets handed out by append().
    const visibleNow: PendingWrite[] = [];
    const awaitingSync = new Map<Segment, PendingWrite[]>();
    for (const { seg, batch } of writes) {
      if (batch.length === 0) continue;
      if (seg.deleted) {
        for (const w of batch) w.resolve();
        continue;
      }
      try {
        if (!seg.handle) {
          // 'wx': a segment name is never reused, so an existing file means something is badly wrong: refuse it.
          seg.handle = await fsp.open(seg.path, seg.onDisk ? 'r+' : 'wx');
          seg.onDisk = true;
        }
        const bytes = await writeFully(seg.handle, batch.map((w) => w.frame), seg.written);
        seg.written += bytes;
      } catch (error) {
        await this.failWrites(seg, batch, asError(error));
        continue;
      }
      if (seg.cls.policy === 'always') awaitingSync.set(seg, batch);
      else visibleNow.push(...batch);
    }
    for (const w of visibleNow) {
      w.entry.visible = true;
      w.resolve();
    }

    // 3. fsyncs: the `always` segments just written (group commit: one fdatasync covers the whole batch), and every
    // unsynced segment of the classes whose interval fired or that a flush covers.
    const toSync = new Set<Segment>(awaitingSync.keys());
    for (const c of syncClasses) for (const seg of c.segments) if (needsSync(seg)) toSync.add(seg);
    const syncErrors = new Map<Segment, Error>();
    for (const seg of toSync) {
      const error = await this.syncSegment(seg);
      if (error) syncErrors.set(seg, error);
    }
    for (const [seg, batch] of awaitingSync) {
      const error = syncErrors.get(seg);
      for (const w of batch) {
        // Visible even if the fsync failed: the bytes were written and may well be on disk; delivering them is
        // harmless under at-least-once, and the rejected append tells its caller durability is unknown.
        w.entry.visible = true;
        if (error) w.reject(error);
        else w.resolve();
      }
    }
    const flushError = syncErrors.size > 0 ? [...syncErrors.values()][0] : undefined;
    for (const w of flushWaiters) {
      if (flushError) w.reject(flushError);
      else w.resolve();
    }

    // 4. Sealed segments whose writes are done: durable per policy, then closed.
    const stillOpen: Segment[] = [];
    for (const seg of this.sealedOpen.splice(0)) {
      if (seg.deleted) continue;
      if (seg.pending.length > 0 || seg.queued) {
        stillOpen.push(seg);
        continue;
      }
      if (!seg.handle) continue;
      if (seg.cls.policy !== 'never') await this.syncSegment(seg);
      await this.closeSegmentHandle(seg);
    }
    this.sealedOpen.push(...stillOpen);
  }

  /** fdatasync (and the directory entry of a new file); the error, if one happened. */
  private async syncSegment(seg: Segment): Promise<Error | undefined> {
    if (seg.deleted || !seg.handle || seg.broken || !needsSync(seg)) return undefined;
    try {
      if (seg.synced < seg.written) {
        const upTo = seg.written;
        await seg.handle.datasync();
        this.fsyncs++;
        seg.synced = upTo;
      }
      if (!seg.dirSynced) {
        await this.syncDir(seg.cls);
        seg.dirSynced = true;
      }
      return undefined;
    } catch (error) {
      this.ioErrors++;
      // After a failed fsync the kernel may have dropped the dirty pages: a retry could "succeed" over lost data.
      seg.broken = true;
      this.seal(seg);
      return asError(error);
    }
  }

  /**
   * A write failed: the records of this batch, and those appended to the same segment after it (their offsets assumed
   * it succeeded), are rejected and forgotten. The segment is cut back to its last good length and sealed.
   */
  private async failWrites(seg: Segment, batch: PendingWrite[], error: Error): Promise<void> {
    this.ioErrors++;
    const failed = [...batch, ...seg.pending.splice(0)];
    const first = seg.entries.indexOf(failed[0].entry);
    for (const w of failed) {
      if (!w.entry.done) {
        this.finish(w.entry, 'failed');
        seg.cls.counters.failed++;
      }
      w.reject(error);
    }
    if (first >= 0) seg.entries.length = first;
    seg.head = Math.min(seg.head, seg.entries.length);
    this.usedBytes -= seg.size - seg.written;
    seg.size = seg.written;
    seg.broken = true;
    if (seg.handle) await seg.handle.truncate(seg.written).catch(() => undefined);
    this.seal(seg);
  }

  private async deleteSegments(segments: readonly Segment[]): Promise<void> {
    if (segments.length === 0) return;
    const removed = new Set<Segment>();
    for (const seg of segments) {
      await this.closeSegmentHandle(seg);
      try {
        await fsp.unlink(seg.path);
        removed.add(seg);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') removed.add(seg);
        // Otherwise the file stays, and the cursor keeps marking its records done, so they are not redelivered.
        else this.ioErrors++;
      }
    }
    // Removal is durable once the directory is; only then may the cursor stop listing the segment's seqs.
    for (const c of new Set(segments.map((s) => s.cls))) {
      try {
        await this.syncDir(c);
        c.deleting = c.deleting.filter((s) => !removed.has(s));
      } catch {
        this.ioErrors++;
      }
    }
  }

  private async closeSegmentHandle(seg: Segment): Promise<void> {
    const handle = seg.handle;
    if (!handle) return;
    seg.handle = null;
    await handle.close().catch(() => {
      this.ioErrors++;
    });
  }

  private async syncDir(c: ClassState): Promise<void> {
    if (await syncDirectory(c.dirHandle)) this.fsyncs++;
  }

  private requestSync(): Promise<void> {
    for (const c of this.order) c.syncRequested = true;
    return new Promise<void>((resolve, reject) => {
      this.flushWaiters.push({ resolve, reject });
      this.kick();
    });
  }

  private whenIdle(): Promise<void> {
    if (!this.pumping) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- the cursor --------------------------------------------------------------------------------------------------

  /** Resolves once a cursor reflecting every acknowledgement made so far is durable. */
  private persistCursor(): Promise<void> {
    if (this.cursorNext) return this.cursorNext.promise;
    const next = (this.cursorNext = deferred());
    // Started from a microtask, like the pump, so that every ack of the current tick shares the first write.
    if (!this.cursorCurrent) queueMicrotask(() => void this.cursorLoop());
    return next.promise;
  }

  private async cursorLoop(): Promise<void> {
    if (this.cursorCurrent) return;
    while (this.cursorNext) {
      const current = (this.cursorCurrent = this.cursorNext);
      this.cursorNext = null;
      try {
        // The snapshot is taken when the write starts, so it covers every ack made before, including the ones that
        // queued behind the previous write (group commit).
        this.fsyncs += await writeCursorAtomic(this.dir, this.snapshotCursor(), this.rootDirHandle);
        this.cursorWrites++;
        current.resolve();
      } catch (error) {
        this.ioErrors++;
        current.reject(asError(error));
      }
    }
    this.cursorCurrent = null;
  }

  private snapshotCursor(): CursorState {
    const cursor: CursorState = new Map();
    for (const c of this.order) {
      let floor = c.nextSeq;
      for (const seg of c.segments) {
        advanceHead(seg);
        if (seg.head < seg.entries.length) {
          floor = seg.entries[seg.head].seq;
          break;
        }
      }
      const done: [number, number][] = [];
      for (const seg of c.segments) {
        const n = seg.entries.length;
        if (n === seg.live || n === 0 || seg.entries[n - 1].seq < floor) continue;
        for (let i = seg.entries[0].seq >= floor ? 0 : seg.head; i < n; i++) {
          const e = seg.entries[i];
          if (e.done && e.seq > floor) done.push([e.seq, e.seq]);
        }
      }
      for (const seg of c.deleting) {
        const n = seg.entries.length;
        if (n > 0 && seg.entries[n - 1].seq >= floor) done.push([Math.max(floor, seg.entries[0].seq), seg.entries[n - 1].seq]);
      }
      cursor.set(c.name, { floor, acked: mergeRanges(done) });
    }
    return cursor;
  }

  // ---- reading -----------------------------------------------------------------------------------------------------

  private async collect(max: number, options: PeekOptions<C>, after: Position | null): Promise<{ records: SpoolRecord<C>[]; last: Position | null }> {
    const records: SpoolRecord<C>[] = [];
    let position = after;
    // Loops because a picked record may turn out corrupt; the caller asked for `max` good ones.
    while (records.length < max) {
      const picked = this.pick(max - records.length, options, position);
      if (picked.length === 0) break;
      const last = picked[picked.length - 1];
      position = { rank: last.segment.cls.rank, seq: last.seq };
      for (let i = 0; i < picked.length; ) {
        const seg = picked[i].segment;
        let j = i + 1;
        while (j < picked.length && picked[j].segment === seg) j++;
        records.push(...(await this.readGroup(seg, picked.slice(i, j))));
        i = j;
      }
    }
    return { records, last: position };
  }

  /** The next `max` visible live records after `after`, in delivery order (index only, no I/O). */
  private pick(max: number, options: PeekOptions<C>, after: Position | null): Entry[] {
    const picked: Entry[] = [];
    if (max === 0) return picked;
    const only = options.classes ? new Set<string>(options.classes) : null;
    for (const c of this.order) {
      if (only && !only.has(c.name)) continue;
      if (after && c.rank < after.rank) continue;
      const minSeq = after && c.rank === after.rank ? after.seq + 1 : 0;
      classLoop: for (const seg of c.segments) {
        const n = seg.entries.length;
        if (n === 0 || seg.entries[n - 1].seq < minSeq) continue;
        advanceHead(seg);
        let i = seg.head;
        if (i < n && seg.entries[i].seq < minSeq) i = lowerBound(seg.entries, minSeq, i);
        for (; i < n; i++) {
          const e = seg.entries[i];
          if (e.done) continue;
          // Visibility advances in seq order: nothing later in this class is visible yet either.
          if (!e.visible) break classLoop;
          if (options.skipIds?.has(e.id)) continue;
          picked.push(e);
          if (picked.length >= max) return picked;
        }
      }
    }
    return picked;
  }

  /** Reads records of one segment with one read call, verifying each frame again (disks rot after recovery too). */
  private async readGroup(seg: Segment, group: Entry[]): Promise<SpoolRecord<C>[]> {
    const start = group[0].offset;
    const last = group[group.length - 1];
    let buf: Buffer;
    try {
      // A handle of our own: the pump may close or delete the segment meanwhile, and an open file stays readable.
      const handle = await fsp.open(seg.path, 'r');
      try {
        buf = await readFully(handle, start, last.offset + last.bytes - start);
      } finally {
        await handle.close();
      }
    } catch (error) {
      // Gone: deleted because its records were acknowledged or dropped meanwhile, or removed behind our back.
      if (errorCode(error) !== 'ENOENT') throw error;
      buf = Buffer.alloc(0);
    }
    const records: SpoolRecord<C>[] = [];
    for (const e of group) {
      if (e.done) continue;
      const r = decodeFrameAt(buf, e.offset - start);
      if (r.ok && r.end === e.offset - start + e.bytes && r.record.seq === e.seq && r.record.id === e.id && r.record.cls === seg.cls.name) {
        records.push({ id: e.id, class: seg.cls.name as C, seq: e.seq, enqueuedAt: e.enqueuedAt, payload: new Uint8Array(r.record.payload) });
        continue;
      }
      this.finish(e, 'corrupt');
      seg.cls.counters.corrupted++;
      if (seg.live === 0 && !seg.deleted && seg.cls.active !== seg) this.removeSegment(seg);
    }
    return records;
  }

  // ---- shutdown ----------------------------------------------------------------------------------------------------

  private async shutdown(): Promise<void> {
    this.state = 'closing';
    for (const c of this.order) {
      if (c.timer) clearInterval(c.timer);
      c.timer = null;
      if (c.active) this.seal(c.active);
    }
    let failure: unknown = undefined;
    await this.requestSync().catch((error: unknown) => (failure ??= error));
    // The pump may still be closing sealed segments after answering the flush: let it finish with its handles.
    await this.whenIdle();
    // One last cursor: the floors move past dropped segments, whatever happens to their unlinks.
    await this.persistCursor().catch((error: unknown) => (failure ??= error));
    this.state = 'closed';
    await this.closeHandles();
    await this.lock.release();
    if (failure !== undefined) throw failure;
  }

  private async closeHandles(): Promise<void> {
    for (const c of this.order) {
      for (const seg of [...c.segments, ...c.deleting]) await this.closeSegmentHandle(seg);
      await c.dirHandle?.close().catch(() => undefined);
      c.dirHandle = null;
    }
    await this.rootDirHandle?.close().catch(() => undefined);
    this.rootDirHandle = null;
  }
}

function normalizeOptions(options: SpoolOptions & { classes?: readonly SpoolClassOptions[] }): Config {
  if (typeof options.dir !== 'string' || options.dir.length === 0) throw new RangeError('spool dir must be a non-empty path');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < MIN_MAX_BYTES) throw new RangeError(`maxBytes must be an integer >= ${MIN_MAX_BYTES}, got ${maxBytes}`);
  const segmentBytes = options.segmentBytes ?? Math.min(maxBytes, Math.max(4096, Math.min(4 * 1024 * 1024, Math.floor(maxBytes / 16))));
  if (!Number.isSafeInteger(segmentBytes) || segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > maxBytes) {
    throw new RangeError(`segmentBytes must be an integer between ${MIN_SEGMENT_BYTES} and maxBytes (${maxBytes}), got ${segmentBytes}`);
  }
  const classes = options.classes ?? DEFAULT_CLASSES;
  if (classes.length === 0) throw new RangeError('a spool needs at least one class');
  const seen = new Set<string>();
  for (const c of classes) {
    if (typeof c.name !== 'string' || !CLASS_NAME.test(c.name) || c.name.length > MAX_CLASS_BYTES) {
      throw new RangeError(`spool class name ${JSON.stringify(c.name)} must match ${CLASS_NAME} and have at most ${MAX_CLASS_BYTES} characters`);
    }
    if (seen.has(c.name)) throw new RangeError(`spool class ${c.name} is listed twice`);
    seen.add(c.name);
    const fsync = c.fsync;
    if (fsync !== undefined && fsync !== 'always' && fsync !== 'never') {
      if (typeof fsync !== 'object' || fsync === null || !Number.isSafeInteger(fsync.intervalMs) || fsync.intervalMs < 1) {
        throw new RangeError(`spool class ${c.name}: fsync must be 'always', 'never' or { intervalMs: integer >= 1 }`);
      }
    }
  }
  return { dir: path.resolve(options.dir), maxBytes, segmentBytes, now: options.now ?? Date.now, classes };
}

function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function needsSync(seg: Segment): boolean {
  return seg.handle !== null && !seg.broken && (seg.synced < seg.written || !seg.dirSynced);
}

function advanceHead(seg: Segment): void {
  while (seg.head < seg.entries.length && seg.entries[seg.head].done) seg.head++;
}

/** First index >= from whose seq is >= seq. */
function lowerBound(entries: readonly Entry[], seq: number, from: number): number {
  let lo = from;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mergeRanges(ranges: [number, number][]): SeqRange[] {
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of ranges) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** writev until every byte is down (a regular file may take a short write, e.g. on a signal); returns bytes written. */
async function writeFully(handle: FileHandle, buffers: Buffer[], position: number): Promise<number> {
  let total = 0;
  let pending = buffers;
  while (pending.length > 0) {
    const chunk = pending.slice(0, MAX_IOVECS);
    const want = chunk.reduce((n, b) => n + b.length, 0);
    const { bytesWritten } = await handle.writev(chunk, position + total);
    if (bytesWritten <= 0) throw new Error(`short write: 0 of ${want} bytes`);
    total += bytesWritten;
    if (bytesWritten === want) {
      pending = pending.slice(chunk.length);
      continue;
    }
    // Keep the unwritten remainder: skip whole buffers written, then the written part of the next one.
    let skip = bytesWritten;
    let k = 0;
    while (skip >= chunk[k].length) skip -= chunk[k++].length;
    pending = [chunk[k].subarray(skip), ...chunk.slice(k + 1), ...pending.slice(chunk.length)];
  }
  return total;
}

async function readFully(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  // Shorter than asked (the file was cut behind our back): the frames that do not fit fail verification.
  return buf.subarray(0, got);
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
