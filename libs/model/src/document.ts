// Text -> untyped document (JSON or YAML) -> typed, validated document by its `kind`.
import { parseDocument } from 'yaml';
import { ConfigurationProblem, PesProblem, PssModel } from './types';
import { Result, ValidationIssue, describe, isRecord } from './issues';
import { readPssModel } from './read-model';
import { ProblemReadOptions, readConfigurationProblem, readPesProblem } from './read-problem';

export type DocumentFormat = 'json' | 'yaml';

export function guessFormat(text: string, name = ''): DocumentFormat {
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  if (/\.json$/i.test(name)) return 'json';
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

/** Parses JSON or YAML text; syntax errors name the line and column. */
export function parseText(text: string, format: DocumentFormat): Result<unknown> {
  if (format === 'json') {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      return { ok: false, issues: [{ path: '', message: `invalid JSON: ${jsonErrorWithLine(text, error)}` }] };
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const issues: ValidationIssue[] = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return { path: '', message: `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}` };
    });
    return { ok: false, issues };
  }
  return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) };
}

function jsonErrorWithLine(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  if (!match) return message;
  const offset = Number(match[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${col}`;
}

export type PssDocument =
  | { kind: 'PssModel'; value: PssModel }
  | { kind: 'ConfigurationProblem'; value: ConfigurationProblem }
  | { kind: 'PesProblem'; value: PesProblem };

export const DOCUMENT_KINDS = ['PssModel', 'ConfigurationProblem', 'PesProblem'] as const;

/** Validates an untyped document according to its `kind`. */
export function readPssDocument(raw: unknown, options: ProblemReadOptions = {}): Result<PssDocument> {
  const kind = isRecord(raw) ? raw.kind : undefined;
  if (kind === 'PssModel') return wrap('PssModel', readPssModel(raw));
  if (kind === 'ConfigurationProblem') return wrap('ConfigurationProblem', readConfigurationProblem(raw, options));
  if (kind === 'PesProblem') return wrap('PesProblem', readPesProblem(raw));
  const got = isRecord(raw) ? (kind === undefined ? 'no kind' : describe(kind)) : describe(raw);
  return { ok: false, issues: [{ path: 'kind', message: `must be one of ${DOCUMENT_KINDS.join(', ')}, got ${got}` }] };
}

function wrap<K extends PssDocument['kind']>(kind: K, result: Result<Extract<PssDocument, { kind: K }>['value']>): Result<PssDocument> {
  return result.ok ? { ok: true, value: { kind, value: result.value } as PssDocument, warnings: result.warnings } : result;
}
