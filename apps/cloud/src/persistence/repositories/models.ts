// Models and problems (PSS models, PES problems, configuration problems) as immutable versioned documents.
import { Queryable, toJson } from '../database';

export const MODEL_KINDS = ['model', 'pes-problem', 'problem'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface StoredModel {
  tenant: string;
  id: string;
  version: number;
  name: string;
  kind: ModelKind;
  document: Record<string, unknown>;
  createdAt: number;
}

export type NewModel = Omit<StoredModel, 'version'>;

interface ModelRow {
  tenant: string;
  id: string;
  version: number;
  name: string;
  kind: ModelKind;
  document: Record<string, unknown>;
  created_at: number;
}

const COLUMNS = 'tenant, id, version, name, kind, document, created_at';

function toModel(row: ModelRow): StoredModel {
  return { tenant: row.tenant, id: row.id, version: row.version, name: row.name, kind: row.kind, document: row.document, createdAt: row.created_at };
}

export class ModelRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Stores `model` as the next version of its id. Two saves of the same id at the same moment both compute the
   * same next version; the primary key lets one in and the other tries the version after.
   */
  async addVersion(model: NewModel): Promise<StoredModel> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const rows = await this.db.query<ModelRow>(
        `INSERT INTO models (tenant, id, version, name, kind, document, created_at)
         SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5::jsonb, $6 FROM models WHERE tenant = $1 AND id = $2
         ON CONFLICT (tenant, id, version) DO NOTHING
         RETURNING ${COLUMNS}`,
        [model.tenant, model.id, model.name, model.kind, toJson(model.document), model.createdAt],
      );
      if (rows.length === 1) return toModel(rows[0]);
    }
    throw new Error(`model ${model.tenant}/${model.id}: could not store a new version (10 concurrent saves won the race)`);
  }

  /** One version, or the newest when `version` is not given. */
  async get(tenant: string, id: string, version?: number): Promise<StoredModel | null> {
    const rows =
      version === undefined
        ? await this.db.query<ModelRow>(`SELECT ${COLUMNS} FROM models WHERE tenant = $1 AND id = $2 ORDER BY version DESC LIMIT 1`, [tenant, id])
        : await this.db.query<ModelRow>(`SELECT ${COLUMNS} FROM models WHERE tenant = $1 AND id = $2 AND version = $3`, [tenant, id, version]);
    return rows.length === 1 ? toModel(rows[0]) : null;
  }

  /** The newest version of each of the tenant's models, by id. */
  async listLatest(tenant: string): Promise<StoredModel[]> {
    const rows = await this.db.query<ModelRow>(
      `SELECT DISTINCT ON (id) ${COLUMNS} FROM models WHERE tenant = $1 ORDER BY id, version DESC`,
      [tenant],
    );
    return rows.map(toModel);
  }
}
