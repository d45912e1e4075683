import { appendFileSync, cpSync, existsSync, openSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'fs';
import { join } from 'path';
import { recordBytes, Spool, SpoolRecord } from '../src';
import { cleanupTempDirs, payloadFor, segmentFiles, tempDir } from './helpers';

afterAll(cleanupTempDirs);

const classes = [
  { name: 'event', fsync: 'never' },
  { name: 'telemetry', fsync: 'never' },
] as const;
const PAYLOAD = 100;
/** Every record id `e-NN` has the same framed size, so offsets are easy to compute. */
const FRAME = recordBytes('event', 'e-00', PAYLOAD);
const PER_SEGMENT = 5;
const segmentBytes = FRAME * PER_SEGMENT;
const id = (i: number) => `e-${String(i).padStart(2, '0')}`;

/** A closed spool with `count` events, PER_SEGMENT per segment file. */
async function baseSpool(count: number): Promise<string> {
  const dir = tempDir('spool-base');
  const spool = await Spool.open({ dir, classes, segmentBytes });
  for (let i = 0; i < count; i++) await spool.append('event', id(i), payloadFor(id(i), PAYLOAD));
  await spool.close();
  return dir;
}

function copyOf(dir: string): string {
  const copy = tempDir('spool-copy');
  cpSync(dir, copy, { recursive: true });
  return copy;
}

async function reopen(dir: string) {
  const spool = await Spool.open({ dir, classes, segmentBytes });
  const records = await spool.peek(1000);
  return { spool, records, ids: records.map((r) => r.id) };
}

/** Nothing returned is damaged: every payload is exactly what was appended under its id. */
function expectIntact(records: SpoolRecord[]): void {
  for (const r of records) expect(Buffer.from(r.payload)).toEqual(payloadFor(r.id, PAYLOAD));
}

function flipByte(file: string, at: number, mask = 0x5a): void {
  const fd = openSync(file, 'r+');
  const b = Buffer.alloc(1);
  const data = readFileSync(file);
  b[0] = data[at] ^ mask;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
}

const all = (n: number, except: number[] = []) => Array.from({ length: n }, (_, i) => i).filter((i) => !except.includes(i)).map(id);

describe('recovery', () => {
  let base: string;
  beforeAll(async () => {
    base = await baseSpool(12); // segments of 5, 5 and 2 records
  });

  it('cuts a torn tail (a record half written) at every kind of cut, keeps every earlier record, and stays clean after', async () => {
    for (const into of [1, 4, 11, 12, 30, FRAME - 1]) {
      const dir = copyOf(base);
      const last = segmentFiles(dir, 'event').at(-1)!;
      truncateSync(last, FRAME + into); // the second (last) record of the last segment, cut `into` bytes in
      const { spool, records, ids } = await reopen(dir);
      expect(ids).toEqual(all(11));
      expectIntact(records);
      expect(spool.metrics.recovery).toMatchObject({ truncatedBytes: into, tornSegments: 1, corruptRecords: 0, records: 11, liveRecords: 11 });
      expect(statSync(last).size).toBe(FRAME);
      // The log goes on after the cut, and the next recovery finds nothing to repair.
      await spool.append('event', 'after', payloadFor('after', PAYLOAD));
      await spool.close();
      const again = await reopen(dir);
      expect(again.ids).toEqual([...all(11), 'after']);
      expect(again.spool.metrics.recovery).toMatchObject({ truncatedBytes: 0, corruptRecords: 0 });
      await again.spool.close();
    }
  });

  it('cuts a torn tail of an older segment too, without touching the later ones', async () => {
    const dir = copyOf(base);
    truncateSync(segmentFiles(dir, 'event')[0], FRAME * 4 + 7);
    const { spool, records, ids } = await reopen(dir);
    expect(ids).toEqual(all(12, [4]));
    expectIntact(records);
    expect(spool.metrics.recovery).toMatchObject({ truncatedBytes: 7, tornSegments: 1 });
    await spool.close();
  });

  it('cuts garbage or zeros after the last record (a write that never completed its data)', async () => {
    for (const junk of [Buffer.alloc(300), Buffer.from('SPL1 not really a frame at all')]) {
      const dir = copyOf(base);
      appendFileSync(segmentFiles(dir, 'event').at(-1)!, junk);
      const { spool, ids } = await reopen(dir);
      expect(ids).toEqual(all(12));
      expect(spool.metrics.recovery.truncatedBytes).toBe(junk.length);
      await spool.close();
    }
  });

  it('skips a record with flipped bits in the middle of a segment, wherever they hit, and counts it', async () => {
    // Inside record 2 of segment 0: magic, length, crc, header (seq, id), payload.
    for (const offset of [0, 5, 9, 14, 20, 40, FRAME - 1]) {
      const dir = copyOf(base);
      flipByte(segmentFiles(dir, 'event')[0], FRAME * 2 + offset);
      const { spool, records, ids } = await reopen(dir);
      expect(ids).toEqual(all(12, [2]));
      expectIntact(records);
      expect(spool.metrics.recovery).toMatchObject({ corruptRecords: 1, corruptBytes: FRAME, truncatedBytes: 0 });
      await spool.close();
    }
  });

  it('survives damage in several segments at once and never returns a damaged record', async () => {
    const dir = copyOf(base);
    const files = segmentFiles(dir, 'event');
    flipByte(files[0], 3); // record 0's magic
    flipByte(files[0], FRAME * 3 + 50); // record 3's payload
    flipByte(files[1], FRAME + 6); // record 6's length
    flipByte(files[1], FRAME + 60); // and its payload
    const { spool, records, ids } = await reopen(dir);
    expect(ids).toEqual(all(12, [0, 3, 6]));
    expectIntact(records);
    expect(spool.metrics.recovery.corruptRecords).toBe(3);
    await spool.close();
  });

  it('detects damage that happens after open, when the record is read', async () => {
    const dir = copyOf(base);
    const { spool } = await reopen(dir);
    flipByte(segmentFiles(dir, 'event')[1], FRAME * 2 + 70);
    const records = await spool.peek(1000);
    expect(records.map((r) => r.id)).toEqual(all(12, [7]));
    expectIntact(records);
    expect(spool.metrics.classes.event).toMatchObject({ corrupted: 1, depthRecords: 11 });
    // Asking for exactly as many as exist still yields that many good ones when more are there.
    expect((await spool.peek(11)).map((r) => r.id)).toEqual(all(12, [7]));
    await spool.close();
  });

  it('ignores a damaged cursor and redelivers (at-least-once), instead of trusting a wrong floor', async () => {
    const dir = copyOf(base);
    const { spool } = await reopen(dir);
    await spool.ack([id(0), id(1), id(2)]);
    await spool.close();
    flipByte(join(dir, 'cursor.json'), 20, 0x01);
    const again = await reopen(dir);
    expect(again.spool.metrics.recovery.cursorReset).toBe(true);
    expect(again.ids).toEqual(all(12));
    await again.spool.close();
  });

  it('discards a cursor write that never got renamed, keeping the previous cursor', async () => {
    const dir = copyOf(base);
    const { spool } = await reopen(dir);
    await spool.ack([id(0)]);
    await spool.close();
    writeFileSync(join(dir, 'cursor.json.tmp'), '00000000 {"half":');
    const again = await reopen(dir);
    expect(again.ids).toEqual(all(12, [0]));
    expect(existsSync(join(dir, 'cursor.json.tmp'))).toBe(false);
    await again.spool.close();
  });

  it('removes empty or wholly torn segment files and leaves foreign files alone', async () => {
    const dir = copyOf(base);
    writeFileSync(join(dir, 'event', '0000000000000100.seg'), '');
    writeFileSync(join(dir, 'event', '0000000000000200.seg'), Buffer.alloc(50, 1));
    writeFileSync(join(dir, 'event', 'notes.txt'), 'operator was here');
    const { spool, ids } = await reopen(dir);
    expect(ids).toEqual(all(12));
    expect(spool.metrics.recovery).toMatchObject({ deletedSegments: 2, truncatedBytes: 50 });
    // New seqs start above every segment name seen, so no file name is ever reused.
    await spool.append('event', 'new', payloadFor('new', PAYLOAD));
    expect((await spool.peek(100)).at(-1)!.seq).toBe(201);
    await spool.close();
    expect(readdirSync(join(dir, 'event'))).toContain('notes.txt');
  });
});
