// Small HTTP helpers the pipeline's controllers share: the caller (attached by the platform's auth guard), typed
// errors answered as {error, issues?}, and explicit readers for request bodies and query strings that name the
// field at fault (`body.deadline: must be an integer epoch ms >= 0`).
import { ExecutionContext, ForbiddenException, HttpException, HttpStatus, createParamDecorator } from '@nestjs/common';
import type { Principal } from '../platform/tokens';

/** The Principal the auth guard attached to the request (`request.principal`). */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (request.principal === undefined) throw new ForbiddenException({ error: 'no authenticated principal on this request' });
  return request.principal;
});

export interface HttpIssue {
  path: string;
  message: string;
}

/** An HTTP error whose body is `{error, issues?, ...extra}`. */
export class ApiError extends HttpException {
  constructor(status: HttpStatus, error: string, extra: { issues?: HttpIssue[]; [key: string]: unknown } = {}) {
    super({ error, ...extra }, status);
  }
}

export const badRequest = (issues: HttpIssue[]): ApiError =>
  new ApiError(HttpStatus.BAD_REQUEST, `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
export const notFound = (what: string): ApiError => new ApiError(HttpStatus.NOT_FOUND, `${what} not found`);
export const conflict = (error: string, extra: Record<string, unknown> = {}): ApiError => new ApiError(HttpStatus.CONFLICT, error, extra);
export const forbidden = (error: string): ApiError => new ApiError(HttpStatus.FORBIDDEN, error);

/** Reads fields of a JSON body, collecting every issue; `done()` throws a 400 naming them all. */
export class BodyReader {
  private readonly issues: HttpIssue[] = [];
  private readonly body: Record<string, unknown>;

  constructor(
    raw: unknown,
    private readonly base = 'body',
    private readonly known: readonly string[] = [],
  ) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      this.issues.push({ path: base, message: 'must be a JSON object' });
      this.body = {};
    } else {
      this.body = raw as Record<string, unknown>;
      if (known.length > 0) {
        for (const key of Object.keys(this.body)) if (!known.includes(key)) this.issues.push({ path: `${base}.${key}`, message: `unknown field (known: ${known.join(', ')})` });
      }
    }
  }

  string(key: string, options: { maxLength?: number } = {}): string {
    const value = this.body[key];
    if (typeof value !== 'string' || value.trim() === '') {
      this.issues.push({ path: `${this.base}.${key}`, message: value === undefined ? 'is required' : 'must be a non-empty string' });
      return '';
    }
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      this.issues.push({ path: `${this.base}.${key}`, message: `must be at most ${options.maxLength} characters` });
    }
    return value;
  }

  optionalString(key: string, options: { maxLength?: number } = {}): string | undefined {
    return this.body[key] === undefined ? undefined : this.string(key, options);
  }

  integer(key: string, options: { min?: number; max?: number; what?: string } = {}): number {
    const value = this.body[key];
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = options.max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
      this.issues.push({ path: `${this.base}.${key}`, message: value === undefined ? 'is required' : `must be ${options.what ?? 'an integer'} ${range}` });
      return min;
    }
    return value;
  }

  optionalInteger(key: string, options: { min?: number; max?: number; what?: string } = {}): number | undefined {
    return this.body[key] === undefined ? undefined : this.integer(key, options);
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const value = this.body[key];
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      this.issues.push({ path: `${this.base}.${key}`, message: value === undefined ? `is required (one of ${values.join(', ')})` : `must be one of ${values.join(', ')}` });
      return values[0];
    }
    return value as T;
  }

  optionalOneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    return this.body[key] === undefined ? undefined : this.oneOf(key, values);
  }

  /** Throws a 400 with every issue found, if any. */
  done(): void {
    if (this.issues.length > 0) throw badRequest(this.issues);
  }
}

/** A query string parameter that must be one of `values` when present. */
export function queryOneOf<T extends string>(name: string, raw: unknown, values: readonly T[]): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !(values as readonly string[]).includes(raw)) {
    throw badRequest([{ path: `query.${name}`, message: `must be one of ${values.join(', ')}` }]);
  }
  return raw as T;
}

/** An optional integer query parameter within [min, max]. */
export function queryInteger(name: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest([{ path: `query.${name}`, message: `must be an integer from ${min} to ${max}` }]);
  return n;
}

/** A query string parameter that must be a plain identifier when present (resource ids, model ids). */
export function queryId(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 512) throw badRequest([{ path: `query.${name}`, message: 'must be a single id of at most 512 characters' }]);
  return raw;
}
