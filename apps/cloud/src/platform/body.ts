// Request bodies: JSON (application/json) arrives parsed, YAML (text/yaml, application/yaml, text/plain) as text
// (http.ts registers the parsers). These helpers turn either into an untyped document and read plain fields,
// collecting every issue with the field's path, answered as 400 {error, issues}.
import { IssueCollector, Result, describe, guessFormat, isRecord, joinPath, parseText } from '@pss/model';
import { badRequest } from './errors';

/** The body as an untyped document: parsed JSON as it is, text parsed as YAML or JSON. */
export function documentFromBody(body: unknown): Result<unknown> {
  if (typeof body === 'string') {
    if (body.trim() === '') return { ok: false, issues: [{ path: 'body', message: 'is empty' }] };
    return parseText(body, guessFormat(body));
  }
  if (body === undefined || body === null) {
    return { ok: false, issues: [{ path: 'body', message: 'is required: send it as application/json or text/yaml' }] };
  }
  return { ok: true, value: body };
}

/** The body as an object, or a 400 naming what came instead. */
export function objectBody(body: unknown, what: string): Record<string, unknown> {
  const doc = documentFromBody(body);
  if (!doc.ok) throw badRequest(`invalid ${what}`, doc.issues);
  if (!isRecord(doc.value)) throw badRequest(`invalid ${what}`, [{ path: 'body', message: `must be an object, got ${describe(doc.value)}` }]);
  return doc.value;
}

/** Field readers over a request object, reporting into one collector; `path` is the object's own path. */
export class FieldReader {
  readonly issues = new IssueCollector();

  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly path = 'body',
  ) {}

  knownKeys(keys: readonly string[]): void {
    for (const key of Object.keys(this.obj)) {
      if (!keys.includes(key)) this.issues.add(joinPath(this.path, key), `unknown field (known: ${keys.join(', ')})`);
    }
  }

  string(key: string, options: { required: true; pattern?: RegExp; patternText?: string; max?: number }): string;
  string(key: string, options?: { required?: boolean; pattern?: RegExp; patternText?: string; max?: number }): string | undefined;
  string(key: string, options: { required?: boolean; pattern?: RegExp; patternText?: string; max?: number } = {}): string | undefined {
    const value = this.obj[key];
    const at = joinPath(this.path, key);
    if (value === undefined || value === null) {
      if (options.required) this.issues.add(at, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.issues.add(at, `must be a non-empty string, got ${describe(value)}`);
      return undefined;
    }
    if (options.max !== undefined && value.length > options.max) this.issues.add(at, `must be at most ${options.max} characters, got ${value.length}`);
    else if (options.pattern !== undefined && !options.pattern.test(value)) this.issues.add(at, `must be ${options.patternText ?? `like ${options.pattern}`}, got ${describe(value)}`);
    return value;
  }

  integer(key: string, options: { min?: number; max?: number } = {}): number | undefined {
    const value = this.obj[key];
    const at = joinPath(this.path, key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.issues.add(at, `must be an integer, got ${describe(value)}`);
      return undefined;
    }
    if (options.min !== undefined && value < options.min) this.issues.add(at, `must be >= ${options.min}, got ${value}`);
    if (options.max !== undefined && value > options.max) this.issues.add(at, `must be <= ${options.max}, got ${value}`);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], required: boolean): T | undefined {
    const value = this.obj[key];
    const at = joinPath(this.path, key);
    if (value === undefined || value === null) {
      if (required) this.issues.add(at, `is required (one of: ${allowed.join(', ')})`);
      return undefined;
    }
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.issues.add(at, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    return undefined;
  }

  /** A list of non-empty strings; null stays null (e.g. "every trigger"). */
  stringList(key: string): string[] | null | undefined {
    const value = this.obj[key];
    const at = joinPath(this.path, key);
    if (value === undefined) return undefined;
    if (value === null) return null;
    if (!Array.isArray(value)) {
      this.issues.add(at, `must be a list of strings or null, got ${describe(value)}`);
      return undefined;
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === 'string' && item.trim() !== '') out.push(item);
      else this.issues.add(joinPath(at, i), `must be a non-empty string, got ${describe(item)}`);
    });
    return out;
  }

  /** Throws 400 with every issue collected so far. */
  check(what: string): void {
    if (!this.issues.ok) throw badRequest(`invalid ${what}`, this.issues.issues);
  }
}

/** An optional positive integer query parameter (`?version=3`). */
export function queryInteger(value: unknown, name: string, min = 1): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min) throw badRequest(`invalid query parameter ${name}`, [{ path: `query.${name}`, message: `must be an integer >= ${min}, got ${describe(value)}` }]);
  return n;
}
