// pss optimize FILE: the Pareto front of a ConfigurationProblem or PesProblem (MODEL.md sections 4, 5).
import { availableParallelism } from 'os';
import { ConfigurationFront, ConfigurationProblem, ParetoFront, PesFront, PesProblem } from '@pss/model';
import { ALGORITHM_NAMES, Progress, SolveRequest, smallEnoughForExact, solveProblem } from '@pss/optimizer';
import { OptimizerPool } from '@pss/optimizer-pool';
import { CliIo, EXIT, UsageError } from '../io';
import { intOption, parseCommand } from '../args';
import { renderTable } from '../table';
import { loadProblem } from './load';

export const optimizeHelp = `pss optimize FILE [--algorithm auto|exact|hybrid|imodcs|nsga2] [--seed N] [--time-limit-ms N]
                  [--max-evaluations N] [--preset default|paper] [--strategy joint|sequential]
                  [--reliability importance-weighted|mean] [--workers N|auto] [--exact-limit N]
                  [--format json|table] [--quiet]
  Prints the Pareto front of a ConfigurationProblem (time, cost, reliability) or a PesProblem
  (performance, cost, response time). With --format json only the front is on stdout; progress
  and warnings go to stderr. Exit 0 with a front (empty, with "infeasible" saying why, when no
  configuration is feasible); 2 for an invalid file; 3 when the problem is too large for exact search.
  --algorithm auto     exact when the problem is small, else hybrid (PES: exact, else nsga2)
  --algorithm exact    proves the front: every combination of alternatives, each staffed exactly by
                       decomposition and dynamic programming; PES: enumeration with bounds
  --algorithm hybrid   ours: the exact machinery with bound pruning, and a beam search for staffing
                       components too large to solve exactly (stats.exact says when it proved the front)
  --algorithm imodcs   seed 004's Pareto-improved multi-objective discrete cuckoo search
  --algorithm nsga2    NSGA-II (seed 003), for both problem kinds
  --preset paper       the papers' parameters (IMODCS 200 nests, pa 0.25, 3000 iterations, 10 runs;
                       NSGA-II population 300, 300 generations, crossover 0.9, mutation 0.1)
  --strategy sequential  select activities first, allocate after (seed 004, section 5.1)
  --reliability mean   plain mean reliability instead of the importance-weighted one (section 5.2)
  --workers N|auto     worker threads (auto: all cores for large problems, none for small ones)
  --seed N             runs are reproducible per seed and worker count (without a time limit)
  --time-limit-ms N    stop early; the front is then not proven (stats.exact = false)
  --max-evaluations N  stop after N evaluations of complete solutions
  --exact-limit N      refuse (exit 3) rather than run long: at most N search steps for a
                       ConfigurationProblem (default 2e8), N configurations for a PesProblem (default 1e9)`;

export async function optimizeCommand(argv: string[], io: CliIo): Promise<number> {
  const { format, positionals, values } = parseCommand(
    argv,
    {
      algorithm: { type: 'string' },
      seed: { type: 'string' },
      'time-limit-ms': { type: 'string' },
      'max-evaluations': { type: 'string' },
      'exact-limit': { type: 'string' },
      preset: { type: 'string' },
      strategy: { type: 'string' },
      reliability: { type: 'string' },
      workers: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    'json',
  );
  if (positionals.length !== 1) throw new UsageError('optimize takes one FILE');
  const request: SolveRequest = {
    algorithm: oneOf(values, 'algorithm', ALGORITHM_NAMES),
    preset: oneOf(values, 'preset', ['default', 'paper'] as const),
    strategy: oneOf(values, 'strategy', ['joint', 'sequential'] as const),
    reliability: oneOf(values, 'reliability', ['importance-weighted', 'mean'] as const),
    seed: intOption(values, 'seed'),
    timeLimitMs: intOption(values, 'time-limit-ms'),
    maxEvaluations: intOption(values, 'max-evaluations', 1),
    exactLimit: intOption(values, 'exact-limit', 1),
  };
  const workersOption = (values.workers as string | undefined) ?? 'auto';
  const workers = workersOption === 'auto' ? undefined : intOption(values, 'workers', 1);
  const problem = loadProblem(positionals[0], io);
  const onProgress = values.quiet ? undefined : progressPrinter(io);
  const size = workers ?? (wantsParallel(problem.value, request) ? availableParallelism() : 1);
  let front: ParetoFront;
  if (size > 1) {
    const pool = new OptimizerPool({ size });
    try {
      front = await pool.solve(problem.value, { ...request, onProgress });
    } finally {
      await pool.close();
    }
  } else {
    front = solveProblem(problem.value, { ...request, onProgress, now: io.now });
  }
  onProgress?.done();
  io.out(format === 'json' ? JSON.stringify(front, null, 2) + '\n' : frontTable(front));
  return EXIT.ok;
}

/** Threads pay off on problems that take more than a moment; small ones are solved in process. */
function wantsParallel(problem: ConfigurationProblem | PesProblem, request: SolveRequest): boolean {
  if (problem.kind === 'PesProblem') return false;
  const algorithm = request.algorithm ?? 'auto';
  if (algorithm === 'exact' || algorithm === 'auto') return !smallEnoughForExact(problem);
  return true;
}

function oneOf<T extends string>(values: Record<string, string | boolean | undefined>, name: string, allowed: readonly T[]): T | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${String(value)}"`);
  return value as T;
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
