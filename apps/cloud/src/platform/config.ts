// The cloud service's configuration, from the environment only (secrets never come from files in the repository).
// Every variable is optional: without any, the service runs on embedded defaults (PGlite in memory, an embedded
// MQTT broker, in-memory telemetry), which is what `npm start` uses.

export interface CloudConfig {
  /** HTTP port (PORT, default 3000; 0 = any free port). */
  httpPort: number;
  httpHost: string;
  /** DATABASE_URL (PostgreSQL); unset = PGlite (PGLITE_DATA_DIR, or in memory). */
  databaseUrl?: string;
  pgliteDataDir?: string;
  /** MQTT_URL of the broker gateways and technicians use; unset = an embedded broker on MQTT_PORT (default 1883). */
  mqttUrl?: string;
  mqttPort: number;
  /** Address the embedded broker listens on (MQTT_HOST, default 0.0.0.0: gateways and technicians connect to it). */
  mqttHost?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /**
   * MQTT 5 shared-subscription group for the inbound streams (MQTT_SHARE_GROUP, default pss-cloud; "" = none).
   * Always none with the embedded broker: aedes speaks MQTT 3.1.1 without `$share`, and only one instance owns it.
   */
  shareGroup?: string;
  /** INFLUX_URL (InfluxDB 1.x, e.g. http://127.0.0.1:8086/pss); unset = bounded in-memory telemetry. */
  influxUrl?: string;
  /** INSTANCE_ID: this instance's name in batch claims and logs (default hostname-pid). */
  instanceId: string;
  /** Triggers arriving within this window are optimized together (BATCH_WINDOW_MS, default 2000). */
  batchWindowMs: number;
  /** How a solution is chosen: knee (default), weighted, or manual (a planner approves). SELECTION_POLICY. */
  selectionPolicy: 'knee' | 'weighted' | 'manual';
  /** Weights for the weighted policy (SELECTION_WEIGHTS="time=1,cost=1,reliability=1"). */
  selectionWeights: { time: number; cost: number; reliability: number };
  /** Optimizer time limit per batch (OPTIMIZER_TIME_LIMIT_MS, default 1500) and workers (OPTIMIZER_WORKERS, default 1). */
  optimizerTimeLimitMs: number;
  optimizerWorkers: number;
  /** Bootstrap admin API key (PSS_ADMIN_KEY): accepted for tenant PSS_TENANT with role admin. */
  adminKey?: string;
  /** Default tenant (PSS_TENANT, default demo). */
  tenant: string;
  /** WORKORDER_WEBHOOK_URL: every work order change is also POSTed there (optional). */
  webhookUrl?: string;
  /** LOG_LEVEL: fatal, error, warn, info (default), debug, trace or silent. */
  logLevel: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function parseWeights(raw: string | undefined): CloudConfig['selectionWeights'] {
  const weights = { time: 1, cost: 1, reliability: 1 };
  if (!raw) return weights;
  for (const part of raw.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    const n = Number(value);
    if (!(key in weights) || !Number.isFinite(n) || n < 0) throw new ConfigError('SELECTION_WEIGHTS', `expected time=<w>,cost=<w>,reliability=<w> with weights >= 0, got "${raw}"`);
    weights[key as keyof typeof weights] = n;
  }
  return weights;
}

/** Reads the configuration; throws ConfigError naming the variable. */
export function loadCloudConfig(env: NodeJS.ProcessEnv = process.env): CloudConfig {
  const policy = optional(env, 'SELECTION_POLICY') ?? 'knee';
  if (policy !== 'knee' && policy !== 'weighted' && policy !== 'manual') throw new ConfigError('SELECTION_POLICY', `must be knee, weighted or manual, got "${policy}"`);
  const mqttUrl = optional(env, 'MQTT_URL');
  const share = env.MQTT_SHARE_GROUP;
  const shareGroup = mqttUrl === undefined ? undefined : share === undefined ? 'pss-cloud' : share === '' ? undefined : share;
  if (shareGroup !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(shareGroup)) {
    throw new ConfigError('MQTT_SHARE_GROUP', `must be 1 to 64 letters, digits, ".", "_" or "-", got "${shareGroup}"`);
  }
  const logLevel = optional(env, 'LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  return {
    httpPort: int(env, 'PORT', 3000, 0, 65535),
    httpHost: optional(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: optional(env, 'DATABASE_URL'),
    pgliteDataDir: optional(env, 'PGLITE_DATA_DIR'),
    mqttUrl,
    mqttPort: int(env, 'MQTT_PORT', 1883, 0, 65535),
    mqttHost: optional(env, 'MQTT_HOST') ?? '0.0.0.0',
    mqttUsername: optional(env, 'MQTT_USERNAME'),
    mqttPassword: optional(env, 'MQTT_PASSWORD'),
    shareGroup,
    influxUrl: optional(env, 'INFLUX_URL'),
    instanceId: optional(env, 'INSTANCE_ID') ?? `${env.HOSTNAME ?? 'cloud'}-${process.pid}`,
    batchWindowMs: int(env, 'BATCH_WINDOW_MS', 2000, 0, 3_600_000),
    selectionPolicy: policy,
    selectionWeights: parseWeights(optional(env, 'SELECTION_WEIGHTS')),
    optimizerTimeLimitMs: int(env, 'OPTIMIZER_TIME_LIMIT_MS', 1500, 50, 3_600_000),
    optimizerWorkers: int(env, 'OPTIMIZER_WORKERS', 1, 1, 64),
    adminKey: optional(env, 'PSS_ADMIN_KEY'),
    tenant: optional(env, 'PSS_TENANT') ?? 'demo',
    webhookUrl: optional(env, 'WORKORDER_WEBHOOK_URL'),
    logLevel,
  };
}
