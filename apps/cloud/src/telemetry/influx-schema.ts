// InfluxDB layout of the telemetry: names, the statements that set it up and read it, and INFLUX_URL. Pure: the
// store (influx-telemetry-store.ts) runs these.
import { ConfigError } from '../platform/config';
import { Resolution } from './telemetry-store';

export const RAW_RP = 'pss_raw';
export const DOWNSAMPLED_RP = 'pss_1m';
export const CQ_NAME = 'pss_cq_1m';
export const MEASUREMENT = 'status';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The latest time InfluxDB stores: 2262-04-11T23:47:16.854Z (int64 nanoseconds). */
export const INFLUX_MAX_TIME_MS = 9_223_372_036_854;

/** Where INFLUX_URL points. `display` never holds the credentials (it goes to logs and health). */
export interface InfluxTarget {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  database: string;
  username?: string;
  password?: string;
  display: string;
}

/** Reads INFLUX_URL; throws a ConfigError naming the variable. */
export function parseInfluxUrl(url: string): InfluxTarget {
  const example = 'like http://127.0.0.1:8086/pss (the path is the database)';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('INFLUX_URL', `must be a URL ${example}, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError('INFLUX_URL', `must use http or https, got ${JSON.stringify(parsed.protocol)} (${example})`);
  }
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, ''));
  if (!/^[A-Za-z0-9_.-]+$/.test(database)) {
    throw new ConfigError('INFLUX_URL', `must end in a database name of letters, digits, "_", "." or "-" (${example}), got path ${JSON.stringify(parsed.pathname)}`);
  }
  const port = parsed.port ? Number(parsed.port) : protocol === 'https' ? 443 : 8086;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return {
    protocol,
    host,
    port,
    database,
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    display: `${protocol}://${parsed.host}/${database}`,
  };
}

/** An InfluxQL identifier in double quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** An InfluxQL string literal in single quotes. */
export function quoteString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The continuous query's SELECT ... INTO: the one statement that fills pss_1m, run by the CQ (without a time range:
 * InfluxDB adds it) and by the store for late samples and `downsample()` (with one).
 */
export function downsampleStatement(database: string, where?: string): string {
  const db = quoteIdent(database);
  const m = quoteIdent(MEASUREMENT);
  return (
    `SELECT mean("value") AS "value", min("value") AS "min", max("value") AS "max" ` +
    `INTO ${db}.${quoteIdent(DOWNSAMPLED_RP)}.${m} FROM ${db}.${quoteIdent(RAW_RP)}.${m}` +
    (where ? ` WHERE ${where}` : '') +
    ` GROUP BY time(1m), "tenant", "asset", "part", "status"`
  );
}

export function continuousQueryStatement(database: string, resampleForMs: number): string {
  return (
    `CREATE CONTINUOUS QUERY ${quoteIdent(CQ_NAME)} ON ${quoteIdent(database)} ` +
    `RESAMPLE EVERY 1m FOR ${resampleForMs / MINUTE}m BEGIN ${downsampleStatement(database)} END`
  );
}

/**
 * Which data answers a range: the raw samples while they still cover it and it is at most `rawRangeLimitMs` long,
 * else the 1-minute aggregates (a week of raw samples is too many points to aggregate per request).
 */
export function pickResolution(range: { from: number; to: number }, now: number, options: { rawRetentionMs: number; rawRangeLimitMs: number }): Resolution {
  if (range.from < now - options.rawRetentionMs) return '1m';
  if (range.to - range.from > options.rawRangeLimitMs) return '1m';
  return 'raw';
}

/** A Go duration as SHOW RETENTION POLICIES prints it (`168h0m0s`, `0s` = infinite) in ms. */
export function parseGoDuration(text: string): number {
  const units: Record<string, number> = { h: HOUR, m: MINUTE, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(match[1]) * units[match[2]];
  return total;
}
