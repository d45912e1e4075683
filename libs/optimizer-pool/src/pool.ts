// A pool of worker threads that solve optimization problems off the main thread and on every core.
// One problem is split into as many shares as there are workers (combinations of alternatives for
// exact and hybrid, independent seeded runs for the evolutionary algorithms); the fronts come back
// and are merged into one.
import { availableParallelism } from 'os';
import { join } from 'path';
import { Worker } from 'worker_threads';
import { ConfigurationProblem, ConfigurationSolution, ParetoFront, PesProblem, PesSolution } from '@pss/model';
import { Progress, SearchLimitError, SolveRequest, finishConfigurationFront, finishPesFront } from '@pss/optimizer';
import { SolveTask, WorkerReply, WorkerRequest } from './messages';

export interface PoolOptions {
  /** Default: every core the machine offers. */
  size?: number;
}

interface Pending {
  worker: Worker;
  resolve: (front: ParetoFront) => void;
  reject: (error: Error) => void;
  onProgress?: (p: Progress) => void;
}

export class OptimizerPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private next = 0;
  private closed = false;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism());
  }

  /** Solves one problem on all workers and merges their fronts. */
  async solve(problem: ConfigurationProblem | PesProblem, request: SolveRequest = {}): Promise<ParetoFront> {
    const started = Date.now();
    const shares = this.shares(problem, request);
    const fronts = await Promise.all(shares.map((share) => this.run(problem, share, request.onProgress)));
    return mergeFronts(fronts, Date.now() - started, shares.length);
  }

  /** Stops every worker; pending solves are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('optimizer pool closed'));
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private shares(problem: ConfigurationProblem | PesProblem, request: SolveRequest): WorkerRequest[] {
    const { onProgress: _progress, now: _now, ...plain } = request;
    const algorithm = request.algorithm ?? 'auto';
    // PES problems are solved whole (exact takes milliseconds); so is a pool of one.
    if (this.size === 1 || problem.kind === 'PesProblem') return [plain];
    if (algorithm === 'imodcs' || algorithm === 'nsga2') {
      const seed = request.seed ?? 1;
      const evaluations = request.maxEvaluations === undefined ? undefined : Math.ceil(request.maxEvaluations / this.size);
      return Array.from({ length: this.size }, (_, index) => ({ ...plain, seed: seed + 7919 * index, maxEvaluations: evaluations }));
    }
    return Array.from({ length: this.size }, (_, index) => ({ ...plain, partition: { index, count: this.size } }));
  }

  private run(problem: ConfigurationProblem | PesProblem, request: WorkerRequest, onProgress?: (p: Progress) => void): Promise<ParetoFront> {
    if (this.closed) return Promise.reject(new Error('optimizer pool closed'));
    const id = this.nextId++;
    const worker = this.worker();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject, onProgress });
      const task: SolveTask = { type: 'solve', id, problem, request };
      worker.postMessage(task);
    });
  }

  /** A live worker: started on demand up to the pool size, then taken in turn. */
  private worker(): Worker {
    if (this.workers.length < this.size) {
      const worker = startWorker();
      worker.on('message', (reply: WorkerReply) => this.receive(reply));
      // A worker that dies (fails to load, runs out of memory) takes only its own tasks down;
      // the next solve starts a fresh one.
      worker.on('error', (error) => this.retire(worker, error));
      worker.on('exit', (code) => this.retire(worker, new Error(`optimizer worker exited with code ${code}`)));
      // Workers stay referenced: a process awaiting a front must not exit under it. close() ends them.
      this.workers.push(worker);
      return worker;
    }
    return this.workers[this.next++ % this.workers.length];
  }

  private receive(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if (reply.type === 'progress') return pending.onProgress?.(reply.progress);
    this.pending.delete(reply.id);
    if (reply.type === 'front') pending.resolve(reply.front);
    else pending.reject(reviveError(reply.error));
  }

  private retire(worker: Worker, error: Error): void {
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      p.reject(error);
    }
  }
}

function startWorker(): Worker {
  // Built JavaScript runs the worker directly; TypeScript sources (run by tsx) need the bootstrap.
  if (__filename.endsWith('.ts')) {
    return new Worker(join(__dirname, 'worker-bootstrap.cjs'), { workerData: { entry: join(__dirname, 'worker.ts') } });
  }
  return new Worker(join(__dirname, 'worker.js'));
}

/** Errors cross the thread boundary as name and message; the ones callers handle come back typed. */
function reviveError(error: { name: string; message: string }): Error {
  if (error.name === 'SearchLimitError') return new SearchLimitError(error.message);
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}

/** One front from the workers' fronts: filtered again, stats summed (wall time is the pool's). */
export function mergeFronts(fronts: ParetoFront[], wallMs: number, workers: number): ParetoFront {
  const first = fronts[0];
  const evaluations = fronts.reduce((s, f) => s + f.stats.evaluations, 0);
  const exact = fronts.every((f) => f.stats.exact === true);
  const infeasible = fronts.every((f) => f.solutions.length === 0) ? first.infeasible : null;
  const stats = { ...first.stats, evaluations, wallMs, exact, workers, workerStats: fronts.map((f) => f.stats) };
  if (first.problem === 'PesProblem') {
    return finishPesFront(fronts.flatMap((f) => f.solutions as PesSolution[]), { infeasible, stats });
  }
  return finishConfigurationFront(fronts.flatMap((f) => f.solutions as ConfigurationSolution[]), { infeasible, stats });
}
