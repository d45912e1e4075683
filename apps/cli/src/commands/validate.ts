// pss validate FILE...: every problem of every file, or a one-line summary of what loaded.
import { ValidationError, ValidationIssue, formatIssue, PssDocument } from '@pss/model';
import { loadDocument } from '@pss/documents';
import { CliIo, EXIT } from '../io';
import { parseCommand } from '../args';

export const validateHelp = `pss validate FILE... [--format table|json]
  Checks PssModel, ConfigurationProblem and PesProblem files (JSON or YAML) and prints every problem
  found, each with its path and rule. Exit 0 when all files are valid, 2 otherwise.`;

interface FileReport {
  file: string;
  valid: boolean;
  kind?: string;
  summary?: string;
  issues: ValidationIssue[];
  warnings: ValidationIssue[];
}

export function validateCommand(argv: string[], io: CliIo): number {
  const { format, positionals } = parseCommand(argv, {}, 'table');
  if (positionals.length === 0) throw new ValidationError([{ path: '', message: 'validate needs at least one FILE' }]);
  const reports = positionals.map((file): FileReport => {
    try {
      const { document, warnings } = loadDocument(file);
      return { file, valid: true, kind: document.kind, summary: summarize(document), issues: [], warnings };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return { file, valid: false, issues: [...error.issues], warnings: [...error.warnings] };
    }
  });
  if (format === 'json') {
    io.out(JSON.stringify({ kind: 'ValidationReport', files: reports }, null, 2) + '\n');
  } else {
    for (const r of reports) {
      if (r.valid) io.out(`${r.file}: valid ${r.kind} (${r.summary})\n`);
      else {
        io.out(`${r.file}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}\n`);
        for (const issue of r.issues) io.out(`  ${formatIssue(issue)}\n`);
      }
      for (const w of r.warnings) io.err(`${r.file}: warning: ${formatIssue(w)}\n`);
    }
  }
  return reports.every((r) => r.valid) ? EXIT.ok : EXIT.invalid;
}

export function summarize(doc: PssDocument): string {
  if (doc.kind === 'PssModel') {
    const m = doc.value;
    return `"${m.name}": ${m.parts.length} parts, ${m.triggers.length} triggers, ${m.activities.length} activities, ${m.resourceKinds.length} resource kinds, ${m.resources.length} resources`;
  }
  if (doc.kind === 'ConfigurationProblem') {
    const p = doc.value;
    return `${p.triggered.length} triggered flow${p.triggered.length === 1 ? '' : 's'} over ${new Set(p.triggered.map((t) => t.asset)).size} asset(s), ${p.busy.length} busy interval(s), model "${p.model.name}"`;
  }
  const p = doc.value;
  return `${p.modules.length} modules, ${p.modules.reduce((n, m) => n + m.instances.length, 0)} instances, ${p.rules.length} rules`;
}
