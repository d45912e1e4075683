// The PSS models the pipeline plans with, read from the stored documents (ModelRepository) and checked once per
// version. A stored version never changes, so a read model is cached by (tenant, id, version) for the process.
import { Inject, Injectable } from '@nestjs/common';
import { PssModel, formatIssue, readPssModel } from '@pss/model';
import { checkSegment } from '@pss/protocol';
import { Database, repositories } from '../persistence';
import { DATABASE } from '../platform/tokens';
import { timeUnitMs } from '@pss/triggers';

export interface CatalogModel {
  id: string;
  version: number;
  model: PssModel;
  /** Milliseconds per model time unit. */
  unitMs: number;
}

export type CatalogResult = { ok: true; value: CatalogModel } | { ok: false; issue: string };

/** Checks a stored document as a model the pipeline can plan with; the issue names what is wrong. */
export function readCatalogModel(id: string, version: number, document: unknown): CatalogResult {
  const read = readPssModel(document);
  if (!read.ok) return { ok: false, issue: `model ${id} v${version} is not a valid PSS model: ${read.issues.slice(0, 5).map(formatIssue).join('; ')}` };
  const model = read.value;
  let unitMs: number;
  try {
    unitMs = timeUnitMs(model.timeUnit);
  } catch (error) {
    return { ok: false, issue: `model ${id} v${version}: ${(error as Error).message}` };
  }
  // Resource ids become topic segments (pss/v1/{tenant}/workorders/{resource}): checked before anything is planned.
  for (const resource of model.resources) {
    const problem = checkSegment('resource', resource.id);
    if (problem !== undefined) return { ok: false, issue: `model ${id} v${version}: resource "${resource.id}" cannot be a topic segment: ${problem}` };
  }
  return { ok: true, value: { id, version, model, unitMs } };
}

@Injectable()
export class ModelCatalog {
  private readonly cache = new Map<string, CatalogResult>();

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async get(tenant: string, id: string, version: number): Promise<CatalogResult> {
    const key = JSON.stringify([tenant, id, version]);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const stored = await repositories(this.db).models.get(tenant, id, version);
    if (stored === null) return { ok: false, issue: `model ${id} v${version} is not stored` };
    if (stored.kind !== 'model') return { ok: false, issue: `${id} v${version} is a ${stored.kind}, not a PSS model` };
    const result = readCatalogModel(id, version, stored.document);
    this.cache.set(key, result);
    return result;
  }
}
