import { recordBytes, RecordTooLargeError, Spool, SpoolFullError } from '../src';
import { cleanupTempDirs, payloadFor, segmentBytesOnDisk, tempDir } from './helpers';

afterAll(cleanupTempDirs);

const classes = [
  { name: 'event', fsync: 'never' },
  { name: 'telemetry', fsync: 'never' },
] as const;
const names = ['event', 'telemetry'];
const maxBytes = 16 * 1024;
const segmentBytes = 2 * 1024;

describe('disk bound and drop policy', () => {
  it('never lets the segment files exceed maxBytes; full of telemetry, it drops the oldest telemetry', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, classes, maxBytes, segmentBytes });
    for (let i = 0; i < 300; i++) {
      await spool.append('telemetry', `t-${i}`, payloadFor(`t-${i}`, 150));
      expect(segmentBytesOnDisk(dir, names)).toBeLessThanOrEqual(maxBytes);
      expect(spool.metrics.diskBytes).toBeLessThanOrEqual(maxBytes);
    }
    const m = spool.metrics.classes.telemetry;
    expect(m.dropped).toBeGreaterThan(0);
    expect(m.depthRecords).toBe(300 - m.dropped);
    // What is left is the newest telemetry, contiguous and in order.
    const left = (await spool.peek(1000)).map((r) => r.id);
    expect(left).toEqual(Array.from({ length: m.depthRecords }, (_, k) => `t-${300 - m.depthRecords + k}`));
    // Drops free whole segments: at most one segment's worth of room is ever unused.
    expect(spool.metrics.diskBytes).toBeGreaterThan(maxBytes - segmentBytes - recordBytes('telemetry', 't-999', 150));
    await spool.close();
  });

  it('drops telemetry before any event, and events (oldest first) only once no telemetry is left', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, classes, maxBytes, segmentBytes });
    for (let i = 0; i < 60; i++) await spool.append('telemetry', `t-${i}`, payloadFor(`t-${i}`, 200));
    let firstEventDrop = -1;
    for (let i = 0; i < 150; i++) {
      await spool.append('event', `e-${i}`, payloadFor(`e-${i}`, 200));
      const m = spool.metrics.classes;
      if (m.event.dropped > 0 && firstEventDrop < 0) firstEventDrop = i;
      // Whenever events have been dropped, no telemetry may remain.
      if (m.event.dropped > 0) expect(m.telemetry).toMatchObject({ depthRecords: 0, segments: 0 });
      expect(segmentBytesOnDisk(dir, names)).toBeLessThanOrEqual(maxBytes);
    }
    const m = spool.metrics.classes;
    expect(firstEventDrop).toBeGreaterThan(0);
    expect(m.telemetry.dropped).toBe(60);
    expect(m.event.dropped).toBe(150 - m.event.depthRecords);
    const left = (await spool.peek(1000)).map((r) => r.id);
    expect(left).toEqual(Array.from({ length: m.event.depthRecords }, (_, k) => `e-${150 - m.event.depthRecords + k}`));
    await spool.close();
  });

  it('refuses telemetry when the budget is full of events, dropping nothing for it', async () => {
    const spool = await Spool.open({ dir: tempDir(), classes, maxBytes, segmentBytes });
    // Events until less than one telemetry record of room is left (drops free whole segments, so room comes and goes).
    const need = recordBytes('telemetry', 't', 200);
    for (let i = 0; maxBytes - spool.metrics.diskBytes >= need; i++) await spool.append('event', `e-${i}`, payloadFor(`e-${i}`, 200));
    const before = spool.metrics.classes.event;
    const error = await spool.append('telemetry', 't', payloadFor('t', 200)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpoolFullError);
    expect(error).toMatchObject({ code: 'SPOOL_FULL', recordClass: 'telemetry' });
    expect(spool.metrics.classes.telemetry).toMatchObject({ refused: 1, appended: 0, depthRecords: 0 });
    expect(spool.metrics.classes.event).toEqual(before);
    await spool.close();
  });

  it('rejects one record larger than the whole budget, and stores one larger than a segment in its own', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, classes, maxBytes, segmentBytes });
    await spool.append('event', 'small', Buffer.alloc(10));
    const tooBig = maxBytes; // the payload alone fills the budget; the frame adds its header
    await expect(spool.append('event', 'huge', Buffer.alloc(tooBig))).rejects.toThrow(RecordTooLargeError);
    await expect(spool.append('event', 'huge', Buffer.alloc(tooBig))).rejects.toMatchObject({ code: 'RECORD_TOO_LARGE', maxBytes });
    const fits = maxBytes - recordBytes('event', 'exact', 0);
    await spool.append('event', 'exact', payloadFor('exact', fits));
    // It took the whole budget: the older event had to go.
    const records = await spool.peek(10);
    expect(records.map((r) => r.id)).toEqual(['exact']);
    expect(Buffer.from(records[0].payload)).toEqual(payloadFor('exact', fits));
    expect(spool.metrics).toMatchObject({ diskBytes: maxBytes });
    expect(spool.metrics.classes.event.dropped).toBe(1);
    await spool.close();
  });

  it('applies a lowered budget at open, in drop order', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, classes, maxBytes: 64 * 1024, segmentBytes });
    for (let i = 0; i < 100; i++) {
      await spool.append('telemetry', `t-${i}`, payloadFor(`t-${i}`, 200));
      await spool.append('event', `e-${i}`, payloadFor(`e-${i}`, 200));
    }
    await spool.close();
    const smaller = await Spool.open({ dir, classes, maxBytes, segmentBytes });
    expect(smaller.metrics.diskBytes).toBeLessThanOrEqual(maxBytes);
    expect(smaller.metrics.classes.telemetry.depthRecords).toBe(0);
    expect(smaller.metrics.classes.event.depthRecords).toBeGreaterThan(0);
    expect(smaller.metrics.classes.event.dropped).toBe(100 - smaller.metrics.classes.event.depthRecords);
    await smaller.flush();
    expect(segmentBytesOnDisk(dir, names)).toBeLessThanOrEqual(maxBytes);
    await smaller.close();
  });

  it('never blocks: with no consumer at all, thousands of concurrent appends all settle', async () => {
    const spool = await Spool.open({ dir: tempDir(), classes, maxBytes, segmentBytes });
    const results = await Promise.allSettled(Array.from({ length: 3000 }, (_, i) => spool.append(i % 3 ? 'telemetry' : 'event', `r-${i}`, Buffer.alloc(100))));
    expect(results.filter((r) => r.status === 'fulfilled').length + spool.metrics.classes.telemetry.refused).toBe(3000);
    const m = spool.metrics.classes;
    expect(m.event.depthRecords + m.telemetry.depthRecords).toBe(3000 - m.event.dropped - m.telemetry.dropped - m.telemetry.refused);
    await spool.close();
  });
});
