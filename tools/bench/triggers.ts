// The trigger engine benchmark: samples per second on one thread, for 10, 100 and 1,000 rules,
// simple thresholds and window-function rules, over a realistic fleet stream. Prints a Markdown
// table (median of 5 runs, with the range) and the machine it ran on; writes no file.
//
//   npm run bench:triggers                 the full benchmark (about a minute)
//   npm run bench:triggers -- --quick      fewer samples and runs (a smoke run)
//
// The stream: 20 assets of one type with 10 parts x 5 statuses (range 0..100); every status
// reports every 5 s (with jitter, in arrival order), values follow a mean-reverting random walk
// around 50 with occasional excursions, so thresholds at 70..94 are crossed now and then. 1M
// samples cover about 80 minutes of fleet time: 10-minute and 1-hour windows fill and slide.
// Rules spread round-robin over the 50 statuses, so a sample reads N/50 rules on average. Every
// firing is closed at once (as if the cloud finished the service), so triggers keep re-arming.
import { availableParallelism, cpus, loadavg, totalmem } from 'os';
import { readFileSync } from 'fs';
import { PssModel } from '@pss/model';
import { Sample, TriggerEngine } from '@pss/triggers';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 3 : 5;
const SAMPLES = QUICK ? 200_000 : 1_000_000;
const ASSETS = 20;
const PARTS = 10;
const STATUSES_PER_PART = 5;
const PERIOD_MS = 5000;
const T0 = Date.UTC(2024, 0, 1);

const refs: { part: string; status: string; ref: string }[] = [];
for (let p = 0; p < PARTS; p++) {
  for (let s = 0; s < STATUSES_PER_PART; s++) refs.push({ part: `p.unit-${p}`, status: `s${s}`, ref: `p.unit-${p}.s${s}` });
}

function model(conditions: string[]): PssModel {
  const partIds = [...new Set(refs.map((r) => r.part))];
  return {
    apiVersion: 'pss/v1',
    kind: 'PssModel',
    name: 'bench',
    timeUnit: 'h',
    interactionWeights: { spatial: 0.25, energy: 0.25, information: 0.25, material: 0.25 },
    partRank: { alpha: 1, tolerance: 1e-12, maxIterations: 10000 },
    parts: partIds.map((id) => ({ id, statuses: Array.from({ length: STATUSES_PER_PART }, (_, s) => ({ key: `s${s}`, min: 0, max: 100 })) })),
    partLinks: [],
    resourceKinds: [],
    resources: [],
    triggers: conditions.map((condition, i) => ({ id: `ss.r${i}`, monitors: partIds, condition, window: { start: 0, deadline: 24 }, clear: 0 })),
    activities: [],
    assignable: [],
    flows: [],
  };
}

/** Rule i reads status i mod 50 with a threshold that varies between rules on the same status. */
function thresholdRules(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${refs[i % refs.length].ref} > ${70 + (Math.floor(i / refs.length) % 25)}`);
}

/** The window functions in turn, with a few window lengths: each status gets several aggregates. */
function windowRules(n: number): string[] {
  const kinds = [
    (r: string, k: number) => `avg(${r}, '10m') > ${65 + (k % 20)}`,
    (r: string, k: number) => `max(${r}, '${5 + (k % 3) * 5}m') > ${90 + (k % 8)}`,
    (r: string, k: number) => `min(${r}, '1m') < ${3 + (k % 5)}`,
    (r: string, k: number) => `delta(${r}, '1h') > ${30 + (k % 10)}`,
    (r: string, k: number) => `rate(${r}, '10m') > 0.0${5 + (k % 5)}`,
    (r: string, k: number) => `count(${r}, '1m') > ${20 + (k % 5)}`,
    (r: string, k: number) => `for(${r} > ${80 + (k % 10)}, '2m')`,
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length](refs[i % refs.length].ref, Math.floor(i / kinds.length)));
}

/** A small seeded PRNG (mulberry32): the same stream in every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stream(n: number): Sample[] {
  const random = rng(42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const series = ASSETS * refs.length;
  const value = new Float64Array(series).fill(50);
  const out: Sample[] = [];
  const assetIds = Array.from({ length: ASSETS }, (_, a) => `lift-${String(a + 1).padStart(3, '0')}`);
  for (let round = 0; out.length < n; round++) {
    // One reporting period: every status of every asset once, each at a jittered time, in time order.
    const batch: { k: number; time: number }[] = [];
    for (let k = 0; k < series; k++) batch.push({ k, time: T0 + round * PERIOD_MS + Math.floor(random() * PERIOD_MS) });
    batch.sort((a, b) => a.time - b.time);
    for (const { k, time } of batch) {
      const excursion = random() < 0.002 ? 25 * random() : 0;
      value[k] = Math.min(100, Math.max(0, value[k] + 0.08 * (50 - value[k]) + 3 * gauss() + excursion));
      const r = refs[k % refs.length];
      out.push({ asset: assetIds[Math.floor(k / refs.length)], part: r.part, status: r.status, time, value: Math.round(value[k] * 100) / 100 });
      if (out.length === n) break;
    }
  }
  return out;
}

interface Measurement {
  /** Samples per second of wall time. */
  samplesPerSecond: number;
  /** Samples per second of this process's CPU time: what one core does when the machine is shared. */
  samplesPerCpuSecond: number;
  fired: number;
}

function run(conditions: string[], samples: readonly Sample[]): Measurement {
  const engine = new TriggerEngine(model(conditions), { gateway: 'bench' });
  let fired = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < samples.length; i++) {
    const r = engine.ingest(samples[i]);
    if (r.fired.length) {
      for (const f of r.fired) engine.close(f.asset, f.trigger, f.id);
      fired += r.fired.length;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { samplesPerSecond: samples.length / seconds, samplesPerCpuSecond: samples.length / ((used.user + used.system) / 1e6), fired };
}

/** Microseconds per tick(time) of one asset: what a 1 Hz gateway tick costs per asset. */
function tickCost(conditions: string[], samples: readonly Sample[]): number {
  const engine = new TriggerEngine(model(conditions), { gateway: 'bench' });
  for (const s of samples) engine.ingest(s);
  const last = samples[samples.length - 1].time;
  const ticks = 200;
  const start = process.hrtime.bigint();
  for (let i = 1; i <= ticks; i++) engine.tick(last + i * 1000);
  return Number(process.hrtime.bigint() - start) / 1e3 / ticks / ASSETS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

function machine(): string[] {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return [
    `- CPU: ${cpu}, ${availableParallelism()} cores (the benchmark uses one thread), ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version}, ${process.platform}/${process.arch}; load average at start ${loadavg()[0].toFixed(2)}`,
    `- ${SAMPLES.toLocaleString('en-US')} samples per run from ${ASSETS} assets x ${refs.length} statuses, every status every ${PERIOD_MS / 1000} s; median of ${RUNS} runs (after one warm-up run)`,
  ];
}

function main(): void {
  const info = machine();
  const samples = stream(SAMPLES);
  const rows: string[] = [];
  for (const [kind, make] of [['threshold', thresholdRules], ['window functions', windowRules]] as const) {
    for (const n of [10, 100, 1000]) {
      const conditions = make(n);
      run(conditions, samples.slice(0, Math.min(samples.length, 200_000)));
      const ms: Measurement[] = [];
      for (let r = 0; r < RUNS; r++) ms.push(run(conditions, samples));
      const rates = ms.map((m) => m.samplesPerSecond);
      const cpuRates = ms.map((m) => m.samplesPerCpuSecond);
      const tick = kind === 'window functions' ? `${tickCost(conditions, samples.slice(0, 100_000)).toFixed(1)} µs` : '–';
      rows.push(
        `| ${kind} | ${fmt(n)} | ${(n / refs.length).toFixed(1)} | **${fmt(median(rates))}** | ${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))} | ${fmt(median(cpuRates))} | ${fmt(ms[0].fired)} | ${tick} |`,
      );
      console.error(`${kind} x ${n}: ${fmt(median(rates))} samples/s (${fmt(median(cpuRates))} per CPU second)`);
    }
  }
  info.push(`- load average at the end ${loadavg()[0].toFixed(2)}: with other work on the machine, wall-clock rates understate one core; the CPU-second column counts only this process's CPU time`);
  console.log(
    [
      '## Trigger engine: samples per second on one thread',
      '',
      ...info,
      '',
      '| rules | count | rules read per sample | samples/s, wall (median) | range | samples per CPU second (median) | firings per run | tick per asset |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n'),
  );
}

main();
