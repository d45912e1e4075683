// The contracts table (migrations/0003_contracts.sql): configured service packages with their Pareto front.
import { PesFront } from '@pss/model';
import { Queryable, isUuid, toJson } from '../persistence';
import { SchemeStanding } from './schemes';

export interface Contract {
  tenant: string;
  id: string;
  name: string;
  /** The stored PesProblem it was configured from; null for an inline problem. */
  problemRef: { id: string; version: number } | null;
  problem: Record<string, unknown>;
  algorithm: string;
  front: PesFront;
  schemes: SchemeStanding[];
  createdBy: string;
  createdAt: number;
}

export type NewContract = Omit<Contract, 'id'>;

interface ContractRow {
  tenant: string;
  id: string;
  name: string;
  problem_id: string | null;
  problem_version: number | null;
  problem: Record<string, unknown>;
  algorithm: string;
  front: PesFront;
  schemes: SchemeStanding[];
  created_by: string;
  created_at: number;
}

const COLUMNS = 'tenant, id, name, problem_id, problem_version, problem, algorithm, front, schemes, created_by, created_at';

function toContract(row: ContractRow): Contract {
  return {
    tenant: row.tenant,
    id: row.id,
    name: row.name,
    problemRef: row.problem_id !== null && row.problem_version !== null ? { id: row.problem_id, version: row.problem_version } : null,
    problem: row.problem,
    algorithm: row.algorithm,
    front: row.front,
    schemes: row.schemes,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export class ContractRepository {
  constructor(private readonly db: Queryable) {}

  async insert(contract: NewContract): Promise<Contract> {
    const rows = await this.db.query<ContractRow>(
      `INSERT INTO contracts (tenant, name, problem_id, problem_version, problem_kind, problem, algorithm, front, schemes, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9::jsonb, $10, $11)
       RETURNING ${COLUMNS}`,
      [
        contract.tenant,
        contract.name,
        contract.problemRef?.id ?? null,
        contract.problemRef?.version ?? null,
        contract.problemRef ? 'pes-problem' : null,
        toJson(contract.problem),
        contract.algorithm,
        toJson(contract.front),
        toJson(contract.schemes),
        contract.createdBy,
        contract.createdAt,
      ],
    );
    return toContract(rows[0]);
  }

  async get(tenant: string, id: string): Promise<Contract | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.query<ContractRow>(`SELECT ${COLUMNS} FROM contracts WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return rows.length === 1 ? toContract(rows[0]) : null;
  }

  /** Newest first. */
  async list(tenant: string, limit = 200): Promise<Contract[]> {
    const rows = await this.db.query<ContractRow>(`SELECT ${COLUMNS} FROM contracts WHERE tenant = $1 ORDER BY created_at DESC, id LIMIT $2`, [tenant, limit]);
    return rows.map(toContract);
  }
}
