import { copyFileSync, existsSync, writeFileSync } from 'fs';
import { join } from 'path';
import { RecordTooLargeError, Spool, SpoolClosedError, SpoolLockedError, SpoolRecord } from '../src';
import { cleanupTempDirs, crashImage, payloadFor, segmentFiles, tempDir } from './helpers';

afterAll(cleanupTempDirs);

const ids = (records: SpoolRecord[]) => records.map((r) => r.id);
/** Fast policies for specs that are not about durability. */
const quick = [
  { name: 'event', fsync: 'never' },
  { name: 'telemetry', fsync: 'never' },
] as const;

describe('Spool basics', () => {
  it('round-trips records: ids, classes, payload bytes, enqueue times, per-class seqs', async () => {
    let clock = 1_700_000_000_000;
    const spool = await Spool.open({ dir: tempDir(), now: () => clock++ });
    const sizes = [0, 1, 100, 4095, 70_000];
    for (const [i, size] of sizes.entries()) {
      await spool.append('event', `e-${i}`, payloadFor(`e-${i}`, size));
      await spool.append('telemetry', `t-${i}`, payloadFor(`t-${i}`, size));
    }
    const records = await spool.peek(100);
    expect(records.map((r) => [r.class, r.id, r.seq])).toEqual([
      ...sizes.map((_, i) => ['event', `e-${i}`, i]),
      ...sizes.map((_, i) => ['telemetry', `t-${i}`, i]),
    ]);
    for (const r of records) expect(Buffer.from(r.payload)).toEqual(payloadFor(r.id, sizes[Number(r.id.slice(2))]));
    expect(records[0].enqueuedAt).toBe(1_700_000_000_000);
    expect(records.find((r) => r.id === 't-0')!.enqueuedAt).toBe(1_700_000_000_001);
    expect(spool.metrics.classes.event).toMatchObject({ depthRecords: 5, appended: 5, acknowledged: 0 });
    await spool.close();
  });

  it('delivers in priority order (events first), oldest first within a class, and honours max, classes, skipIds', async () => {
    const spool = await Spool.open({ dir: tempDir(), classes: quick });
    const order = ['t1', 'e1', 't2', 't3', 'e2', 't4', 'e3'];
    await Promise.all(order.map((id) => spool.append(id.startsWith('e') ? 'event' : 'telemetry', id, Buffer.from(id))));
    expect(ids(await spool.peek(100))).toEqual(['e1', 'e2', 'e3', 't1', 't2', 't3', 't4']);
    expect(ids(await spool.peek(4))).toEqual(['e1', 'e2', 'e3', 't1']);
    expect(ids(await spool.peek(0))).toEqual([]);
    expect(ids(await spool.peek(100, { classes: ['telemetry'] }))).toEqual(['t1', 't2', 't3', 't4']);
    expect(ids(await spool.peek(3, { skipIds: new Set(['e1', 'e3', 't1']) }))).toEqual(['e2', 't2', 't3']);
    const iterated: string[] = [];
    for await (const r of spool.records()) iterated.push(r.id);
    expect(iterated).toEqual(['e1', 'e2', 'e3', 't1', 't2', 't3', 't4']);
    // Peek does not consume.
    expect(await spool.peek(100)).toHaveLength(7);
    await spool.close();
  });

  it('iterates more records than one read batch, skipping what is acknowledged meanwhile', async () => {
    const spool = await Spool.open({ dir: tempDir(), classes: quick, segmentBytes: 1024 });
    for (let i = 0; i < 300; i++) void spool.append('telemetry', `t-${i}`, payloadFor(`t-${i}`, 20));
    await spool.flush();
    const seen: string[] = [];
    for await (const r of spool.records()) {
      seen.push(r.id);
      // Beyond the batch already read (64 records): skipped when the walk gets there.
      if (r.id === 't-10') await spool.ack(['t-100', 't-200']);
    }
    expect(seen).toHaveLength(298);
    expect(seen).not.toContain('t-100');
    expect(seen).not.toContain('t-200');
    expect(seen).toEqual([...seen].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2))));
    await spool.close();
  });

  it('keeps acknowledgements across close and reopen, in order or not; unacknowledged records come back', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, segmentBytes: 512 });
    for (let i = 0; i < 40; i++) await spool.append(i % 2 ? 'telemetry' : 'event', `r-${i}`, payloadFor(`r-${i}`, 30));
    expect(await spool.ack(['r-0', 'r-2', 'r-4', 'r-30', 'r-31', 'r-7'])).toBe(6);
    expect(await spool.ack(['r-0', 'no-such-id'])).toBe(0);
    await spool.close();

    const again = await Spool.open({ dir, segmentBytes: 512 });
    const expected = Array.from({ length: 40 }, (_, i) => i)
      .filter((i) => ![0, 2, 4, 30, 31, 7].includes(i))
      .sort((a, b) => (a % 2) - (b % 2) || a - b)
      .map((i) => `r-${i}`);
    expect(ids(await again.peek(100))).toEqual(expected);
    expect(again.metrics.classes.event.recovered + again.metrics.classes.telemetry.recovered).toBe(34);
    // Seqs go on from where they were, so a stale acknowledgement can never cover a new record.
    await again.append('event', 'late', Buffer.from('x'));
    const late = (await again.peek(100)).find((r) => r.id === 'late')!;
    expect(late.seq).toBe(20);
    await again.close();
  });

  it('deletes fully acknowledged segments (a sealed one at once, the active one when it is sealed or at close)', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, classes: quick, segmentBytes: 400 });
    for (let i = 0; i < 30; i++) await spool.append('event', `e-${i}`, payloadFor(`e-${i}`, 60));
    const before = segmentFiles(dir, 'event');
    expect(before.length).toBeGreaterThan(3);
    const first = (await spool.peek(100)).filter((r) => r.seq < 4);
    await spool.ack(first.map((r) => r.id));
    await spool.flush();
    expect(existsSync(before[0])).toBe(false);
    expect(segmentFiles(dir, 'event')).toEqual(before.slice(1));

    await spool.ack((await spool.peek(100)).map((r) => r.id));
    await spool.flush();
    expect(segmentFiles(dir, 'event')).toHaveLength(1); // the active segment, emptied
    expect(spool.metrics.classes.event).toMatchObject({ depthRecords: 0, depthBytes: 0, acknowledged: 30 });
    await spool.close();
    expect(segmentFiles(dir, 'event')).toEqual([]);
  });

  it('does not redeliver records of a deleted segment acknowledged out of order, after a reopen', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, classes: quick, segmentBytes: 300 });
    for (let i = 0; i < 20; i++) await spool.append('event', `e-${i}`, payloadFor(`e-${i}`, 60));
    const records = await spool.peek(100);
    const middle = records.filter((r) => r.seq >= 6 && r.seq < 14).map((r) => r.id);
    await spool.ack(middle);
    await spool.close();
    const again = await Spool.open({ dir, classes: quick, segmentBytes: 300 });
    expect(ids(await again.peek(100))).toEqual(records.map((r) => r.id).filter((id) => !middle.includes(id)));
    await again.close();
  });

  it('does not redeliver an acknowledged segment whose removal a crash cut short (cursor durable, unlink lost)', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, classes: quick, segmentBytes: 300 });
    for (let i = 0; i < 20; i++) await spool.append('event', `e-${i}`, payloadFor(`e-${i}`, 60));
    await spool.flush();
    const records = await spool.peek(100);
    // The crash image: every segment file as before the ack, the cursor as the ack left it.
    const image = crashImage(dir);
    const middle = records.filter((r) => r.seq >= 6 && r.seq < 14).map((r) => r.id);
    await spool.ack(middle);
    copyFileSync(join(dir, 'cursor.json'), join(image, 'cursor.json'));
    await spool.close();
    const again = await Spool.open({ dir: image, classes: quick, segmentBytes: 300 });
    expect(ids(await again.peek(100))).toEqual(records.map((r) => r.id).filter((id) => !middle.includes(id)));
    await again.close();
  });

  it('acknowledges every copy of an id appended twice (delivery is de-duplicated by id)', async () => {
    const spool = await Spool.open({ dir: tempDir(), classes: quick });
    await spool.append('event', 'dup', Buffer.from('a'));
    await spool.append('telemetry', 'dup', Buffer.from('b'));
    await spool.append('event', 'other', Buffer.from('c'));
    expect(ids(await spool.peek(10))).toEqual(['dup', 'other', 'dup']);
    expect(await spool.ack('dup')).toBe(2);
    expect(ids(await spool.peek(10))).toEqual(['other']);
    await spool.close();
  });

  it('supports any number of classes, named and ordered by the caller', async () => {
    const spool = await Spool.open({
      dir: tempDir(),
      classes: [
        { name: 'alarm', fsync: 'always' },
        { name: 'event', fsync: { intervalMs: 50 } },
        { name: 'bulk', fsync: 'never' },
      ],
    });
    await spool.append('bulk', 'b', Buffer.from('b'));
    await spool.append('event', 'e', Buffer.from('e'));
    await spool.append('alarm', 'a', Buffer.from('a'));
    expect(spool.classes).toEqual(['alarm', 'event', 'bulk']);
    expect((await spool.peek(10)).map((r) => r.class)).toEqual(['alarm', 'event', 'bulk']);
    await spool.close();
  });

  it('refuses bad input clearly', async () => {
    const spool = await Spool.open({ dir: tempDir(), maxBytes: 4096 });
    await expect(spool.append('nope' as 'event', 'x', Buffer.alloc(1))).rejects.toThrow(/unknown spool class "nope"/);
    await expect(spool.append('event', '', Buffer.alloc(1))).rejects.toThrow(RangeError);
    await expect(spool.append('event', 'x'.repeat(2000), Buffer.alloc(1))).rejects.toThrow(/more than 1024/);
    await expect(spool.append('event', 'half \uD83D pair', Buffer.alloc(1))).rejects.toThrow(/well-formed/);
    await spool.append('event', 'ünïcödé 🚒 id', Buffer.alloc(1));
    expect((await spool.peek(1)).map((r) => r.id)).toEqual(['ünïcödé 🚒 id']);
    await expect(spool.append('event', 'x', 'text' as unknown as Uint8Array)).rejects.toThrow(TypeError);
    await expect(spool.append('event', 'big', Buffer.alloc(5000))).rejects.toThrow(RecordTooLargeError);
    await expect(spool.peek(-1)).rejects.toThrow(RangeError);
    await spool.close();
    await expect(Spool.open({ dir: tempDir(), maxBytes: 10 })).rejects.toThrow(/maxBytes/);
    await expect(Spool.open({ dir: tempDir(), maxBytes: 4096, segmentBytes: 8192 })).rejects.toThrow(/segmentBytes/);
    await expect(Spool.open({ dir: tempDir(), classes: [{ name: 'Bad Name' }] })).rejects.toThrow(/class name/);
    await expect(Spool.open({ dir: tempDir(), classes: [{ name: 'a' }, { name: 'a' }] })).rejects.toThrow(/twice/);
    await expect(Spool.open({ dir: tempDir(), classes: [{ name: 'a', fsync: { intervalMs: 0 } }] })).rejects.toThrow(/intervalMs/);
  });

  it('rejects work after close; close is idempotent and waits for pending appends', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, classes: quick });
    const pending = Array.from({ length: 50 }, (_, i) => spool.append('telemetry', `t-${i}`, Buffer.alloc(10)));
    await Promise.all([spool.close(), spool.close()]);
    await expect(Promise.all(pending)).resolves.toHaveLength(50);
    await expect(spool.append('event', 'x', Buffer.alloc(1))).rejects.toThrow(SpoolClosedError);
    await expect(spool.ack(['t-1'])).rejects.toThrow(SpoolClosedError);
    await expect(spool.peek(1)).rejects.toThrow(SpoolClosedError);
    const again = await Spool.open({ dir, classes: quick });
    expect(again.metrics.depthRecords).toBe(50);
    await again.close();
  });

  it('lets one owner at a time open a directory; a dead owner’s lock is taken over', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir });
    await expect(Spool.open({ dir })).rejects.toThrow(SpoolLockedError);
    await spool.close();

    // The parent of this test process is alive: its lock holds.
    writeFileSync(join(dir, 'spool.lock'), `${process.ppid}\n`);
    await expect(Spool.open({ dir })).rejects.toThrow(/held by running process/);
    // A pid that cannot be running (above the kernel's pid_max) is stale.
    writeFileSync(join(dir, 'spool.lock'), '2147483646\n');
    const taken = await Spool.open({ dir });
    await taken.close();
    expect(existsSync(join(dir, 'spool.lock'))).toBe(false);
  });
});
