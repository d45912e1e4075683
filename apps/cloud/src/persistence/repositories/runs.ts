// Configuration runs: a solved (or failed) batch: the problem the optimizer was given, its Pareto front, the
// solution chosen by the policy or a planner, and its approval. One run per batch (a unique constraint).
import { Queryable, toJson } from '../database';
import { isUuid } from '../ids';

export const RUN_STATES = ['solved', 'approved', 'failed'] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface ConfigurationRun {
  tenant: string;
  id: string;
  batchId: string;
  problem: unknown;
  algorithm: string;
  front: unknown;
  stats: unknown;
  chosenIndex: number | null;
  policy: string | null;
  explanation: unknown;
  state: RunState;
  error: string | null;
  createdAt: number;
  approvedBy: string | null;
  approvedAt: number | null;
}

export type NewConfigurationRun =
  | {
      tenant: string;
      batchId: string;
      problem: unknown;
      algorithm: string;
      state: 'solved';
      front: unknown;
      stats: unknown;
      chosenIndex: number | null;
      policy: string | null;
      explanation: unknown;
      createdAt: number;
    }
  | { tenant: string; batchId: string; problem: unknown; algorithm: string; state: 'failed'; error: string; stats: unknown; createdAt: number };

export type ApproveResult =
  | { ok: true; run: ConfigurationRun }
  | { ok: false; reason: 'not-found' }
  /** Only a solved run can be approved (an approved one is not approved twice, a failed one has nothing to approve). */
  | { ok: false; reason: 'not-solved'; run: ConfigurationRun }
  /** Neither the approval nor the policy chose a solution. */
  | { ok: false; reason: 'no-choice'; run: ConfigurationRun }
  /** The chosen index is not a solution of the front. */
  | { ok: false; reason: 'no-such-solution'; run: ConfigurationRun };

interface RunRow {
  tenant: string;
  id: string;
  batch_id: string;
  problem: unknown;
  algorithm: string;
  front: unknown;
  stats: unknown;
  chosen_index: number | null;
  policy: string | null;
  explanation: unknown;
  state: RunState;
  error: string | null;
  created_at: number;
  approved_by: string | null;
  approved_at: number | null;
}

const COLUMNS =
  'tenant, id, batch_id, problem, algorithm, front, stats, chosen_index, policy, explanation, state, error, created_at, approved_by, approved_at';

function toRun(row: RunRow): ConfigurationRun {
  return {
    tenant: row.tenant,
    id: row.id,
    batchId: row.batch_id,
    problem: row.problem,
    algorithm: row.algorithm,
    front: row.front,
    stats: row.stats,
    chosenIndex: row.chosen_index,
    policy: row.policy,
    explanation: row.explanation,
    state: row.state,
    error: row.error,
    createdAt: row.created_at,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at,
  };
}

function nullableJson(value: unknown): string | null {
  return value === undefined || value === null ? null : toJson(value);
}

/** The number of solutions of a ParetoFront document, when it has a solutions array. */
function frontSize(front: unknown): number | undefined {
  if (typeof front !== 'object' || front === null || !('solutions' in front)) return undefined;
  const solutions = (front as { solutions: unknown }).solutions;
  return Array.isArray(solutions) ? solutions.length : undefined;
}

export class ConfigurationRunRepository {
  constructor(private readonly db: Queryable) {}

  /** Saves the run of a batch; when the batch has one already (another instance saved first), returns that one. */
  async save(run: NewConfigurationRun): Promise<{ inserted: boolean; run: ConfigurationRun }> {
    const solved = run.state === 'solved' ? run : null;
    const rows = await this.db.query<RunRow>(
      `INSERT INTO configuration_runs (tenant, batch_id, problem, algorithm, front, stats, chosen_index, policy, explanation, state, error, created_at)
       VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6::jsonb, $7, $8, $9::jsonb, $10, $11, $12)
       ON CONFLICT (tenant, batch_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        run.tenant,
        run.batchId,
        toJson(run.problem),
        run.algorithm,
        nullableJson(solved?.front),
        nullableJson(run.stats),
        solved?.chosenIndex ?? null,
        solved?.policy ?? null,
        nullableJson(solved?.explanation),
        run.state,
        run.state === 'failed' ? run.error : null,
        run.createdAt,
      ],
    );
    if (rows.length === 1) return { inserted: true, run: toRun(rows[0]) };
    const existing = await this.getByBatch(run.tenant, run.batchId);
    if (existing === null) throw new Error(`run of batch ${run.tenant}/${run.batchId}: neither saved nor found`);
    return { inserted: false, run: existing };
  }

  async get(tenant: string, id: string): Promise<ConfigurationRun | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.query<RunRow>(`SELECT ${COLUMNS} FROM configuration_runs WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return rows.length === 1 ? toRun(rows[0]) : null;
  }

  async getByBatch(tenant: string, batchId: string): Promise<ConfigurationRun | null> {
    if (!isUuid(batchId)) return null;
    const rows = await this.db.query<RunRow>(`SELECT ${COLUMNS} FROM configuration_runs WHERE tenant = $1 AND batch_id = $2`, [tenant, batchId]);
    return rows.length === 1 ? toRun(rows[0]) : null;
  }

  /**
   * Approves a solved run: with `chosenIndex`, that solution of the front, else the one its policy chose. Only
   * one approval succeeds (the state guard); the others get `not-solved` with the approved run.
   */
  async approve(tenant: string, id: string, approval: { by: string; at: number; chosenIndex?: number }): Promise<ApproveResult> {
    const current = await this.get(tenant, id);
    if (current === null) return { ok: false, reason: 'not-found' };
    if (current.state !== 'solved') return { ok: false, reason: 'not-solved', run: current };
    const chosen = approval.chosenIndex ?? current.chosenIndex;
    if (chosen === null) return { ok: false, reason: 'no-choice', run: current };
    const size = frontSize(current.front);
    if (!Number.isInteger(chosen) || chosen < 0 || (size !== undefined && chosen >= size)) return { ok: false, reason: 'no-such-solution', run: current };
    const rows = await this.db.query<RunRow>(
      `UPDATE configuration_runs SET state = 'approved', chosen_index = $3, approved_by = $4, approved_at = $5
       WHERE tenant = $1 AND id = $2 AND state = 'solved'
       RETURNING ${COLUMNS}`,
      [tenant, id, chosen, approval.by, approval.at],
    );
    if (rows.length === 1) return { ok: true, run: toRun(rows[0]) };
    const now = await this.get(tenant, id);
    return now === null ? { ok: false, reason: 'not-found' } : { ok: false, reason: 'not-solved', run: now };
  }
}
