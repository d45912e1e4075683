// Contract-time configuration (seed 003): the product-extension service package offered to a customer. A planner
// submits a PesProblem (inline, JSON or YAML; or a stored one by id); the optimizer finds the Pareto front of
// performance, cost and response time in a worker thread (the HTTP event loop stays free), and the front, with
// where each published scheme stands against it, is stored as a contract.
import { PesFront, PesProblem, isRecord, readPesProblem } from '@pss/model';
import { SearchLimitError, SolveRequest } from '@pss/optimizer';
import { OptimizerPool } from '@pss/optimizer-pool';
import { Database } from '../persistence';
import { documentFromBody } from '../platform/body';
import { badRequest, notFound, unprocessable } from '../platform/errors';
import { Clock, Principal } from '../platform/tokens';
import { checkDocumentId } from '../models/ids';
import { ModelsService } from '../models/models.service';
import { Contract, ContractRepository } from './contracts.repository';
import { standingOfSchemes } from './schemes';

/** The algorithms that solve PES problems (hybrid and imodcs are for configuration problems). */
export const PES_ALGORITHMS = ['auto', 'exact', 'nsga2'] as const;
export type PesAlgorithm = (typeof PES_ALGORITHMS)[number];

export interface ConfigureOptions {
  algorithm?: PesAlgorithm;
  seed?: number;
  /** Stop early (the front is then not proven exact). */
  timeLimitMs?: number;
}

/** Solves one PES problem; the default runs in an OptimizerPool worker. */
export type PesSolver = (problem: PesProblem, request: SolveRequest) => Promise<PesFront>;

export interface ContractSummary {
  id: string;
  name: string;
  problem: { id: string; version: number } | null;
  algorithm: string;
  solutions: number;
  exact: boolean;
  createdBy: string;
  createdAt: number;
}

export interface ContractView extends ContractSummary {
  front: PesFront;
  schemes: Contract['schemes'];
  problemDocument: Record<string, unknown>;
}

function summaryOf(c: Contract): ContractSummary {
  return {
    id: c.id,
    name: c.name,
    problem: c.problemRef,
    algorithm: c.algorithm,
    solutions: c.front.solutions.length,
    exact: c.front.stats.exact === true,
    createdBy: c.createdBy,
    createdAt: c.createdAt,
  };
}

export function contractView(c: Contract): ContractView {
  return { ...summaryOf(c), front: c.front, schemes: c.schemes, problemDocument: c.problem };
}

export class ContractsService {
  private readonly contracts: ContractRepository;
  private pool: OptimizerPool | undefined;
  private readonly solve: PesSolver;

  constructor(
    db: Database,
    private readonly models: ModelsService,
    private readonly clock: Clock,
    options: { workers: number; solver?: PesSolver },
  ) {
    this.contracts = new ContractRepository(db);
    this.solve =
      options.solver ??
      (async (problem, request) => {
        this.pool ??= new OptimizerPool({ size: options.workers });
        return (await this.pool.solve(problem, request)) as PesFront;
      });
  }

  /** `body`: a PesProblem document, or `{problem: "<stored id>", version?}`. */
  async configure(principal: Principal, body: unknown, options: ConfigureOptions): Promise<ContractView> {
    const raw = documentFromBody(body);
    if (!raw.ok) throw badRequest('invalid PES problem document', raw.issues, raw.warnings);
    const doc = raw.value;
    let problem: PesProblem;
    let document: Record<string, unknown>;
    let problemRef: { id: string; version: number } | null = null;
    if (isRecord(doc) && doc.kind === undefined && doc.problem !== undefined) {
      const reference = readReference(doc);
      const loaded = await this.models.loadPesProblem(principal.tenant, reference);
      problem = loaded.problem;
      document = loaded.stored.document;
      problemRef = { id: loaded.stored.id, version: loaded.stored.version };
    } else {
      if (isRecord(doc) && doc.kind !== 'PesProblem') {
        throw badRequest('invalid PES problem', [{ path: 'kind', message: `must be PesProblem, got ${JSON.stringify(doc.kind ?? null)} (or send {problem: "<stored id>"})` }]);
      }
      const read = readPesProblem(doc);
      if (!read.ok) throw badRequest('invalid PES problem', read.issues, read.warnings ?? []);
      problem = read.value;
      document = doc as Record<string, unknown>;
    }

    let front: PesFront;
    try {
      front = await this.solve(problem, { algorithm: options.algorithm ?? 'auto', seed: options.seed, timeLimitMs: options.timeLimitMs });
    } catch (error) {
      // The problem is too large for what was asked (exact search limit): the caller can ask differently.
      if (error instanceof SearchLimitError) throw unprocessable(`cannot solve this problem as asked: ${error.message}`);
      throw error;
    }
    const contract = await this.contracts.insert({
      tenant: principal.tenant,
      name: problem.name ?? problemRef?.id ?? 'PES problem',
      problemRef,
      problem: document,
      algorithm: front.stats.algorithm,
      front,
      schemes: standingOfSchemes(problem, front),
      createdBy: principal.subject,
      createdAt: this.clock(),
    });
    return contractView(contract);
  }

  async list(tenant: string): Promise<ContractSummary[]> {
    return (await this.contracts.list(tenant)).map(summaryOf);
  }

  async get(tenant: string, id: string): Promise<ContractView> {
    const contract = await this.contracts.get(tenant, id);
    if (contract === null) throw notFound(`no contract ${id}`);
    return contractView(contract);
  }

  /** Stops the optimizer workers. */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}

function readReference(doc: Record<string, unknown>): { id: string; version?: number } {
  const issues = [];
  for (const key of Object.keys(doc)) if (key !== 'problem' && key !== 'version') issues.push({ path: `body.${key}`, message: 'unknown field (known: problem, version)' });
  const id = doc.problem;
  if (typeof id !== 'string') issues.push({ path: 'body.problem', message: 'must be the id of a stored PesProblem' });
  else {
    const problem = checkDocumentId(id);
    if (problem) issues.push({ path: 'body.problem', message: problem });
  }
  const version = doc.version;
  if (version !== undefined && !(typeof version === 'number' && Number.isInteger(version) && version >= 1)) issues.push({ path: 'body.version', message: 'must be an integer >= 1' });
  if (issues.length > 0) throw badRequest('invalid contract request', issues);
  return { id: id as string, ...(version !== undefined ? { version: version as number } : {}) };
}
