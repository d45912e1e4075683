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
  // prettyErrors fills in each error's line and column (and adds a code frame we leave out).
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    const issues: ValidationIssue[] = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return { path: '', message: `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${message}` };
    });
    return { ok: false, issues };
  }
  // Alias problems (unresolved, or an alias bomb) only surface when the document is converted.
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: `invalid YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}` }] };
  }
}

function jsonErrorWithLine(text: string, error: unknown): string {
  // Keep the engine's words, not the piece of the document it may quote: cut at the quote or position.
  const message = (error instanceof Error ? error.message : String(error)).split(/, "|, \.\.\."| in JSON| at position|\n/)[0];
  // Engines word their messages differently and not all give a position: find it ourselves.
  const offset = jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `${message} at line ${line}, column ${col}`;
}

/** Offset of the first syntax error in JSON text (a small recursive-descent scanner). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => (text.startsWith(word, i) ? (i += word.length) : fail());
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return void literal('true');
    if (c === 'f') return void literal('false');
    if (c === 'n') return void literal('null');
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return text.length;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : text.length;
  }
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
