// Loading for the commands that need one kind of document.
import { ConfigurationProblem, PesProblem, PssModel, ValidationError } from '@pss/model';
import { loadDocument } from '@pss/documents';
import { CliIo } from '../io';

export function loadProblem(file: string, io: CliIo): { kind: 'ConfigurationProblem'; value: ConfigurationProblem } | { kind: 'PesProblem'; value: PesProblem } {
  const { document, warnings } = loadDocument(file);
  for (const w of warnings) io.err(`${file}: warning: ${w.path ? `${w.path}: ` : ''}${w.message}\n`);
  if (document.kind === 'PssModel') {
    throw new ValidationError([{ path: 'kind', message: 'is PssModel: give a ConfigurationProblem (which triggered flows, deadlines) or a PesProblem' }], file);
  }
  return document;
}

/** A model file, or the model of a ConfigurationProblem file. */
export function loadModel(file: string): PssModel {
  const { document } = loadDocument(file);
  if (document.kind === 'PssModel') return document.value;
  if (document.kind === 'ConfigurationProblem') return document.value.model;
  throw new ValidationError([{ path: 'kind', message: 'is PesProblem, which has no PSS model: give a PssModel or ConfigurationProblem' }], file);
}
