// Reads PSS documents from disk: JSON or YAML by extension, a ConfigurationProblem's `model: ./path`
// resolved relative to the problem file. Errors carry every issue and the file they are in.
import { readFileSync } from 'fs';
import { dirname, resolve } from 'path';
import {
  PssDocument,
  PssModel,
  Result,
  ValidationError,
  ValidationIssue,
  guessFormat,
  isRecord,
  parseText,
  readPssDocument,
  readPssModel,
} from '@pss/model';

export interface LoadedDocument {
  file: string;
  document: PssDocument;
  /** Warnings (unknown keys and such) from the document and any model it refers to. */
  warnings: ValidationIssue[];
}

/** Reads and parses one file into an untyped value. */
export function readRaw(file: string): Result<unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return { ok: false, issues: [{ path: '', message: `cannot read ${file}: ${why}` }] };
  }
  return parseText(text, guessFormat(text, file));
}

/** Loads a model, problem or PES document; throws ValidationError naming the file on any problem. */
export function loadDocument(file: string): LoadedDocument {
  const raw = readRaw(file);
  if (!raw.ok) throw new ValidationError(raw.issues, file);
  let model: PssModel | undefined;
  const warnings: ValidationIssue[] = [];
  if (isRecord(raw.value) && raw.value.kind === 'ConfigurationProblem' && typeof raw.value.model === 'string') {
    const modelFile = resolve(dirname(file), raw.value.model);
    const modelRaw = readRaw(modelFile);
    if (!modelRaw.ok) throw new ValidationError(prefix(modelRaw.issues, `model (${raw.value.model})`), file);
    const read = readPssModel(modelRaw.value);
    if (!read.ok) throw new ValidationError(prefix(read.issues, `model (${raw.value.model})`), file, prefix(read.warnings ?? [], `model (${raw.value.model})`));
    model = read.value;
    warnings.push(...prefix(read.warnings ?? [], `model (${raw.value.model})`));
  }
  const result = readPssDocument(raw.value, model ? { model } : {});
  if (!result.ok) throw new ValidationError(result.issues, file, [...warnings, ...(result.warnings ?? [])]);
  warnings.push(...(result.warnings ?? []));
  return { file, document: result.value, warnings };
}

function prefix(issues: readonly ValidationIssue[], where: string): ValidationIssue[] {
  return issues.map((i) => ({ path: i.path ? `${where}.${i.path}` : where, message: i.message }));
}
