// pss optimize FILE: the Pareto front of a ConfigurationProblem or PesProblem (MODEL.md sections 4, 5).
import { ConfigurationFront, ParetoFront, PesFront } from '@pss/model';
import { Progress, solveConfigurationExact, solvePesExact } from '@pss/optimizer';
import { CliIo, EXIT, UsageError } from '../io';
import { intOption, parseCommand } from '../args';
import { renderTable } from '../table';
import { loadProblem } from './load';

export const ALGORITHMS = ['auto', 'exact', 'imodcs', 'nsga2'] as const;
export const AVAILABLE_ALGORITHMS = ['auto', 'exact'];

export const optimizeHelp = `pss optimize FILE [--algorithm auto|exact] [--seed N] [--time-limit-ms N]
                  [--exact-limit N] [--format json|table] [--quiet]
  Prints the Pareto front of a ConfigurationProblem (time, cost, reliability) or a PesProblem
  (performance, cost, response time). With --format json only the front is on stdout; progress
  and warnings go to stderr. Exit 0 with a front (empty, with "infeasible" saying why, when no
  configuration is feasible); 2 for an invalid file; 3 when the problem is too large for exact search.
  --algorithm exact   proves the front: every combination of alternatives, each staffed exactly by
                      decomposition and dynamic programming (ConfigurationProblem), or enumeration
                      with bounds (PesProblem)
  --exact-limit N     refuse (exit 3) rather than run long: at most N search steps for a
                      ConfigurationProblem (default 2e8), N configurations for a PesProblem (default 1e9)
  --algorithm auto    exact (the heuristics imodcs and nsga2 arrive with the optimizer issue)
  --seed N            recorded in stats (the exact search is deterministic)
  --time-limit-ms N   stop early; the front is then not proven (stats.exact = false)`;

export function optimizeCommand(argv: string[], io: CliIo): number {
  const { format, positionals, values } = parseCommand(
    argv,
    { algorithm: { type: 'string' }, seed: { type: 'string' }, 'time-limit-ms': { type: 'string' }, 'exact-limit': { type: 'string' }, quiet: { type: 'boolean' } },
    'json',
  );
  if (positionals.length !== 1) throw new UsageError('optimize takes one FILE');
  const algorithm = (values.algorithm as string | undefined) ?? 'auto';
  if (!(ALGORITHMS as readonly string[]).includes(algorithm)) throw new UsageError(`--algorithm must be one of ${ALGORITHMS.join(', ')}, got "${algorithm}"`);
  if (!AVAILABLE_ALGORITHMS.includes(algorithm)) {
    throw new UsageError(`--algorithm ${algorithm} is not available in this version; available: ${AVAILABLE_ALGORITHMS.join(', ')}`);
  }
  const seed = intOption(values, 'seed');
  const timeLimitMs = intOption(values, 'time-limit-ms');
  const exactLimit = intOption(values, 'exact-limit', 1);
  const problem = loadProblem(positionals[0], io);
  const onProgress = values.quiet ? undefined : progressPrinter(io);
  const options = { timeLimitMs, onProgress, now: io.now };
  const front: ParetoFront =
    problem.kind === 'ConfigurationProblem'
      ? solveConfigurationExact(problem.value, { ...options, maxSteps: exactLimit })
      : solvePesExact(problem.value, { ...options, maxConfigurations: exactLimit });
  if (algorithm === 'auto') front.stats.algorithm = 'auto:exact';
  if (seed !== undefined) front.stats.seed = seed;
  onProgress?.done();
  io.out(format === 'json' ? JSON.stringify(front, null, 2) + '\n' : frontTable(front));
  return EXIT.ok;
}

type Printer = ((p: Progress) => void) & { done(): void };

/** Progress on stderr once a run has taken more than a second, at most once a second. */
function progressPrinter(io: CliIo): Printer {
  const started = io.now();
  let last = started;
  let printed = false;
  const print = ((p: Progress) => {
    const t = io.now();
    if (t - started < 1000 || t - last < 1000) return;
    last = t;
    printed = true;
    const line = `${p.phase}: ${p.done}/${p.total} combinations, ${p.evaluations} complete allocations, front ${p.front}, ${((t - started) / 1000).toFixed(0)} s`;
    io.err(io.errIsTty ? `\r${line}\u001b[K` : `${line}\n`);
  }) as Printer;
  print.done = () => {
    if (printed && io.errIsTty) io.err('\n');
  };
  return print;
}

function frontTable(front: ParetoFront): string {
  const head = `${front.solutions.length} non-dominated solution${front.solutions.length === 1 ? '' : 's'} (${front.stats.algorithm}, ${front.stats.evaluations} evaluations, ${front.stats.wallMs} ms${front.stats.exact ? ', proven exact' : ''})\n`;
  if (front.infeasible) return `${head}infeasible: ${front.infeasible}\n`;
  return head + (front.problem === 'ConfigurationProblem' ? configurationTable(front) : pesTable(front));
}

function configurationTable(front: ConfigurationFront): string {
  const rows = front.solutions.map((s, i) => [
    i + 1,
    s.objectives.time,
    s.objectives.cost,
    s.objectives.reliability,
    s.occurrences.map((o) => `${o.activity}[${o.resources.join(' ') || '-'}]`).join(', '),
  ]);
  return renderTable(['#', 'time', 'cost', 'reliability', 'activities [resources]'], rows);
}

function pesTable(front: PesFront): string {
  const rows = front.solutions.map((s, i) => [i + 1, s.objectives.performance, s.objectives.cost, s.objectives.responseTime, s.instances.join(' ')]);
  return renderTable(['#', 'performance', 'cost', 'responseTime', 'instances'], rows);
}
