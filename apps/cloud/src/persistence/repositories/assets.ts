// Assets: the customer's products in the field, each an instance of one version of a PSS model, behind one gateway.
import { Queryable } from '../database';

export interface Asset {
  tenant: string;
  id: string;
  modelId: string;
  modelVersion: number;
  gateway: string;
  /** The triggers the contract covers; null: all of the model's. */
  contractTriggers: string[] | null;
  createdAt: number;
}

interface AssetRow {
  tenant: string;
  id: string;
  model_id: string;
  model_version: number;
  gateway: string;
  contract_triggers: string[] | null;
  created_at: number;
}

const COLUMNS = 'tenant, id, model_id, model_version, gateway, contract_triggers, created_at';

function toAsset(row: AssetRow): Asset {
  return {
    tenant: row.tenant,
    id: row.id,
    modelId: row.model_id,
    modelVersion: row.model_version,
    gateway: row.gateway,
    contractTriggers: row.contract_triggers,
    createdAt: row.created_at,
  };
}

export class AssetRepository {
  constructor(private readonly db: Queryable) {}

  /** Registers the asset, or moves it to another model version, gateway or contract (created_at is kept). */
  async upsert(asset: Asset): Promise<Asset> {
    const rows = await this.db.query<AssetRow>(
      `INSERT INTO assets (tenant, id, model_id, model_version, gateway, contract_triggers, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant, id) DO UPDATE SET model_id = EXCLUDED.model_id, model_version = EXCLUDED.model_version,
         gateway = EXCLUDED.gateway, contract_triggers = EXCLUDED.contract_triggers
       RETURNING ${COLUMNS}`,
      [asset.tenant, asset.id, asset.modelId, asset.modelVersion, asset.gateway, asset.contractTriggers, asset.createdAt],
    );
    return toAsset(rows[0]);
  }

  async get(tenant: string, id: string): Promise<Asset | null> {
    const rows = await this.db.query<AssetRow>(`SELECT ${COLUMNS} FROM assets WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return rows.length === 1 ? toAsset(rows[0]) : null;
  }

  async listByGateway(tenant: string, gateway: string): Promise<Asset[]> {
    const rows = await this.db.query<AssetRow>(`SELECT ${COLUMNS} FROM assets WHERE tenant = $1 AND gateway = $2 ORDER BY id`, [tenant, gateway]);
    return rows.map(toAsset);
  }
}
