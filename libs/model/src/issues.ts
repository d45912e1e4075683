// Validation reports every problem at once, each naming where it is and which rule it breaks:
// `flows[2].body.xor: needs at least 2 branches`.

export interface ValidationIssue {
  /** Where, as a JSON-ish path: `activities[3].time`, or '' for the document itself. */
  path: string;
  message: string;
}

export function formatIssue(issue: ValidationIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** Thrown when a document is not valid; carries every issue found. */
export class ValidationError extends Error {
  readonly issues: readonly ValidationIssue[];
  readonly source?: string;
  /** Warnings found on the way: often the explanation of an error (a misspelt key). */
  readonly warnings: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], source?: string, warnings: readonly ValidationIssue[] = []) {
    const head = source ? `${source}: ` : '';
    const lines = issues.map(formatIssue);
    super(`${head}${issues.length} problem${issues.length === 1 ? '' : 's'}\n  ${lines.join('\n  ')}`);
    this.name = 'ValidationError';
    this.issues = issues;
    this.source = source;
    this.warnings = warnings;
  }
}

/** A read's outcome. Warnings never block loading; they go to the person who wrote the file. */
export type Result<T> = { ok: true; value: T; warnings?: ValidationIssue[] } | { ok: false; issues: ValidationIssue[]; warnings?: ValidationIssue[] };

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/** Collects issues while reading an untyped document. Readers return a fallback value and keep going. */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];
  /** Not errors: the document loads, but a person should look (an unknown key is often a typo). */
  readonly warnings: ValidationIssue[] = [];

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }

  result<T>(value: T | undefined): Result<T> {
    return this.ok && value !== undefined
      ? { ok: true, value, warnings: this.warnings }
      : { ok: false, issues: this.issues, warnings: this.warnings };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${String(value)}`;
}
