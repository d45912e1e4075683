// The edge gateway's OPC UA source at scale: how many monitored items one gateway process handles at 1 s sampling
// (the issue's target: 10,000). For each item count it starts the elevator fleet simulator (a child process) with
// enough elevators, an OpcUaSource monitoring every status at 1000 ms sampling and publishing, and measures:
// the time from start() to all items created, samples per second delivered over the measurement window, how many
// items delivered at least one value, the delivery latency (receipt minus the simulator's source timestamp, wall
// clock), and the CPU and memory of this process (the gateway side) and of the simulator.
//
//   node_modules/.bin/tsx --tsconfig tsconfig.base.json tools/bench/edge-opcua.ts                  10,000 and 20,000 items, 30 s each
//   node_modules/.bin/tsx --tsconfig tsconfig.base.json tools/bench/edge-opcua.ts --items 1000 --seconds 10   a smoke run
//   ... --write                                                                                     also writes docs/bench-snippets/edge-opcua.md
//
// Prints a Markdown section. The sink only counts (the trigger engine and uplink are not part of this measurement).
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'os';
import { join } from 'path';
import { parseArgs } from 'util';
import type { Sample } from '@pss/triggers';
// An application has no import alias (only libraries do); tooling may depend on applications.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { OpcUaSource, type OpcUaSourceOptions } from '../../apps/edge-gateway/src/opcua';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Simulator, bindingsFor, elevatorIds, elevatorStatuses, endpointConfig } from '../../apps/edge-gateway/src/opcua/testing';

type SampleSink = OpcUaSourceOptions['sink'];
type Logger = OpcUaSourceOptions['logger'];
type InputRejectCause = Parameters<SampleSink['reject']>[0];

const ROOT = join(__dirname, '..', '..');
const SNIPPET = join(ROOT, 'docs', 'bench-snippets', 'edge-opcua.md');
const SAMPLING_MS = 1000;
/** A status the simulator changes at every update (vibration has sensor noise): its samples show losses. */
const EVERY_UPDATE = { part: 'p.traction', status: 'vibration_rms' };

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '10000,20000' },
    seconds: { type: 'string', default: '30' },
    write: { type: 'boolean', default: false },
  },
});
const ITEM_COUNTS = args.items.split(',').map((s) => Number(s.trim()));
const SECONDS = Number(args.seconds);
if (ITEM_COUNTS.some((n) => !Number.isInteger(n) || n < 1) || !(SECONDS > 0)) throw new Error('--items takes positive integers (comma-separated), --seconds a positive number');

/** Counts per item, and the latency of every sample received in the measurement window. */
class CountingSink implements SampleSink {
  readonly perItem = new Map<string, number>();
  readonly latencies: number[] = [];
  windowStart = Infinity;
  windowEnd = Infinity;
  inWindow = 0;
  itemsInWindow = new Set<string>();
  rejections = new Map<InputRejectCause, number>();
  /** The simulator stamps all values of one update with one time: distinct times are its updates. */
  updateTimes = new Set<number>();
  /** Samples in the window of a status that changes at every update (sensor noise), per elevator. */
  everyUpdate = new Map<string, number>();

  sample(sample: Sample): void {
    const key = `${sample.asset}/${sample.part}/${sample.status}`;
    this.perItem.set(key, (this.perItem.get(key) ?? 0) + 1);
    const now = Date.now();
    if (now >= this.windowStart && now < this.windowEnd) {
      this.inWindow++;
      this.itemsInWindow.add(key);
      this.latencies.push(now - sample.time);
      this.updateTimes.add(sample.time);
      if (sample.part === EVERY_UPDATE.part && sample.status === EVERY_UPDATE.status) this.everyUpdate.set(sample.asset, (this.everyUpdate.get(sample.asset) ?? 0) + 1);
    }
  }

  reject(cause: InputRejectCause): void {
    this.rejections.set(cause, (this.rejections.get(cause) ?? 0) + 1);
  }
}

class QuietLogger implements Logger {
  readonly problems: string[] = [];
  info(): void {
    // progress is printed by the benchmark itself
  }
  debug(): void {
    // too much for a benchmark's output
  }
  warn(obj: object, msg?: string): void {
    this.problems.push(`warn ${msg ?? ''} ${JSON.stringify(obj)}`);
  }
  error(obj: object, msg?: string): void {
    this.problems.push(`error ${msg ?? ''} ${JSON.stringify(obj)}`);
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds used so far and resident memory (MiB) of another process, from /proc. */
function processStats(pid: number): { cpuS: number; rssMiB: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14 and 15)
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuS, rssMiB: rss ? Number(rss[1]) / 1024 : NaN };
  } catch {
    return null;
  }
}

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');

interface Result {
  items: number;
  elevators: number;
  subscriptions: number;
  simulatorStartS: number;
  connectS: number;
  createS: number;
  /** vibration_rms samples per elevator and simulator update in the window: 1.00 when none is lost. */
  perUpdate: number;
  /** Simulator updates seen per second (1 when it keeps up with its 1 s interval). */
  updatesPerS: number;
  live: number;
  samplesPerS: number;
  itemsChangedInWindow: number;
  deliveredFraction: number;
  latencyP50: number;
  latencyP99: number;
  gatewayCpu: number;
  gatewayRssMiB: number;
  simulatorCpu: number;
  simulatorRssMiB: number;
  problems: string[];
}

async function measure(items: number, dir: string): Promise<Result> {
  const statuses = elevatorStatuses();
  const elevators = Math.ceil(items / statuses.length);
  const bindings = bindingsFor('sim', elevatorIds(elevators), statuses, SAMPLING_MS).slice(0, items);
  console.error(`${items} items: starting the simulator with ${elevators} elevators...`);
  const simStarted = Date.now();
  const simulator = await Simulator.start({ pkiDir: join(dir, 'server-pki'), assets: elevators, intervalMs: 1000, startTimeoutMs: 300_000 });
  const simulatorStartS = (Date.now() - simStarted) / 1000;
  const sink = new CountingSink();
  const logger = new QuietLogger();
  // The configuration defaults: 1 s publishing, 5,000 items per subscription, 1,000 per CreateMonitoredItems call.
  const endpoint = endpointConfig(simulator.endpointUrl, join(dir, 'client-pki'), { publishingIntervalMs: 1000, reconnectInitialDelayMs: 1000, reconnectMaxDelayMs: 30_000 });
  const source = new OpcUaSource({ endpoint, bindings, sink, logger });
  try {
    console.error(`${items} items: simulator up in ${simulatorStartS.toFixed(1)} s; connecting without items (the client's certificate, warm-up)...`);
    const warmUp = new OpcUaSource({ endpoint, bindings: [], sink, logger });
    await timeToConnect(warmUp, logger);
    await warmUp.stop();
    const bare = new OpcUaSource({ endpoint, bindings: [], sink, logger });
    const connectS = await timeToConnect(bare, logger);
    await bare.stop();
    console.error(`${items} items: connect and session in ${connectS.toFixed(2)} s; creating the monitored items...`);
    const createS = await timeToConnect(source, logger);
    const live = source.status().items;
    console.error(`${items} items: ${live} live after ${createS.toFixed(1)} s; measuring for ${SECONDS} s...`);

    // Let the initial values (one per item) pass, then measure.
    await sleep(3000);
    const cpu0 = process.cpuUsage();
    const sim0 = simulator.pid ? processStats(simulator.pid) : null;
    const w0 = Date.now();
    sink.windowStart = w0;
    sink.windowEnd = w0 + SECONDS * 1000;
    let rssPeak = process.memoryUsage().rss;
    let simRssPeak = sim0?.rssMiB ?? NaN;
    while (Date.now() < sink.windowEnd) {
      await sleep(500);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      const s = simulator.pid ? processStats(simulator.pid) : null;
      if (s) simRssPeak = Math.max(simRssPeak, s.rssMiB);
    }
    const wallS = (Date.now() - w0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const sim1 = simulator.pid ? processStats(simulator.pid) : null;
    const updates = sink.updateTimes.size;
    const perElevator = [...sink.everyUpdate.values()];
    return {
      items,
      elevators,
      subscriptions: Math.ceil(items / endpoint.maxItemsPerSubscription),
      simulatorStartS,
      connectS,
      createS,
      perUpdate: updates > 0 && perElevator.length > 0 ? perElevator.reduce((a, b) => a + b, 0) / perElevator.length / updates : NaN,
      updatesPerS: updates / wallS,
      live,
      samplesPerS: sink.inWindow / wallS,
      itemsChangedInWindow: sink.itemsInWindow.size,
      deliveredFraction: sink.perItem.size / items,
      latencyP50: percentile(sink.latencies, 50),
      latencyP99: percentile(sink.latencies, 99),
      gatewayCpu: ((cpu.user + cpu.system) / 1e6 / wallS) * 100,
      gatewayRssMiB: rssPeak / 2 ** 20,
      simulatorCpu: sim0 && sim1 ? ((sim1.cpuS - sim0.cpuS) / wallS) * 100 : NaN,
      simulatorRssMiB: simRssPeak,
      problems: [...logger.problems, ...[...sink.rejections].map(([cause, n]) => `${n} rejected as ${cause}`)],
    };
  } finally {
    await source.stop();
    await simulator.stop();
  }
}

/** Seconds from start() until the source is connected with its items created. */
async function timeToConnect(source: OpcUaSource, logger: QuietLogger): Promise<number> {
  const t0 = Date.now();
  await source.start();
  while (source.status().state !== 'connected') {
    if (Date.now() - t0 > 300_000) throw new Error(`not connected after 300 s: ${JSON.stringify(source.status())}\n${logger.problems.join('\n')}`);
    await sleep(10);
  }
  return (Date.now() - t0) / 1000;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

function nodeOpcuaVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node-opcua', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = loadavg()[0];
  const dir = mkdtempSync(join(tmpdir(), 'pss-bench-edge-opcua-'));
  const results: Result[] = [];
  try {
    for (const n of ITEM_COUNTS) {
      results.push(await measure(n, dir));
      await sleep(2000); // let the port and the machine settle between runs
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const load1 = loadavg()[0];
  const command = `node_modules/.bin/tsx --tsconfig tsconfig.base.json tools/bench/edge-opcua.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const lines = [
    '## Edge gateway: OPC UA monitored items per gateway at 1 s sampling',
    '',
    `_Measured ${started.toISOString().replace(/\.\d+Z$/, 'Z')} with \`${command}\`._ Target (the issue): 10,000 monitored items per gateway at 1 s sampling.`,
    '',
    `- Machine: ${cpuModel()}, ${availableParallelism()} cores (nproc), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; shared with other work: load average ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end`,
    `- Node ${process.version}, node-opcua ${nodeOpcuaVersion()}; the simulator (\`simulators/elevator-opcua\`, a child process on the same machine) updates every status of every elevator once a second (wall-clock timestamps); OPC UA security None`,
    `- The gateway side is this process: one \`OpcUaSource\` (one client, one session), sampling 1000 ms, publishing 1000 ms, queue 2, 5,000 items per subscription, 1,000 per CreateMonitoredItems call; its sink only counts`,
    `- Connect: \`start()\` to connected for a source without items (after a first connection that created the client's certificate). Create: \`start()\` to every item created (connect, session, subscriptions, CreateMonitoredItems calls).`,
    `- Samples/s, latency (receipt minus source timestamp: up to one sampling plus one publishing interval) and CPU over ${SECONDS} s after the initial values. A data change is sent only when a value changes and counters change seldom, so samples/s is about the number of items that change each second. "Updates/s": simulator updates seen per second (below 1 when it cannot keep up). "Per update": samples of vibration_rms (sensor noise: it changes at every simulator update) per elevator and per update seen, 1.00 when none is lost. CPU in % of one core.`,
    '',
    '| monitored items | elevators | subscriptions | connect | create | items live | samples/s | items that changed in the window | updates/s | per update | items with ≥ 1 value | latency p50 / p99 | gateway CPU | gateway RSS (peak) | simulator CPU | simulator RSS (peak) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${fmt(r.items)} | ${fmt(r.elevators)} | ${r.subscriptions} | ${fmt(r.connectS, 2)} s | ${fmt(r.createS, 2)} s | ${fmt(r.live)} | **${fmt(r.samplesPerS)}** | ${fmt(r.itemsChangedInWindow)} | ${fmt(r.updatesPerS, 2)} | ${fmt(r.perUpdate, 2)} | ${fmt(r.deliveredFraction * 100, 1)} % | ${fmt(r.latencyP50)} / ${fmt(r.latencyP99)} ms | ${fmt(r.gatewayCpu, 1)} % | ${fmt(r.gatewayRssMiB)} MiB | ${fmt(r.simulatorCpu, 1)} % | ${fmt(r.simulatorRssMiB)} MiB |`,
    ),
    '',
    ...results.map((r) => `- ${fmt(r.items)} items: simulator start ${fmt(r.simulatorStartS, 1)} s; ${r.problems.length === 0 ? 'no warnings, errors or rejections' : `${r.problems.length} warnings/errors/rejections, first: ${r.problems.slice(0, 3).join('; ')}`}`),
  ];
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  if (args.write) {
    mkdirSync(join(ROOT, 'docs', 'bench-snippets'), { recursive: true });
    writeFileSync(SNIPPET, text);
    console.error(`written to ${SNIPPET}`);
  }
}

main().then(
  // node-opcua's import-time reverse DNS lookup can keep the process alive for a while: do not wait for it.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
