// Command line of the vehicle fleet simulator, parsed strictly: an unknown flag or a bad value is a usage error.
import { parseArgs } from 'util';
import { FAULTS, FAULT_NAMES, FaultSpec, formatSeconds, parseFaultSpec, parseSeconds } from './faults';
import { vehicleId } from './fleet';
import { DEFAULT_GROUP, checkSparkplugId } from './sparkplug';
import { DEFAULT_TOPIC_PREFIX } from './telemetry';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliOptions {
  assets: number;
  broker: string;
  seed: number;
  rate: number;
  timeScale: number;
  sparkplugShare: number;
  faults: FaultSpec[];
  username?: string;
  password?: string;
  /** Path of the model file. */
  model: string;
  group: string;
  topicPrefix: string;
  clientPrefix: string;
  /** Simulated clock at the first sample (ms epoch); undefined: now. */
  start?: number;
  /** Stop after this many wall-clock ms; undefined: run until SIGINT/SIGTERM. */
  durationMs?: number;
  statsEveryMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  verbose: boolean;
}

export type CliCommand = { kind: 'help' } | { kind: 'list-faults' } | { kind: 'run'; options: CliOptions };

export const DEFAULTS = {
  assets: 10,
  broker: 'mqtt://localhost:1883',
  seed: 1,
  rate: 1,
  timeScale: 1,
  sparkplugShare: 0,
  clientPrefix: 'pss-sim-',
  statsEvery: '10s',
  reconnectMinMs: 500,
  reconnectMaxMs: 30_000,
} as const;

export const MAX_ASSETS = 9999;
const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:'];

export function helpText(defaultModel: string): string {
  return `Usage: npm run -s sim:vehicle -- [options]

Simulates a fleet of passenger cars publishing their part statuses over MQTT: plain JSON, or Sparkplug B for a
share of the vehicles. Values are deterministic for a given seed, rate, time scale and fault schedule.

Options:
  --assets <n>             vehicles car-0001 … (1..${MAX_ASSETS}; default ${DEFAULTS.assets})
  --broker <url>           MQTT broker (mqtt://, mqtts://, ws://, wss://; default ${DEFAULTS.broker})
  --username <u>           MQTT user name
  --password <p>           MQTT password (needs --username)
  --seed <n>               PRNG seed, integer 0..4294967295 (default ${DEFAULTS.seed})
  --rate <n>               samples per wall-clock second per vehicle, 0 < n <= 100 (default ${DEFAULTS.rate})
  --time-scale <x>         simulated seconds per wall-clock second (default ${DEFAULTS.timeScale}); one sample is
                           time-scale / rate simulated seconds
  --sparkplug-share <f>    share 0..1 of the vehicles that speak Sparkplug B, spread evenly (0.2: every fifth;
                           default ${DEFAULTS.sparkplugShare})
  --fault <spec>           <vehicle>:<fault>@<onset>[/<ramp>], repeatable; onset and ramp are simulated time,
                           a bare number is seconds, or units s, m, h, d (car-0003:brake-wear@60, car-0007:oil-leak@2h/30m)
  --list-faults            print the faults, the trigger each one fires and when, and exit
  --model <file>           PSS model whose statuses are simulated (default ${defaultModel})
  --start <time>           simulated clock of the first sample: ISO 8601 or ms since the epoch (default: now)
  --duration <d>           stop after this wall-clock time (e.g. 30s, 10m; default: until SIGINT/SIGTERM)
  --group <id>             Sparkplug group id (default ${DEFAULT_GROUP})
  --topic-prefix <p>       JSON topics are <p>/<vehicle>/telemetry and <p>/<vehicle>/status (default ${DEFAULT_TOPIC_PREFIX})
  --client-prefix <p>      MQTT client ids are <p><vehicle> (default ${DEFAULTS.clientPrefix})
  --stats <d>              print counters every <d> wall-clock time, 0 to turn off (default ${DEFAULTS.statsEvery})
  --reconnect-min <ms>     first reconnect delay; doubles per failed attempt, with jitter (default ${DEFAULTS.reconnectMinMs})
  --reconnect-max <ms>     longest reconnect delay (default ${DEFAULTS.reconnectMaxMs})
  --verbose                print every message published
  -h, --help               this text

Topics (see simulators/vehicle-mqtt/README.md):
  JSON       vehicles/<vehicle>/telemetry  {vehicle, model, time, seq, values: {"<part>.<status>": number}}  QoS 0
             vehicles/<vehicle>/status     {vehicle, online[, time]}  QoS 1, retained, also the last will
  Sparkplug  spBv1.0/<group>/NBIRTH|NDEATH/<vehicle>, spBv1.0/<group>/DBIRTH|DDATA|DDEATH/<vehicle>/vehicle,
             metrics "<part>/<status>"

Exit status: 0 after SIGINT/SIGTERM or --duration, 1 when the broker refuses the credentials, 2 on bad options
or an unreadable model.
`;
}

export function faultList(): string {
  const lines = ['Faults (onset + ramp in simulated time; the trigger fires at the latest by onset + ramp + window):'];
  for (const name of FAULT_NAMES) {
    const f = FAULTS[name];
    const ramp = f.ramp > 0 ? `ramp ${formatSeconds(f.ramp)}` : 'single event';
    const window = f.window > 0 ? ` + ${formatSeconds(f.window)} window` : '';
    lines.push(`  ${name.padEnd(14)} ${f.trigger.padEnd(16)} ${f.clause}  (${ramp}${window})`, `  ${''.padEnd(14)} ${f.description}`);
  }
  return lines.join('\n') + '\n';
}

const OPTIONS = {
  assets: { type: 'string' },
  broker: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
  'time-scale': { type: 'string' },
  'sparkplug-share': { type: 'string' },
  fault: { type: 'string', multiple: true },
  'list-faults': { type: 'boolean' },
  model: { type: 'string' },
  start: { type: 'string' },
  duration: { type: 'string' },
  group: { type: 'string' },
  'topic-prefix': { type: 'string' },
  'client-prefix': { type: 'string' },
  stats: { type: 'string' },
  'reconnect-min': { type: 'string' },
  'reconnect-max': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the arguments after `--`; throws UsageError naming the bad option. */
export function parseCli(argv: readonly string[], defaultModel: string): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  if (v['list-faults']) return { kind: 'list-faults' };

  const assets = integer('assets', v.assets, DEFAULTS.assets, 1, MAX_ASSETS);
  const broker = v.broker ?? DEFAULTS.broker;
  let url: URL;
  try {
    url = new URL(broker);
  } catch {
    throw new UsageError(`--broker must be a URL such as mqtt://localhost:1883, got "${broker}"`);
  }
  if (!BROKER_PROTOCOLS.includes(url.protocol)) throw new UsageError(`--broker: unsupported protocol "${url.protocol}" (use ${BROKER_PROTOCOLS.map((p) => p + '//').join(', ')})`);
  if (v.password !== undefined && v.username === undefined) throw new UsageError('--password needs --username');

  const rate = number('rate', v.rate, DEFAULTS.rate);
  if (!(rate > 0 && rate <= 100)) throw new UsageError(`--rate must be a number > 0 and <= 100, got "${v.rate}"`);
  const timeScale = number('time-scale', v['time-scale'], DEFAULTS.timeScale);
  if (!(timeScale > 0 && timeScale <= 1e7)) throw new UsageError(`--time-scale must be a number > 0 and <= 10000000, got "${v['time-scale']}"`);
  const sparkplugShare = number('sparkplug-share', v['sparkplug-share'], DEFAULTS.sparkplugShare);
  if (!(sparkplugShare >= 0 && sparkplugShare <= 1)) throw new UsageError(`--sparkplug-share must be a number from 0 to 1, got "${v['sparkplug-share']}"`);

  const faults: FaultSpec[] = [];
  for (const text of v.fault ?? []) {
    const r = parseFaultSpec(text);
    if (!r.ok) throw new UsageError(`--fault: ${r.error}`);
    const m = /^car-(\d{4})$/.exec(r.value.vehicle);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > assets) {
      throw new UsageError(`--fault "${text}": no vehicle "${r.value.vehicle}" in a fleet of ${assets} (${vehicleId(0)} … ${vehicleId(assets - 1)})`);
    }
    faults.push(r.value);
  }

  const group = v.group ?? DEFAULT_GROUP;
  const groupProblem = checkSparkplugId('--group', group);
  if (groupProblem) throw new UsageError(groupProblem);
  const topicPrefix = v['topic-prefix'] ?? DEFAULT_TOPIC_PREFIX;
  if (topicPrefix === '' || /[+#]/.test(topicPrefix) || topicPrefix.startsWith('/') || topicPrefix.endsWith('/')) {
    throw new UsageError(`--topic-prefix must be topic levels without wildcards or a leading/trailing "/", got "${topicPrefix}"`);
  }

  let start: number | undefined;
  if (v.start !== undefined) {
    start = /^\d+$/.test(v.start) ? Number(v.start) : Date.parse(v.start);
    if (!Number.isFinite(start)) throw new UsageError(`--start must be an ISO 8601 time (2025-01-01T08:00:00Z) or ms since the epoch, got "${v.start}"`);
  }
  const durationMs = v.duration !== undefined ? duration('duration', v.duration) : undefined;
  if (durationMs !== undefined && durationMs <= 0) throw new UsageError(`--duration must be > 0, got "${v.duration}"`);
  const statsEveryMs = duration('stats', v.stats ?? DEFAULTS.statsEvery);
  const reconnectMinMs = integer('reconnect-min', v['reconnect-min'], DEFAULTS.reconnectMinMs, 1, 3_600_000);
  const reconnectMaxMs = integer('reconnect-max', v['reconnect-max'], Math.max(DEFAULTS.reconnectMaxMs, reconnectMinMs), 1, 3_600_000);
  if (reconnectMaxMs < reconnectMinMs) throw new UsageError(`--reconnect-max (${reconnectMaxMs}) must be >= --reconnect-min (${reconnectMinMs})`);

  return {
    kind: 'run',
    options: {
      assets,
      broker,
      seed: integer('seed', v.seed, DEFAULTS.seed, 0, 4294967295),
      rate,
      timeScale,
      sparkplugShare,
      faults,
      ...(v.username !== undefined ? { username: v.username } : {}),
      ...(v.password !== undefined ? { password: v.password } : {}),
      model: v.model ?? defaultModel,
      group,
      topicPrefix,
      clientPrefix: v['client-prefix'] ?? DEFAULTS.clientPrefix,
      ...(start !== undefined ? { start } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      statsEveryMs,
      reconnectMinMs,
      reconnectMaxMs,
      verbose: v.verbose ?? false,
    },
  };
}

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return n;
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function duration(name: string, raw: string): number {
  const r = parseSeconds(raw);
  if ('error' in r) throw new UsageError(`--${name}: ${r.error}`);
  return r.seconds * 1000;
}
