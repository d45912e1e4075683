// Micro-benchmark of the spool (not a test): appends per second per fsync policy, with and without concurrency (group
// commit only helps when several appends are in flight), and the drain rate of a peek + ack consumer.
//
//   npx tsx --tsconfig tsconfig.base.json libs/spool/bench.ts [--quick]
//
// Runs in the OS temp directory, so the numbers are those of that file system and disk.
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { FsyncPolicy, Spool } from './src';

const quick = process.argv.includes('--quick');
const scale = quick ? 0.2 : 1;

interface Scenario {
  name: string;
  cls: 'event' | 'telemetry';
  policy: FsyncPolicy;
  appends: number;
  concurrency: number;
  payloadBytes: number;
}

const scenarios: Scenario[] = [
  { name: 'events, fsync always, 1 in flight', cls: 'event', policy: 'always', appends: 300, concurrency: 1, payloadBytes: 512 },
  { name: 'events, fsync always, 64 in flight', cls: 'event', policy: 'always', appends: 20_000, concurrency: 64, payloadBytes: 512 },
  { name: 'events, fsync always, 512 in flight', cls: 'event', policy: 'always', appends: 60_000, concurrency: 512, payloadBytes: 512 },
  { name: 'telemetry, interval 1 s, 1 in flight', cls: 'telemetry', policy: { intervalMs: 1000 }, appends: 30_000, concurrency: 1, payloadBytes: 1024 },
  { name: 'telemetry, interval 1 s, 256 in flight', cls: 'telemetry', policy: { intervalMs: 1000 }, appends: 300_000, concurrency: 256, payloadBytes: 1024 },
  { name: 'telemetry, never, 256 in flight', cls: 'telemetry', policy: 'never', appends: 300_000, concurrency: 256, payloadBytes: 1024 },
];

function open(dir: string, scenario: Pick<Scenario, 'cls' | 'policy'>): Promise<Spool> {
  return Spool.open({
    dir,
    maxBytes: 4 * 1024 * 1024 * 1024,
    segmentBytes: 4 * 1024 * 1024,
    classes: [
      { name: 'event', fsync: scenario.cls === 'event' ? scenario.policy : 'always' },
      { name: 'telemetry', fsync: scenario.cls === 'telemetry' ? scenario.policy : { intervalMs: 1000 } },
    ],
  }) as Promise<Spool>;
}

async function runAppends(s: Scenario): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pss-spool-bench-'));
  try {
    const spool = await open(dir, s);
    const payload = randomBytes(s.payloadBytes);
    const appends = Math.max(s.concurrency, Math.round(s.appends * scale));
    const started = performance.now();
    // `concurrency` producers, each awaiting its own appends: as many appends in flight as a gateway with that many
    // concurrent sources would have.
    await Promise.all(
      Array.from({ length: s.concurrency }, async (_, worker) => {
        for (let i = worker; i < appends; i += s.concurrency) await spool.append(s.cls, `${s.cls}-${i}`, payload);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const fsyncs = spool.metrics.fsyncs;
    await spool.close();
    return [
      s.name,
      `${s.payloadBytes} B`,
      String(appends),
      fmt(appends / seconds),
      ((appends * s.payloadBytes) / seconds / 1e6).toFixed(1),
      String(fsyncs),
      fsyncs > 0 ? fmt(appends / fsyncs) : '-',
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runDrain(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pss-spool-bench-'));
  try {
    const spool = await open(dir, { cls: 'telemetry', policy: 'never' });
    const payload = randomBytes(1024);
    const records = Math.round(100_000 * scale);
    await Promise.all(Array.from({ length: records }, (_, i) => spool.append('telemetry', `t-${i}`, payload)));
    await spool.flush();
    const started = performance.now();
    // A forwarder: read a batch, "publish" it, acknowledge it (each ack waits for the durable cursor).
    for (let batch = await spool.peek(1000); batch.length > 0; batch = await spool.peek(1000)) await spool.ack(batch.map((r) => r.id));
    const seconds = (performance.now() - started) / 1000;
    await spool.close();
    return ['drain: peek(1000) + ack', '1024 B', String(records), fmt(records / seconds), ((records * 1024) / seconds / 1e6).toFixed(1), '', ''];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  console.log(`spool micro-benchmark: node ${process.version}, ${process.platform}/${process.arch}, directory ${tmpdir()}${quick ? ' (quick)' : ''}`);
  const header = ['scenario', 'payload', 'records', 'records/s', 'MB/s', 'fsyncs', 'records/fsync'];
  const rows: string[][] = [];
  for (const s of scenarios) rows.push(await runAppends(s));
  rows.push(await runDrain());
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
