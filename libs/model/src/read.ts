// Typed field readers over untyped documents. Each reports into an IssueCollector and returns a
// usable fallback, so that one pass finds every problem.
import { IssueCollector, describe, isRecord, joinPath } from './issues';

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Strict lower bound (value must be greater). */
  above?: number;
}

export class DocReader {
  constructor(readonly issues: IssueCollector) {}

  object(value: unknown, path: string): Record<string, unknown> | undefined {
    if (isRecord(value)) return value;
    this.issues.add(path, `must be an object, got ${describe(value)}`);
    return undefined;
  }

  /**
   * Warns about keys the schema does not know: a misspelt key is a silent default otherwise. Not an
   * error, because documents may carry their own annotations (notes, provenance, units).
   */
  knownKeys(obj: Record<string, unknown>, path: string, keys: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!keys.includes(key)) this.issues.warn(joinPath(path, key), `unknown field, ignored (known: ${keys.join(', ')})`);
    }
  }

  string(obj: Record<string, unknown>, key: string, path: string): string {
    const value = obj[key];
    const at = joinPath(path, key);
    if (value === undefined) {
      this.issues.add(at, 'is required');
      return '';
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.issues.add(at, `must be a non-empty string, got ${describe(value)}`);
      return '';
    }
    return value;
  }

  optionalString(obj: Record<string, unknown>, key: string, path: string): string | undefined {
    if (obj[key] === undefined) return undefined;
    return this.string(obj, key, path);
  }

  number(obj: Record<string, unknown>, key: string, path: string, rule: NumberRule = {}, fallback?: number): number {
    const value = obj[key];
    const at = joinPath(path, key);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      this.issues.add(at, 'is required');
      return 0;
    }
    return this.checkNumber(value, at, rule);
  }

  optionalNumber(obj: Record<string, unknown>, key: string, path: string, rule: NumberRule = {}): number | undefined {
    if (obj[key] === undefined) return undefined;
    return this.checkNumber(obj[key], joinPath(path, key), rule);
  }

  checkNumber(value: unknown, at: string, rule: NumberRule): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.issues.add(at, `must be a finite number, got ${describe(value)}`);
      return 0;
    }
    if (rule.integer && !Number.isInteger(value)) this.issues.add(at, `must be an integer, got ${value}`);
    if (rule.min !== undefined && value < rule.min) this.issues.add(at, `must be >= ${rule.min}, got ${value}`);
    if (rule.max !== undefined && value > rule.max) this.issues.add(at, `must be <= ${rule.max}, got ${value}`);
    if (rule.above !== undefined && value <= rule.above) this.issues.add(at, `must be > ${rule.above}, got ${value}`);
    return value;
  }

  boolean(obj: Record<string, unknown>, key: string, path: string, fallback: boolean): boolean {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.issues.add(joinPath(path, key), `must be true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  /** A list field; `required: false` makes an absent field an empty list. */
  list(obj: Record<string, unknown>, key: string, path: string, required = true): unknown[] {
    const value = obj[key];
    const at = joinPath(path, key);
    if (value === undefined) {
      if (required) this.issues.add(at, 'is required');
      return [];
    }
    if (!Array.isArray(value)) {
      this.issues.add(at, `must be a list, got ${describe(value)}`);
      return [];
    }
    return value;
  }

  stringList(obj: Record<string, unknown>, key: string, path: string, required = true): string[] {
    const at = joinPath(path, key);
    return this.list(obj, key, path, required).flatMap((item, i) => {
      if (typeof item === 'string' && item.trim() !== '') return [item];
      this.issues.add(joinPath(at, i), `must be a non-empty string, got ${describe(item)}`);
      return [];
    });
  }

  oneOf<T extends string>(obj: Record<string, unknown>, key: string, path: string, allowed: readonly T[], fallback?: T): T {
    const value = obj[key];
    const at = joinPath(path, key);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.issues.add(at, value === undefined ? `is required (one of: ${allowed.join(', ')})` : `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    return fallback ?? allowed[0];
  }

  /** Records ids, reporting duplicates; returns the set of ids seen. */
  uniqueIds(items: readonly { id: string }[], path: string): Set<string> {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      if (!item.id) return;
      const first = seen.get(item.id);
      if (first !== undefined) this.issues.add(joinPath(joinPath(path, i), 'id'), `duplicate id "${item.id}" (first at ${path}[${first}])`);
      else seen.set(item.id, i);
    });
    return new Set(seen.keys());
  }
}
