// Reads the dashboard's query parameters (GET /api/telemetry/:asset?status=&from=&to=&step=) into a SeriesQuery,
// every problem an issue naming its parameter (`query.step: ...`), answered as HTTP 400 {error, issues}.
import { BadRequestException } from '@nestjs/common';
import { Result, ValidationIssue } from '@pss/model';
import { LIMITS, checkStatusRef, hasControlCharacter, isWellFormed } from '@pss/protocol';
import { StatusKey, parseStatusRef } from './telemetry-store';

export interface QueryLimits {
  /** Intervals (from, to, step) one status may return; default 10,000. */
  maxIntervals?: number;
  /** Statuses one request may name; default 100. */
  maxStatuses?: number;
  /** The range when `from` is absent: `to` minus this; default 1 h. */
  defaultRangeMs?: number;
}

export const QUERY_DEFAULTS = { maxIntervals: 10_000, maxStatuses: 100, defaultRangeMs: 3_600_000 } as const;

export interface SeriesRequest {
  asset: string;
  statuses?: StatusKey[];
  from: number;
  to: number;
  stepMs?: number;
}

export const SERIES_PARAMETERS = ['status', 'from', 'to', 'step'] as const;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The HTTP 400 for a bad request: {error: one line naming every problem, issues: [{path, message}]}. */
export class TelemetryQueryError extends BadRequestException {
  constructor(readonly issues: ValidationIssue[]) {
    super({ error: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), issues });
  }
}

/** The :asset path parameter: an entity id as the protocol carries it. */
export function readAsset(value: unknown): Result<string> {
  const problem = assetProblem(value);
  return problem ? { ok: false, issues: [{ path: 'asset', message: problem }] } : { ok: true, value: value as string };
}

function assetProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'must be a non-empty asset id';
  if (value.length > LIMITS.maxIdLength) return `must be at most ${LIMITS.maxIdLength} characters, got ${value.length}`;
  if (hasControlCharacter(value)) return 'must not contain control characters';
  if (!isWellFormed(value)) return 'must be well-formed Unicode';
  return undefined;
}

/** Reads :asset and the query string; `now` (epoch ms) is the default `to`. */
export function readSeriesRequest(asset: unknown, query: Record<string, unknown>, now: number, limits: QueryLimits = {}): Result<SeriesRequest> {
  const maxIntervals = limits.maxIntervals ?? QUERY_DEFAULTS.maxIntervals;
  const maxStatuses = limits.maxStatuses ?? QUERY_DEFAULTS.maxStatuses;
  const defaultRangeMs = limits.defaultRangeMs ?? QUERY_DEFAULTS.defaultRangeMs;
  const issues: ValidationIssue[] = [];
  const add = (parameter: string, message: string): void => {
    issues.push({ path: parameter === 'asset' ? 'asset' : `query.${parameter}`, message });
  };

  const assetRead = readAsset(asset);
  if (!assetRead.ok) issues.push(...assetRead.issues);
  for (const name of Object.keys(query)) {
    if (!(SERIES_PARAMETERS as readonly string[]).includes(name)) add(name, `unknown parameter (known: ${SERIES_PARAMETERS.join(', ')})`);
  }

  const statuses = readStatuses(query.status, maxStatuses, (message) => add('status', message));
  const fromText = single(query.from, (message) => add('from', message));
  const toText = single(query.to, (message) => add('to', message));
  const stepText = single(query.step, (message) => add('step', message));

  const to = toText === undefined ? now : readTime(toText, (message) => add('to', message));
  const from = fromText === undefined ? (to === undefined ? undefined : Math.max(0, to - defaultRangeMs)) : readTime(fromText, (message) => add('from', message));
  if (from !== undefined && to !== undefined && from >= to) {
    add('from', `must be before to (from ${new Date(from).toISOString()}, to ${new Date(to).toISOString()})`);
  }
  const stepMs = stepText === undefined ? undefined : readStep(stepText, (message) => add('step', message));
  if (stepMs !== undefined && from !== undefined && to !== undefined && from < to) {
    const intervals = Math.ceil((to - from) / stepMs);
    if (intervals > maxIntervals) {
      add('step', `${stepText} over ${to - from} ms makes ${intervals} intervals per status, over the limit of ${maxIntervals}: use a step of at least ${Math.ceil((to - from) / maxIntervals)} ms`);
    }
  }

  if (issues.length > 0 || !assetRead.ok || from === undefined || to === undefined) return { ok: false, issues };
  return { ok: true, value: { asset: assetRead.value, from, to, ...(statuses && { statuses }), ...(stepMs !== undefined && { stepMs }) } };
}

/** `status=a.b&status=c.d` or `status=a.b,c.d`; absent = every status. */
function readStatuses(value: unknown, max: number, fail: (message: string) => void): StatusKey[] | undefined {
  if (value === undefined) return undefined;
  const parts = Array.isArray(value) ? value : [value];
  const refs: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      fail('must be a status reference <part>.<status> (like p.axle.vibration_rms)');
      return undefined;
    }
    for (const ref of part.split(',')) if (!refs.includes(ref.trim())) refs.push(ref.trim());
  }
  if (refs.length > max) {
    fail(`names ${refs.length} statuses, over the limit of ${max}`);
    return undefined;
  }
  const keys: StatusKey[] = [];
  for (const ref of refs) {
    const key = ref === '' ? undefined : parseStatusRef(ref);
    const problem = ref === '' ? 'is empty' : checkStatusRef(ref);
    if (!key || problem) {
      fail(`${JSON.stringify(clip(ref))}: must be a status reference <part>.<status> (like p.axle.vibration_rms)`);
      continue;
    }
    keys.push(key);
  }
  return keys;
}

function single(value: unknown, fail: (message: string) => void): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    fail(Array.isArray(value) ? 'must be given once' : 'must be a single value');
    return undefined;
  }
  return value;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms (`1772439300000`) or ISO 8601 with a zone (`2026-03-02T08:15:00Z`; a bare date is UTC midnight). */
export function readTime(text: string, fail: (message: string) => void): number | undefined {
  const expected = `must be epoch milliseconds (like 1772439300000) or an ISO 8601 time with a zone (like 2026-03-02T08:15:00Z), got ${JSON.stringify(clip(text))}`;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text);
  else if (ISO_DATE.test(text) || ISO_DATE_TIME.test(text)) ms = Date.parse(text);
  else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text)) {
    fail(`${JSON.stringify(text)} has no zone: add Z (UTC) or an offset like +01:00`);
    return undefined;
  } else {
    fail(expected);
    return undefined;
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > LIMITS.maxTime) {
    fail(`${expected}; it must also lie between 1970 and the year 275760`);
    return undefined;
  }
  return ms;
}

/** A step in ms (`60000`) or with a unit (`500ms`, `10s`, `5m`, `1h`, `1d`); at least 1 ms. */
export function readStep(text: string, fail: (message: string) => void): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
  const ms = match ? Number(match[1]) * UNITS[match[2] ?? 'ms'] : NaN;
  if (!Number.isSafeInteger(ms) || ms < 1) {
    fail(`must be an interval of at least 1 ms, in ms (60000) or with a unit ms, s, m, h or d (like 10s or 5m), got ${JSON.stringify(clip(text))}`);
    return undefined;
  }
  return ms;
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
