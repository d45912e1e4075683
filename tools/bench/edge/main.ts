// End-to-end edge benchmark: MQTT samples in → trigger events out, on loopback, for each system under test
// (Node-RED from npm running the equivalent flow, and the edge gateway), at several input rates.
//
//   node_modules/.bin/tsx --tsconfig tsconfig.base.json tools/bench/edge/main.ts \
//     [--systems node-red,gateway] [--rates 10000,25000,50000,75000] [--duration-s 20] [--assets 1000]
//     [--repeat 1] [--warmup-s 3] [--cross-every-s 5] [--threshold 7] [--drain-s 5] [--max-drain-s 30] [--trace]
//     [--json results.json]
//
// Method. For every system and rate, a fresh setup: two Mosquitto brokers (Debian's /usr/sbin/mosquitto, one for the
// input samples, one for the output events, no persistence), the system under test, the event collector, then the
// load generator. A probe sample checks the whole path before the load starts. The generator publishes JSON
// vehicle samples (`{"vehicle","time","seq","values":{"p.axle.vibration_rms":x}}`) round-robin over the assets at
// the target aggregate rate, QoS 0, for a 3 s warm-up and then the measured interval. Each asset's value crosses the
// threshold in one sample every 5 s (a rising edge, then below again), at staggered times: these crossings are the
// only samples that must produce an event (200 events/s for 1,000 assets, whatever the sample rate).
//
// Processes. Each broker, the system under test, and the load generator run in separate processes; the driver
// (this process) runs the event collector, which has a few hundred events per second to receive. The system's CPU
// is its process tree's user+system time over the measured interval (/proc/<pid>/stat), as % of one core; RSS is
// its peak over the interval. Brokers' and generator's CPU are reported beside it: on this 2-core machine they
// compete with the system under test, the same for every system. Both systems read the same input from the same
// broker: Node-RED with one wildcard subscription, the gateway with one subscription per asset (its configuration
// binds topics to assets). Both publish events to the output broker with QoS 1 (the gateway's trigger events are
// QoS 1 by protocol; Node-RED's mqtt out is set the same). The gateway's telemetry is off, as Node-RED forwards
// nothing else either.
//
// Latency. Event receive time in the collector minus the matched sample's send time in the generator, both
// Date.now() on the same machine clock (1 ms resolution): broker in, system, broker out, collector. An event is
// matched to its crossing sample by asset and time: each system writes the asset and a time into its event (Node-RED
// copies the sample's; the gateway writes when its trigger fired, which need not be the sample's time to the
// millisecond), and the crossing of that asset nearest to that time, within half the crossing period, is the one it
// answers. A crossing whose event never came counts as an infinite latency in the percentiles.
//
// Sustained. A run kept up when the generator reached ≥ 97 % of the target rate, every event expected in the
// measured interval arrived (QoS 0 input: an overloaded path loses or delays, both are seen; after the load the
// driver keeps waiting while events still come, up to 30 s, so that late events count with their latency), the
// events expected in the last 2 s arrived within 1 s (no growing backlog), and, for a system that counts processed
// samples, it caught up with everything sent within 1 s after the load stopped. With --repeat N, each number is the
// median of N runs and a rate counts as sustained when most runs kept up. The machine is shared: load1 is in every
// row. Each system runs with its defaults (Node-RED's settings are the embedding minimum: no editor, logging warn).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { RunningMosquitto, startMosquitto } from '@pss/test-servers';
import { EventCollector, matchKey } from './collector';
import type { Crossing } from './sample-schedule';
import { GeneratorMessage, GeneratorOptions, isGeneratorMessage } from './generator-protocol';
import { ResourceMeter, cpuSeconds, processTree, rssBytes } from './proc-stats';
import { RunResult, aggregate, markdownTable, summaryLines } from './report';
import { matchEvents, summarizeEvents } from './stats';
import { SystemUnderTest, assetIds } from './system';
import { SYSTEM_NAMES, createSystem } from './systems';
import { REPO_ROOT, TsChild, spawnTs } from './ts-child';

interface Options {
  systems: string[];
  rates: number[];
  durationS: number;
  warmupS: number;
  assets: number;
  repeat: number;
  crossEveryS: number;
  threshold: number;
  /** After the load: stop waiting for late events once none came for this long. */
  drainS: number;
  /** ... or after this long in any case. */
  maxDrainS: number;
  /** Print a progress line every second. */
  trace: boolean;
  json?: string;
}

const USAGE = 'usage: main.ts [--systems node-red,gateway] [--rates 10000,25000,50000,75000] [--duration-s 20] [--assets 1000] [--repeat 1] [--warmup-s 3] [--cross-every-s 5] [--threshold 7] [--drain-s 5] [--max-drain-s 30] [--trace] [--json <file>]';

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    systems: ['node-red', 'gateway'],
    rates: [10_000, 25_000, 50_000, 75_000],
    durationS: 20,
    warmupS: 3,
    assets: 1000,
    repeat: 1,
    crossEveryS: 5,
    threshold: 7,
    drainS: 5,
    maxDrainS: 30,
    trace: false,
  };
  const number = (flag: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value) || value < min) throw new Error(`${flag} needs a number >= ${min}, got ${JSON.stringify(text)}\n${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--trace') {
      options.trace = true;
      continue;
    }
    const value = argv[i + 1];
    i++;
    switch (flag) {
      case '--systems':
        options.systems = (value ?? '').split(',').filter(Boolean);
        for (const s of options.systems) if (!SYSTEM_NAMES.includes(s)) throw new Error(`unknown system ${JSON.stringify(s)} (known: ${SYSTEM_NAMES.join(', ')})`);
        if (options.systems.length === 0) throw new Error(`--systems needs at least one name\n${USAGE}`);
        break;
      case '--rates':
        options.rates = (value ?? '').split(',').map((r) => number('--rates', r, 1));
        break;
      case '--duration-s':
        options.durationS = number(flag, value, 1);
        break;
      case '--warmup-s':
        options.warmupS = number(flag, value, 0);
        break;
      case '--assets':
        options.assets = Math.floor(number(flag, value, 1));
        break;
      case '--repeat':
        options.repeat = Math.floor(number(flag, value, 1));
        break;
      case '--cross-every-s':
        options.crossEveryS = number(flag, value, 1);
        break;
      case '--threshold':
        options.threshold = number(flag, value, -1e9);
        break;
      case '--drain-s':
        options.drainS = number(flag, value, 1);
        break;
      case '--max-drain-s':
        options.maxDrainS = number(flag, value, 1);
        break;
      case '--json':
        if (!value) throw new Error(`--json needs a file name\n${USAGE}`);
        options.json = value;
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
    }
  }
  return options;
}

/** The generator's IPC messages in arrival order, so none is missed while the driver awaits something else. */
class GeneratorInbox {
  private readonly queue: GeneratorMessage[] = [];
  private wake: (() => void) | null = null;
  private exited = false;

  constructor(private readonly proc: TsChild) {
    proc.child.on('message', (m: unknown) => {
      if (isGeneratorMessage(m)) this.queue.push(m);
      this.wake?.();
    });
    proc.child.once('exit', () => {
      this.exited = true;
      this.wake?.();
    });
  }

  /** The next message of this type (earlier ones of other types are dropped); an 'error' message throws. */
  async next<T extends GeneratorMessage['type']>(type: T, timeoutMs: number): Promise<Extract<GeneratorMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.queue.length > 0) {
        const message = this.queue.shift()!;
        if (message.type === 'error') throw new Error(`load generator: ${message.message}`);
        if (message.type === type) return message as Extract<GeneratorMessage, { type: T }>;
      }
      if (this.exited) throw new Error(`the load generator exited while the driver waited for "${type}"\n${this.proc.log()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${type}" from the load generator within ${timeoutMs} ms\n${this.proc.log()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}

/**
 * Sends crossing samples for the first asset until one comes out as an event (the whole path works: brokers,
 * subscriptions, the system's flow), then one sample below the threshold so that the next crossing is a rising
 * edge again. Returns the probe's crossings, so that their events are not taken for the load's.
 */
async function probe(system: SystemUnderTest, inputUrl: string, collector: EventCollector, asset: string, threshold: number, timeoutMs = 60_000): Promise<Crossing[]> {
  const client = await connectAsync(inputUrl, { clientId: `bench-probe-${process.pid}`, clean: true, reconnectPeriod: 0 });
  const sent: Crossing[] = [];
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const time = Date.now();
      await client.publishAsync(system.inputTopic(asset), system.payload(asset, 0, time, threshold + 2), { qos: 0 });
      sent.push({ asset, time });
      if (await collector.waitFor({ asset, time }, 1000)) break;
      if (Date.now() > deadline) throw new Error(`${system.name}: no event for the probe sample within ${timeoutMs} ms (is the flow subscribed and publishing?)`);
    }
    await client.publishAsync(system.inputTopic(asset), system.payload(asset, 0, Date.now() + 1, threshold - 3), { qos: 0 });
    return sent;
  } finally {
    await client.endAsync();
  }
}

/** Waits until every expected crossing has its event, or no event arrived for quietMs, or maxMs passed. */
async function waitForEvents(collector: EventCollector, expected: readonly Crossing[], toleranceMs: number, quietMs: number, maxMs: number): Promise<void> {
  const start = Date.now();
  let lastCount = collector.events.length;
  let lastProgress = start;
  for (;;) {
    if (matchEvents(expected, collector.events, toleranceMs).byCrossing.size === expected.length) return;
    const now = Date.now();
    if (collector.events.length !== lastCount) {
      lastCount = collector.events.length;
      lastProgress = now;
    }
    if (now - lastProgress > quietMs || now - start > maxMs) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** --trace: one line a second on stderr while the load runs and drains (events in, processed, CPU, RSS). */
function startTrace(system: SystemUnderTest, pid: number, collector: EventCollector): NodeJS.Timeout {
  const started = Date.now();
  let events = collector.events.length;
  let cpu = cpuSeconds(processTree(pid));
  let at = performance.now();
  return setInterval(() => {
    const pids = processTree(pid);
    const nowCpu = cpuSeconds(pids);
    const now = performance.now();
    const head = `  t=${((Date.now() - started) / 1000).toFixed(0)}s events +${collector.events.length - events}`;
    const tail = ` CPU ${Math.round((100 * (nowCpu - cpu)) / ((now - at) / 1000))} % RSS ${Math.round(rssBytes(pids) / 2 ** 20)} MB\n`;
    events = collector.events.length;
    cpu = nowCpu;
    at = now;
    system.processed().then(
      (processed) => process.stderr.write(`${head}${processed === null ? '' : ` processed ${processed}`}${tail}`),
      (e: unknown) => process.stderr.write(`${head}${tail}  (processed: ${e instanceof Error ? e.message : String(e)})\n`),
    );
  }, 1000);
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function failedRun(system: string, targetRate: number, error: string): RunResult {
  return {
    system,
    targetRate,
    error,
    achievedRate: NaN,
    processedRate: null,
    drainMs: null,
    expected: NaN,
    received: NaN,
    lost: NaN,
    duplicates: NaN,
    p50: NaN,
    p95: NaN,
    p99: NaN,
    max: NaN,
    finalLagMs: NaN,
    shifted: NaN,
    maxShiftMs: NaN,
    systemCpuPercent: NaN,
    systemRssMb: NaN,
    inputBrokerCpuPercent: NaN,
    outputBrokerCpuPercent: NaN,
    generatorCpuPercent: NaN,
    load1: loadavg()[0],
  };
}

async function runOnce(name: string, rate: number, options: Options): Promise<RunResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'pss-edge-bench-'));
  const assets = assetIds(options.assets);
  const system = createSystem(name);
  const brokers: RunningMosquitto[] = [];
  let collector: EventCollector | null = null;
  let generator: TsChild | null = null;
  let systemStarting = false;
  let trace: NodeJS.Timeout | null = null;
  activeCleanup = cleanup;
  try {
    const input = await startMosquitto({ persistence: false });
    brokers.push(input);
    const output = await startMosquitto({ persistence: false });
    brokers.push(output);
    collector = await EventCollector.start(output.url, system.outputFilter, (t, p) => system.parseOutput(t, p));
    systemStarting = true;
    await system.start({ inputUrl: input.url, outputUrl: output.url, assets, threshold: options.threshold, workDir });
    const probes = await probe(system, input.url, collector, assets[0], options.threshold);
    const systemPid = system.pid();
    if (systemPid === undefined) throw new Error(`${name} started but reports no pid to measure`);

    // Probe samples that came before the subscription never count: the load's drain target starts from here.
    await new Promise((r) => setTimeout(r, 200));
    const processedBeforeLoad = await system.processed();
    const load1 = loadavg()[0];
    const generatorOptions: GeneratorOptions = {
      system: name,
      host: '127.0.0.1',
      port: input.port,
      assetCount: options.assets,
      rate,
      warmupMs: options.warmupS * 1000,
      durationMs: options.durationS * 1000,
      crossEveryMs: options.crossEveryS * 1000,
      threshold: options.threshold,
    };
    generator = spawnTs(join(__dirname, 'load-generator.ts'), [JSON.stringify(generatorOptions)], { ipc: true });
    const inbox = new GeneratorInbox(generator);
    trace = options.trace ? startTrace(system, systemPid, collector) : null;
    await inbox.next('connected', 30_000);
    const meter = new ResourceMeter(
      new Map([
        ['system', systemPid],
        ['inputBroker', input.process.pid!],
        ['outputBroker', output.process.pid!],
        ['generator', generator.child.pid!],
      ]),
    );

    const begin = await inbox.next('phase', generatorOptions.warmupMs + 30_000);
    meter.begin();
    const processedAtBegin = await system.processed();
    const end = await inbox.next('phase', generatorOptions.durationMs + 30_000);
    const usage = meter.end();
    const processedAtEnd = await system.processed();
    const done = await inbox.next('done', 60_000);
    const endedAt = Date.now();

    // Late events still count (their latency shows how far behind the system ran): wait while they keep coming.
    const window = { start: begin.time, end: end.time };
    const measured = done.crossings.filter((c) => c.time >= window.start && c.time < window.end);
    const toleranceMs = generatorOptions.crossEveryMs / 2;
    await waitForEvents(collector, measured, toleranceMs, options.drainS * 1000, options.maxDrainS * 1000);
    let drainMs: number | null = null;
    if (processedAtEnd !== null && processedBeforeLoad !== null) {
      const target = processedBeforeLoad + done.sent;
      const caughtUp = await waitUntil(async () => ((await system.processed()) ?? 0) >= target, options.maxDrainS * 1000, 100);
      drainMs = caughtUp ? Math.max(0, Date.now() - endedAt) : Infinity;
    }
    const matched = matchEvents([...probes, ...done.crossings], collector.events, toleranceMs);
    if (options.trace) {
      const missing = measured.filter((c) => !matched.byCrossing.has(matchKey(c)));
      const shifts = [...matched.byCrossing.values()].filter((m) => m.timeShiftMs !== 0).map((m) => m.timeShiftMs);
      process.stderr.write(
        `  generator: sent ${done.sent}, behind ${done.behind}, longest pause ${done.maxGapMs} ms; processed before the load ${processedBeforeLoad}, at the end ${await system.processed()}\n` +
          `  missing events (first 10): ${missing.slice(0, 10).map((c) => `${c.asset} sent at +${c.time - done.start} ms`).join(', ') || 'none'}\n` +
          `  events matching no crossing: ${matched.unmatched.length}; events stamped with another time than their sample's: ${shifts.length}` +
          `${shifts.length > 0 ? ` (shift ${Math.min(...shifts)} to ${Math.max(...shifts)} ms)` : ''}; duplicates ${collector.duplicates}, unparsed ${collector.unparsed}\n`,
      );
    }
    const tailMs = Math.min(2000, generatorOptions.durationMs / 4);
    const events = summarizeEvents(done.crossings, matched.byCrossing, window, tailMs);
    const seconds = (end.time - begin.time) / 1000;
    const sys = usage.get('system')!;
    return {
      system: name,
      targetRate: rate,
      achievedRate: (end.sent - begin.sent) / seconds,
      processedRate: processedAtBegin !== null && processedAtEnd !== null ? (processedAtEnd - processedAtBegin) / seconds : null,
      drainMs,
      ...events,
      duplicates: collector.duplicates,
      systemCpuPercent: sys.cpuPercent,
      systemRssMb: sys.peakRssBytes / 2 ** 20,
      inputBrokerCpuPercent: usage.get('inputBroker')!.cpuPercent,
      outputBrokerCpuPercent: usage.get('outputBroker')!.cpuPercent,
      generatorCpuPercent: usage.get('generator')!.cpuPercent,
      load1,
    };
  } finally {
    await cleanup();
  }

  async function cleanup(): Promise<void> {
    activeCleanup = null;
    if (trace) clearInterval(trace);
    await generator?.stop();
    if (systemStarting) await system.stop();
    await collector?.stop();
    for (const broker of brokers) await broker.dispose();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The running run's cleanup, for a SIGINT/SIGTERM: the brokers and the system must not outlive the driver. */
let activeCleanup: (() => Promise<void>) | null = null;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`${signal}: stopping the processes of the current run\n`);
    const pending = activeCleanup ?? (async () => undefined);
    pending().finally(() => process.exit(130));
  });
}

function machine(): string[] {
  const version = (file: string): string => (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', file), 'utf8')) as { version: string }).version;
  let mosquitto = 'unknown';
  try {
    mosquitto = execFileSync('/usr/sbin/mosquitto', ['-h'], { encoding: 'utf8' }).split('\n')[0];
  } catch (e) {
    // `mosquitto -h` exits 3 after printing its usage: the version line is in the output anyway.
    const out = (e as { stdout?: string }).stdout;
    if (typeof out === 'string' && out.length > 0) mosquitto = out.split('\n')[0];
  }
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus().length} logical CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the start`,
    `- Node ${process.version}; node-red ${version('node-red/package.json')}; mqtt.js ${version('mqtt/package.json')}; ${mosquitto}`,
  ];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const header = machine();
  console.log(header.join('\n'));
  console.log(
    `- ${options.assets} assets, warm-up ${options.warmupS} s, measured ${options.durationS} s, one crossing per asset every ${options.crossEveryS} s, threshold ${options.threshold}, repeat ${options.repeat}\n`,
  );
  const runs: RunResult[] = [];
  for (const name of options.systems) {
    for (const rate of options.rates) {
      for (let r = 0; r < options.repeat; r++) {
        const label = `${name} @ ${rate}/s${options.repeat > 1 ? ` (run ${r + 1}/${options.repeat})` : ''}`;
        process.stderr.write(`running ${label} ...\n`);
        let run: RunResult;
        try {
          run = await runOnce(name, rate, options);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          process.stderr.write(`${label} failed: ${message}\n`);
          run = failedRun(name, rate, message.split('\n')[0]);
        }
        runs.push(run);
        process.stderr.write(
          `  achieved ${Math.round(run.achievedRate)}/s, events ${run.received}/${run.expected}, p50 ${run.p50} p99 ${run.p99} max ${run.max} ms, final lag ${run.finalLagMs} ms, CPU ${Math.round(run.systemCpuPercent)} %\n`,
        );
      }
    }
  }
  const rows = aggregate(runs);
  console.log(markdownTable(rows));
  console.log('');
  console.log(summaryLines(rows, { rate: 50_000, p99Ms: 50 }).join('\n'));
  // JSON has no Infinity or NaN: they are written as text.
  const numbers = (_key: string, value: unknown): unknown => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);
  if (options.json) writeFileSync(options.json, JSON.stringify({ machine: header, options, runs }, numbers, 2));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
