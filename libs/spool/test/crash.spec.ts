import { fork } from 'child_process';
import { join } from 'path';
import { Spool, SpoolRecord } from '../src';
import { cleanupTempDirs, CrashChildMessage, crashRecordSize, payloadFor, tempDir } from './helpers';

afterAll(cleanupTempDirs);

const ROUNDS = 3;
/** Appends the parent waits to hear about before it picks a moment to kill. */
const APPENDS_BEFORE_KILL = 300;

/** Runs one child against `dir` and SIGKILLs it mid-flight; returns what it reported as durable. */
function runAndKill(dir: string, round: number): Promise<{ appended: string[]; acked: string[] }> {
  const appended: string[] = [];
  const acked: string[] = [];
  const child = fork(join(__dirname, 'crash-child.ts'), [dir, String(round)], {
    execArgv: ['--require', require.resolve('tsx/cjs')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let killing = false;
  return new Promise((resolve, reject) => {
    child.on('message', (message: CrashChildMessage) => {
      if (message.type === 'appended') appended.push(message.id);
      if (message.type === 'acked') acked.push(message.id);
      if (!killing && appended.length >= APPENDS_BEFORE_KILL && acked.length >= 10) {
        killing = true;
        // A little later, at a moment unrelated to any append: writes, fsyncs and cursor renames are all in flight.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
      }
    });
    child.on('error', reject);
    // Messages the child sent before dying are still delivered before 'exit'; they count (those appends resolved).
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ appended, acked });
      else reject(new Error(`crash child exited with ${code ?? signal} before it was killed`));
    });
  });
}

function parseId(id: string): { cls: string; round: number; n: number } {
  const [cls, round, n] = id.split('-');
  return { cls, round: Number(round), n: Number(n) };
}

describe('SIGKILL of a writing process', () => {
  jest.setTimeout(30_000);

  it(`loses no resolved append and redelivers no resolved ack, over ${ROUNDS} kills and restarts`, async () => {
    const dir = tempDir('spool-crash');
    const appended = new Set<string>();
    const acked = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const reported = await runAndKill(dir, round);
      reported.appended.forEach((id) => appended.add(id));
      reported.acked.forEach((id) => acked.add(id));
    }
    expect(acked.size).toBeGreaterThan(0);

    const spool = await Spool.open({ dir, segmentBytes: 256 * 1024 });
    const records: SpoolRecord[] = [];
    for await (const r of spool.records()) records.push(r);
    const present = new Set(records.map((r) => r.id));

    // Every append the child saw resolve is there, unless it was acknowledged. An ack in flight at the kill may have
    // reached disk without its report reaching us, so the ids the child acknowledges (n % 7 === 3) may be gone too.
    const missing = [...appended].filter((id) => !acked.has(id) && !present.has(id));
    expect(missing.filter((id) => parseId(id).n % 7 !== 3)).toEqual([]);
    expect([...acked].filter((id) => present.has(id))).toEqual([]);
    // Nothing is returned twice, and nothing damaged: each payload is exactly what was appended under its id.
    expect(present.size).toBe(records.length);
    for (const r of records) {
      const { cls, n } = parseId(r.id);
      expect(r.class).toBe(cls);
      expect(Buffer.from(r.payload).equals(payloadFor(r.id, crashRecordSize(n)))).toBe(true);
    }
    // Events first; within a class, append order (round, then n) and increasing seqs.
    const classes = records.map((r) => r.class);
    expect(classes).toEqual([...classes].sort());
    for (const cls of ['event', 'telemetry']) {
      const mine = records.filter((r) => r.class === cls);
      const keys = mine.map((r) => parseId(r.id)).map((p) => p.round * 1e9 + p.n);
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
      expect(mine.map((r) => r.seq)).toEqual([...mine.map((r) => r.seq)].sort((a, b) => a - b));
    }
    const recovery = spool.metrics.recovery;
    await spool.close();

    // The first open repaired whatever the kills tore: a second one finds clean files and the same records.
    const again = await Spool.open({ dir, segmentBytes: 256 * 1024 });
    expect(again.metrics.recovery).toMatchObject({ truncatedBytes: 0, tornSegments: 0, corruptRecords: 0 });
    expect(again.metrics.depthRecords).toBe(records.length);
    await again.close();
    // For the log: what the kills did.
    console.log(
      `SIGKILL x${ROUNDS}: ${appended.size} appends and ${acked.size} acks reported, ${records.length} records recovered; ` +
        `torn tails ${recovery.tornSegments} (${recovery.truncatedBytes} bytes), corrupt ${recovery.corruptRecords}`,
    );
  });
});
