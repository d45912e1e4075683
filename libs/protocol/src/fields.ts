// Typed field readers for message payloads, in the model library's style: every problem goes into an
// IssueCollector as `path: message`, readers return a usable fallback and keep going, unknown fields are warnings.
// Payloads need more than the model's DocReader offers (segments, epoch times, bounded lists) and
// read some fields differently, so this is a reader of its own on the same IssueCollector.
import { IssueCollector, describe, isRecord, joinPath } from '@pss/model';
import { LIMITS } from './limits';
import { SegmentRole, checkSegment } from './topics';
import { RESERVED_TOP_LEVEL_KEYS } from './types';

/** C0 control characters and DEL: they corrupt logs and terminals, and no id needs them. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
/** A UTF-16 surrogate without its partner: not Unicode text, and UTF-8 cannot carry it (it would arrive as U+FFFD). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

export interface IntegerRule {
  min: number;
  max: number;
}

export class PayloadReader {
  constructor(readonly issues: IssueCollector) {}

  object(value: unknown, path: string): Record<string, unknown> | undefined {
    if (isRecord(value)) return value;
    this.issues.add(path, `must be an object, got ${describe(value)}`);
    return undefined;
  }

  /** Unknown fields are warnings, not errors: a newer minor revision of a schema may add optional fields. */
  knownKeys(obj: Record<string, unknown>, path: string, keys: readonly string[], alreadyReported: readonly string[] = []): void {
    for (const key of Object.keys(obj)) {
      if (!keys.includes(key) && !alreadyReported.includes(key)) this.issues.warn(joinPath(path, key), `unknown field, ignored (known: ${keys.join(', ')})`);
    }
  }

  /** `pattern` and `data` at the top level are errors, never warnings: see RESERVED_TOP_LEVEL_KEYS. */
  reservedKeys(obj: Record<string, unknown>): void {
    for (const key of RESERVED_TOP_LEVEL_KEYS) {
      if (Object.prototype.hasOwnProperty.call(obj, key)) {
        this.issues.add(key, 'reserved top-level key: @nestjs/microservices would take this payload for its own {pattern, data} envelope');
      }
    }
  }

  private required(obj: Record<string, unknown>, key: string, path: string): unknown {
    const value = obj[key];
    if (value === undefined) this.issues.add(joinPath(path, key), 'is required');
    return value;
  }

  /** A non-empty string of at most `max` characters without control characters. */
  id(obj: Record<string, unknown>, key: string, path: string, max: number = LIMITS.maxIdLength): string {
    const value = this.required(obj, key, path);
    return value === undefined ? '' : this.checkId(value, joinPath(path, key), max);
  }

  optionalId(obj: Record<string, unknown>, key: string, path: string, max: number = LIMITS.maxIdLength): string | undefined {
    return obj[key] === undefined ? undefined : this.checkId(obj[key], joinPath(path, key), max);
  }

  messageId(obj: Record<string, unknown>, key: string, path: string): string {
    return this.id(obj, key, path, LIMITS.maxMessageIdLength);
  }

  checkId(value: unknown, at: string, max: number): string {
    if (typeof value !== 'string' || value === '') {
      this.issues.add(at, `must be a non-empty string, got ${describe(value)}`);
      return '';
    }
    if (value.length > max) this.issues.add(at, `must be at most ${max} characters, got ${value.length}`);
    else if (hasControlCharacter(value)) this.issues.add(at, 'must not contain control characters');
    else if (!isWellFormed(value)) this.issues.add(at, 'must be well-formed Unicode (it has a lone surrogate)');
    else if (value.trim() !== value) this.issues.add(at, `must not start or end with white space, got ${describe(value)}`);
    return value;
  }

  /** A topic segment: tenant, gateway or resource (see `checkSegment`). */
  segment(obj: Record<string, unknown>, key: string, path: string, role: SegmentRole): string {
    const value = this.required(obj, key, path);
    return value === undefined ? '' : this.checkSegmentValue(value, joinPath(path, key), role);
  }

  checkSegmentValue(value: unknown, at: string, role: SegmentRole): string {
    const problem = checkSegment(role, value);
    if (problem) this.issues.add(at, problem);
    return typeof value === 'string' ? value : '';
  }

  /** Epoch milliseconds: an integer in [0, LIMITS.maxTime]. */
  time(obj: Record<string, unknown>, key: string, path: string): number {
    const value = this.required(obj, key, path);
    if (value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > LIMITS.maxTime) {
      this.issues.add(joinPath(path, key), `must be a time in epoch milliseconds (an integer from 0 to ${LIMITS.maxTime}), got ${describe(value)}`);
      return 0;
    }
    return value;
  }

  integer(obj: Record<string, unknown>, key: string, path: string, rule: IntegerRule): number {
    const value = this.required(obj, key, path);
    return value === undefined ? rule.min : this.checkInteger(value, joinPath(path, key), rule);
  }

  optionalInteger(obj: Record<string, unknown>, key: string, path: string, rule: IntegerRule): number | undefined {
    return obj[key] === undefined ? undefined : this.checkInteger(obj[key], joinPath(path, key), rule);
  }

  private checkInteger(value: unknown, at: string, rule: IntegerRule): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.issues.add(at, `must be an integer, got ${describe(value)}`);
      return rule.min;
    }
    if (value < rule.min) this.issues.add(at, `must be >= ${rule.min}, got ${value}`);
    if (value > rule.max) this.issues.add(at, `must be <= ${rule.max}, got ${value}`);
    return value;
  }

  number(obj: Record<string, unknown>, key: string, path: string): number {
    const value = this.required(obj, key, path);
    return value === undefined ? 0 : this.checkNumber(value, joinPath(path, key));
  }

  checkNumber(value: unknown, at: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.issues.add(at, `must be a finite number, got ${describe(value)}`);
      return 0;
    }
    return value;
  }

  /** Free text (may be empty) of at most `max` characters. */
  optionalText(obj: Record<string, unknown>, key: string, path: string, max: number): string | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    const at = joinPath(path, key);
    if (typeof value !== 'string') {
      this.issues.add(at, `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (value.length > max) this.issues.add(at, `must be at most ${max} characters, got ${value.length}`);
    else if (!isWellFormed(value)) this.issues.add(at, 'must be well-formed Unicode (it has a lone surrogate)');
    return value;
  }

  oneOf<T extends string>(obj: Record<string, unknown>, key: string, path: string, allowed: readonly T[]): T {
    const value = obj[key];
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    const at = joinPath(path, key);
    this.issues.add(at, value === undefined ? `is required (one of: ${allowed.join(', ')})` : `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    return allowed[0];
  }

  optionalOneOf<T extends string>(obj: Record<string, unknown>, key: string, path: string, allowed: readonly T[]): T | undefined {
    return obj[key] === undefined ? undefined : this.oneOf(obj, key, path, allowed);
  }

  /**
   * A list of `min` to `max` items. Over the limit, the items are not read (a reader's work stays bounded) and the
   * list counts as empty.
   */
  list(obj: Record<string, unknown>, key: string, path: string, rule: { min: number; max: number; what: string; limit: string }): unknown[] {
    const value = this.required(obj, key, path);
    if (value === undefined) return [];
    const at = joinPath(path, key);
    if (!Array.isArray(value)) {
      this.issues.add(at, `must be a list, got ${describe(value)}`);
      return [];
    }
    if (value.length > rule.max) {
      this.issues.add(at, `has ${value.length} ${rule.what}, over the limit of ${rule.max} (${rule.limit})`);
      return [];
    }
    if (value.length < rule.min) this.issues.add(at, `must have at least ${rule.min} ${rule.min === 1 ? rule.what.replace(/s$/, '') : rule.what}`);
    return value;
  }

  /** Reports repeated strings in a list already read; `label` names what repeats. */
  unique(items: readonly string[], at: string, label: string): void {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const seen = first.get(item);
      if (seen !== undefined) this.issues.add(joinPath(at, i), `duplicate ${label} ${JSON.stringify(item)} (first at ${joinPath(at, seen)})`);
      else first.set(item, i);
    });
  }

  /**
   * An object of finite numbers, at most `maxEntries` keys; each key is checked by `checkKey` (returns what is
   * wrong). Built with Object.fromEntries so that a key like `__proto__` stays an ordinary key.
   */
  numberMap(
    obj: Record<string, unknown>,
    key: string,
    path: string,
    rule: { maxEntries: number; limit: string; checkKey: (key: string) => string | undefined },
  ): Record<string, number> {
    const value = this.required(obj, key, path);
    if (value === undefined) return {};
    const at = joinPath(path, key);
    const map = this.object(value, at);
    if (!map) return {};
    const keys = Object.keys(map);
    if (keys.length > rule.maxEntries) {
      this.issues.add(at, `has ${keys.length} entries, over the limit of ${rule.maxEntries} (${rule.limit})`);
      return {};
    }
    const entries: [string, number][] = [];
    for (const k of keys) {
      const entryPath = joinPath(at, k);
      const keyProblem = rule.checkKey(k);
      if (keyProblem) this.issues.add(entryPath, keyProblem);
      entries.push([k, this.checkNumber(map[k], entryPath)]);
    }
    return Object.fromEntries(entries);
  }
}

/** A status reference as the condition language writes it: `<part>.<status>` (`p.axle.vibration_rms`). */
export function checkStatusRef(key: string): string | undefined {
  if (key.length > LIMITS.maxValueKeyLength) return `key must be at most ${LIMITS.maxValueKeyLength} characters, got ${key.length}`;
  if (!/^[^\s.]+(\.[^\s.]+)+$/.test(key) || hasControlCharacter(key) || !isWellFormed(key)) {
    return 'key must be a status reference <part>.<status> (like p.axle.vibration_rms)';
  }
  return undefined;
}

/** A window-function call as written in a condition (`avg(p.axle.vibration_rms, '10m')`). */
export function checkWindowKey(key: string): string | undefined {
  if (key === '' || key.trim() !== key) return 'key must be a window-function call as written in the condition, without surrounding white space';
  if (key.length > LIMITS.maxValueKeyLength) return `key must be at most ${LIMITS.maxValueKeyLength} characters, got ${key.length}`;
  if (hasControlCharacter(key)) return 'key must not contain control characters';
  if (!isWellFormed(key)) return 'key must be well-formed Unicode (it has a lone surrogate)';
  return undefined;
}
