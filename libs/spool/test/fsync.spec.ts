import { Spool } from '../src';
import { cleanupTempDirs, payloadFor, tempDir } from './helpers';

afterAll(cleanupTempDirs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fsync policies', () => {
  it('always: every append resolves after an fsync, and concurrent appends share them (group commit)', async () => {
    const spool = await Spool.open({ dir: tempDir(), classes: [{ name: 'event', fsync: 'always' }] });
    for (let i = 0; i < 5; i++) {
      const before = spool.metrics.fsyncs;
      await spool.append('event', `s-${i}`, payloadFor(`s-${i}`, 100));
      expect(spool.metrics.fsyncs).toBeGreaterThan(before);
    }
    const before = spool.metrics.fsyncs;
    await Promise.all(Array.from({ length: 500 }, (_, i) => spool.append('event', `c-${i}`, payloadFor(`c-${i}`, 100))));
    const used = spool.metrics.fsyncs - before;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThan(50);
    expect(spool.metrics.classes.event.depthRecords).toBe(505);
    await spool.close();
  });

  it('interval: appends resolve without an fsync; one follows within the interval, none while idle', async () => {
    const spool = await Spool.open({ dir: tempDir(), classes: [{ name: 'telemetry', fsync: { intervalMs: 40 } }] });
    await Promise.all(Array.from({ length: 100 }, (_, i) => spool.append('telemetry', `t-${i}`, Buffer.alloc(50))));
    expect(spool.metrics.fsyncs).toBe(0);
    // Visible as soon as the append resolved (written: a process crash no longer loses it).
    expect(await spool.peek(1000)).toHaveLength(100);
    await sleep(150);
    const synced = spool.metrics.fsyncs;
    expect(synced).toBeGreaterThanOrEqual(1);
    await sleep(120);
    expect(spool.metrics.fsyncs).toBe(synced);
    await spool.close();
  });

  it('never: no fsync until flush() or close()', async () => {
    const spool = await Spool.open({ dir: tempDir(), classes: [{ name: 'bulk', fsync: 'never' }] });
    await Promise.all(Array.from({ length: 100 }, (_, i) => spool.append('bulk', `b-${i}`, Buffer.alloc(50))));
    await sleep(50);
    expect(spool.metrics.fsyncs).toBe(0);
    await spool.flush();
    expect(spool.metrics.fsyncs).toBeGreaterThanOrEqual(1);
    await spool.close();
  });

  it('a slow event fsync does not hold telemetry back for long, and mixed policies keep their own promises', async () => {
    const spool = await Spool.open({ dir: tempDir() });
    const done: string[] = [];
    await Promise.all([
      spool.append('event', 'e', Buffer.alloc(10)).then(() => done.push('e')),
      spool.append('telemetry', 't', Buffer.alloc(10)).then(() => done.push('t')),
    ]);
    // Same batch: telemetry resolves after the write, the event after the fsync that follows it.
    expect(done).toEqual(['t', 'e']);
    await spool.close();
  });
});
