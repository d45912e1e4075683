// pss evaluate FILE SOLUTIONS.json: every solution checked against every constraint, objectives recomputed.
import {
  ConfigurationObjectives,
  ConfigurationProblem,
  IssueCollector,
  ObjectiveContext,
  Occurrence,
  PesObjectives,
  PesProblem,
  ValidationError,
  describe,
  evaluateConfiguration,
  evaluatePes,
  isRecord,
  joinPath,
  planFlows,
} from '@pss/model';
import { readRaw } from '@pss/documents';
import { CliIo, EXIT, UsageError } from '../io';
import { parseCommand } from '../args';
import { renderTable } from '../table';
import { loadProblem } from './load';

export const evaluateHelp = `pss evaluate FILE SOLUTIONS.json [--format json|table]
  Checks each solution (a ParetoFront, a list of solutions, or one solution) against every constraint
  of the problem in FILE and recomputes its objectives. Exit 0 when every solution is feasible and its
  stated objectives (if any) match; 1 otherwise; 2 for invalid files.`;

interface SolutionReport {
  index: number;
  feasible: boolean;
  violations: { rule: string; path?: string; message: string }[];
  objectives: ConfigurationObjectives | PesObjectives;
  stated?: Record<string, number>;
  statedMatches?: boolean;
}

export function evaluateCommand(argv: string[], io: CliIo): number {
  const { format, positionals } = parseCommand(argv, {}, 'json');
  if (positionals.length !== 2) throw new UsageError('evaluate takes FILE and SOLUTIONS.json');
  const [file, solutionsFile] = positionals;
  const problem = loadProblem(file, io);
  const raw = readRaw(solutionsFile);
  if (!raw.ok) throw new ValidationError(raw.issues, solutionsFile);
  const solutions = solutionList(raw.value, solutionsFile);
  const reports = problem.kind === 'ConfigurationProblem' ? evaluateAll(problem.value, solutions, solutionsFile) : evaluateAllPes(problem.value, solutions, solutionsFile);
  const ok = reports.every((r) => r.feasible && r.statedMatches !== false);
  if (format === 'json') {
    io.out(JSON.stringify({ kind: 'Evaluation', problem: problem.kind, allFeasible: reports.every((r) => r.feasible), solutions: reports }, null, 2) + '\n');
  } else {
    const keys = Object.keys(reports[0]?.objectives ?? {});
    io.out(renderTable(['#', 'feasible', ...keys, 'stated'], reports.map((r) => [r.index, r.feasible ? 'yes' : 'NO', ...keys.map((k) => (r.objectives as unknown as Record<string, number>)[k]), r.statedMatches === undefined ? '-' : r.statedMatches ? 'matches' : 'DIFFERS'])));
    for (const r of reports) for (const v of r.violations) io.out(`  #${r.index} ${v.rule}${v.path ? ` ${v.path}` : ''}: ${v.message}\n`);
  }
  return ok ? EXIT.ok : EXIT.failedCheck;
}

function solutionList(value: unknown, file: string): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.solutions) ? value.solutions : isRecord(value) ? [value] : undefined;
  if (!list) throw new ValidationError([{ path: '', message: `must be a ParetoFront, a list of solutions or one solution, got ${describe(value)}` }], file);
  const issues = list.flatMap((s, i) => (isRecord(s) ? [] : [{ path: `solutions[${i}]`, message: `must be an object, got ${describe(s)}` }]));
  if (issues.length) throw new ValidationError(issues, file);
  return list as Record<string, unknown>[];
}

const RELATIVE = 1e-9;
function statedMatches(stated: Record<string, number> | undefined, actual: Record<string, number>): boolean | undefined {
  if (!stated) return undefined;
  return Object.entries(actual).every(([k, v]) => typeof stated[k] === 'number' && Math.abs(stated[k] - v) <= RELATIVE * Math.max(1, Math.abs(v)));
}

function readStated(s: Record<string, unknown>): Record<string, number> | undefined {
  return isRecord(s.objectives) ? (s.objectives as Record<string, number>) : undefined;
}

function evaluateAll(problem: ConfigurationProblem, solutions: Record<string, unknown>[], file: string): SolutionReport[] {
  const issues = new IssueCollector();
  const parsed = solutions.map((s, i) => readOccurrences(s, `solutions[${i}]`, issues));
  if (!issues.ok) throw new ValidationError(issues.issues, file);
  const context = new ObjectiveContext(problem);
  const plans = planFlows(problem);
  return parsed.map((occurrences, index) => {
    const e = evaluateConfiguration(problem, occurrences, context, plans);
    const stated = readStated(solutions[index]);
    return { index, feasible: e.feasible, violations: e.violations, objectives: e.objectives, ...(stated ? { stated, statedMatches: statedMatches(stated, { ...e.objectives }) } : {}) };
  });
}

function readOccurrences(s: Record<string, unknown>, at: string, issues: IssueCollector): Occurrence[] {
  if (!Array.isArray(s.occurrences)) {
    issues.add(joinPath(at, 'occurrences'), `must be a list of occurrences, got ${describe(s.occurrences)}`);
    return [];
  }
  return s.occurrences.map((o, k): Occurrence => {
    const oAt = joinPath(joinPath(at, 'occurrences'), k);
    if (!isRecord(o)) {
      issues.add(oAt, `must be an object, got ${describe(o)}`);
      return { asset: '', trigger: '', activity: '', start: 0, end: 0, resources: [] };
    }
    for (const key of ['asset', 'trigger', 'activity']) if (typeof o[key] !== 'string') issues.add(joinPath(oAt, key), `must be a string, got ${describe(o[key])}`);
    for (const key of ['start', 'end']) if (o[key] !== undefined && (typeof o[key] !== 'number' || !Number.isFinite(o[key]))) issues.add(joinPath(oAt, key), `must be a finite number, got ${describe(o[key])}`);
    const resources = o.resources ?? [];
    if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')) issues.add(joinPath(oAt, 'resources'), 'must be a list of resource ids');
    return {
      asset: String(o.asset),
      trigger: String(o.trigger),
      activity: String(o.activity),
      // Times are optional in hand-written solutions: the evaluator uses the no-wait schedule.
      start: typeof o.start === 'number' ? o.start : NaN,
      end: typeof o.end === 'number' ? o.end : NaN,
      resources: Array.isArray(resources) ? resources.map(String) : [],
    };
  });
}

function evaluateAllPes(problem: PesProblem, solutions: Record<string, unknown>[], file: string): SolutionReport[] {
  const issues = solutions.flatMap((s, i) =>
    Array.isArray(s.instances) && s.instances.every((x) => typeof x === 'string') ? [] : [{ path: `solutions[${i}].instances`, message: 'must be a list of instance ids' }],
  );
  if (issues.length) throw new ValidationError(issues, file);
  return solutions.map((s, index) => {
    const e = evaluatePes(problem, s.instances as string[]);
    const stated = readStated(s);
    return { index, feasible: e.feasible, violations: e.violations, objectives: e.objectives, ...(stated ? { stated, statedMatches: statedMatches(stated, { ...e.objectives }) } : {}) };
  });
}
