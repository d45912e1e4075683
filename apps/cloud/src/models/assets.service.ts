// Assets: the customer's products in the field, each an instance of one stored model version behind one gateway,
// with the contract: the triggers (services) the customer bought; null = every trigger of the model.
import { checkSegment } from '@pss/protocol';
import { Asset, AssetRepository, Database } from '../persistence';
import { FieldReader, objectBody } from '../platform/body';
import { badRequest, notFound } from '../platform/errors';
import { Clock } from '../platform/tokens';
import { checkAssetId, checkDocumentId } from './ids';
import { ModelsService } from './models.service';

export interface AssetView {
  id: string;
  model: { id: string; version: number };
  gateway: string;
  /** The triggers the contract covers; null: every trigger of the model. */
  triggers: string[] | null;
  createdAt: number;
}

export function assetView(asset: Asset): AssetView {
  return { id: asset.id, model: { id: asset.modelId, version: asset.modelVersion }, gateway: asset.gateway, triggers: asset.contractTriggers, createdAt: asset.createdAt };
}

interface AssetRow {
  id: string;
  model_id: string;
  model_version: number;
  gateway: string;
  contract_triggers: string[] | null;
  created_at: number;
}

export class AssetsService {
  private readonly assets: AssetRepository;

  constructor(
    private readonly db: Database,
    private readonly models: ModelsService,
    private readonly clock: Clock,
  ) {
    this.assets = new AssetRepository(db);
  }

  /** Registers the asset or changes its model version, gateway or contract. */
  async put(tenant: string, id: string, body: unknown): Promise<AssetView> {
    const idProblem = checkAssetId(id);
    if (idProblem) throw badRequest('invalid asset id', [{ path: 'params.id', message: idProblem }]);
    const fields = new FieldReader(objectBody(body, 'asset'));
    fields.knownKeys(['model', 'modelVersion', 'gateway', 'triggers']);
    const modelId = fields.string('model', { required: true });
    const modelVersion = fields.integer('modelVersion', { min: 1 });
    const gateway = fields.string('gateway', { required: true });
    const triggers = fields.stringList('triggers');
    if (modelId !== undefined) {
      const problem = checkDocumentId(modelId);
      if (problem) fields.issues.add('body.model', problem);
    }
    if (gateway !== undefined) {
      const problem = checkSegment('gateway', gateway);
      if (problem) fields.issues.add('body.gateway', `${problem} (gateway ids are MQTT topic segments)`);
    }
    fields.check('asset');

    const found = await this.models.find(tenant, modelId!, modelVersion, ['model']);
    if (found === null) {
      const what = modelVersion === undefined ? `"${modelId}"` : `"${modelId}" version ${modelVersion}`;
      throw badRequest('invalid asset', [{ path: modelVersion === undefined ? 'body.model' : 'body.modelVersion', message: `no stored model ${what}` }]);
    }
    const model = this.models.modelOf(found);
    if (triggers) {
      const known = new Set(model.triggers.map((t) => t.id));
      const seen = new Set<string>();
      triggers.forEach((trigger, i) => {
        if (!known.has(trigger)) fields.issues.add(`body.triggers[${i}]`, `unknown trigger "${trigger}" (model ${found.id}@${found.version} has: ${[...known].join(', ') || 'none'})`);
        else if (seen.has(trigger)) fields.issues.add(`body.triggers[${i}]`, `"${trigger}" is listed twice`);
        seen.add(trigger);
      });
      fields.check('asset');
    }
    const saved = await this.assets.upsert({
      tenant,
      id,
      modelId: found.id,
      modelVersion: found.version,
      gateway: gateway!,
      contractTriggers: triggers ?? null,
      createdAt: this.clock(),
    });
    return assetView(saved);
  }

  async get(tenant: string, id: string): Promise<AssetView> {
    const asset = checkAssetId(id) === undefined ? await this.assets.get(tenant, id) : null;
    if (asset === null) throw notFound(`no asset "${id}"`);
    return assetView(asset);
  }

  async list(tenant: string, gateway: string | undefined): Promise<AssetView[]> {
    if (gateway !== undefined) return (await this.assets.listByGateway(tenant, gateway)).map(assetView);
    const rows = await this.db.query<AssetRow>(
      'SELECT id, model_id, model_version, gateway, contract_triggers, created_at FROM assets WHERE tenant = $1 ORDER BY id',
      [tenant],
    );
    return rows.map((r) => ({ id: r.id, model: { id: r.model_id, version: r.model_version }, gateway: r.gateway, triggers: r.contract_triggers, createdAt: r.created_at }));
  }
}
