// Stored PSS models and problems: validated with @pss/model's readers (every issue, with its path), model resource
// ids checked as MQTT topic segments (they become pss/v1/{tenant}/workorders/{resource}), stored as immutable
// versions. Models and problems share the id space of the models table: an id keeps the kind of its first
// version (a model "x" cannot get a problem as version 2).
import {
  PesProblem,
  PssModel,
  ValidationIssue,
  isRecord,
  readConfigurationProblem,
  readPesProblem,
  readPssModel,
} from '@pss/model';
import { checkSegment } from '@pss/protocol';
import { Database, ModelKind, ModelRepository, StoredModel } from '../persistence';
import { Clock } from '../platform/tokens';
import { ApiIssue, badRequest, conflict, notFound } from '../platform/errors';
import { documentFromBody } from '../platform/body';
import { DocumentReference, checkDocumentId, idFromName, parseReference } from './ids';
import { ModelNetwork, buildNetwork } from './network';

export interface StoredDocumentSummary {
  id: string;
  version: number;
  name: string;
  kind: ModelKind;
  createdAt: number;
}

export interface UploadResult extends StoredDocumentSummary {
  /** Not errors: unknown keys and such, for the person who wrote the document. */
  warnings: ApiIssue[];
  /** The model a ConfigurationProblem refers to, pinned to a version. */
  model?: { id: string; version: number };
}

export interface StoredDocumentView extends StoredDocumentSummary {
  document: Record<string, unknown>;
}

/** A stored PesProblem, read and validated again. */
export interface LoadedPesProblem {
  stored: StoredModel;
  problem: PesProblem;
}

export function summary(stored: StoredModel): StoredDocumentSummary {
  return { id: stored.id, version: stored.version, name: stored.name, kind: stored.kind, createdAt: stored.createdAt };
}

/** Resource ids become MQTT topic segments: checked when the model is loaded, not at the first dispatch. */
export function resourceIdIssues(model: PssModel, prefix = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  model.resources.forEach((r, i) => {
    const problem = checkSegment('resource', r.id);
    if (problem) issues.push({ path: `${prefix}resources[${i}].id`, message: `${problem} (resource ids are MQTT topic segments)` });
  });
  return issues;
}

export class ModelsService {
  private readonly models: ModelRepository;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.models = new ModelRepository(db);
  }

  async uploadModel(tenant: string, body: unknown, requestedId: string | undefined): Promise<UploadResult> {
    const raw = documentFromBody(body);
    if (!raw.ok) throw badRequest('invalid model document', raw.issues, raw.warnings);
    if (isRecord(raw.value) && raw.value.kind !== undefined && raw.value.kind !== 'PssModel') {
      throw badRequest('invalid model', [{ path: 'kind', message: `must be PssModel, got ${JSON.stringify(raw.value.kind)} (problems go to POST /api/problems)` }]);
    }
    const read = readPssModel(raw.value);
    const warnings = read.warnings ?? [];
    if (!read.ok) throw badRequest('invalid model', read.issues, warnings);
    const segmentIssues = resourceIdIssues(read.value);
    if (segmentIssues.length > 0) throw badRequest('invalid model', segmentIssues, warnings);
    const id = this.documentId(requestedId, read.value.name);
    const stored = await this.store(tenant, id, read.value.name, 'model', raw.value as Record<string, unknown>);
    return { ...summary(stored), warnings };
  }

  /** A ConfigurationProblem (its `model` inline, or "id" / "id@version" of a stored model) or a PesProblem. */
  async uploadProblem(tenant: string, body: unknown, requestedId: string | undefined): Promise<UploadResult> {
    const raw = documentFromBody(body);
    if (!raw.ok) throw badRequest('invalid problem document', raw.issues, raw.warnings);
    const doc = raw.value;
    if (!isRecord(doc)) throw badRequest('invalid problem', [{ path: '', message: 'must be an object' }]);
    if (doc.kind === 'PesProblem') {
      const read = readPesProblem(doc);
      const warnings = read.warnings ?? [];
      if (!read.ok) throw badRequest('invalid PES problem', read.issues, warnings);
      const name = read.value.name ?? 'PES problem';
      const stored = await this.store(tenant, this.documentId(requestedId, name), name, 'pes-problem', doc);
      return { ...summary(stored), warnings };
    }
    if (doc.kind !== 'ConfigurationProblem') {
      throw badRequest('invalid problem', [{ path: 'kind', message: `must be ConfigurationProblem or PesProblem, got ${JSON.stringify(doc.kind ?? null)}` }]);
    }
    let pinned: { id: string; version: number } | undefined;
    let model: PssModel | undefined;
    const document: Record<string, unknown> = { ...doc };
    if (typeof doc.model === 'string') {
      const reference = parseReference(doc.model);
      if (typeof reference === 'string') throw badRequest('invalid problem', [{ path: 'model', message: reference }]);
      const stored = await this.models.get(tenant, reference.id, reference.version);
      if (stored === null || stored.kind !== 'model') {
        throw badRequest('invalid problem', [{ path: 'model', message: `no stored model "${doc.model}" (upload it with POST /api/models first)` }]);
      }
      model = this.modelOf(stored);
      pinned = { id: stored.id, version: stored.version };
      // Stored pinned: the problem keeps meaning what it meant when the model gets new versions.
      document.model = `${stored.id}@${stored.version}`;
    }
    const read = readConfigurationProblem(doc, model ? { model } : {});
    const warnings = read.warnings ?? [];
    if (!read.ok) throw badRequest('invalid configuration problem', read.issues, warnings);
    if (!model) {
      const segmentIssues = resourceIdIssues(read.value.model, 'model.');
      if (segmentIssues.length > 0) throw badRequest('invalid configuration problem', segmentIssues, warnings);
    }
    const name = read.value.name ?? `${read.value.model.name} problem`;
    const stored = await this.store(tenant, this.documentId(requestedId, name), name, 'problem', document);
    return { ...summary(stored), warnings, ...(pinned ? { model: pinned } : {}) };
  }

  async list(tenant: string, kinds: readonly ModelKind[]): Promise<StoredDocumentSummary[]> {
    return (await this.models.listLatest(tenant)).filter((m) => kinds.includes(m.kind)).map(summary);
  }

  /** One stored document of one of `kinds`, or null. */
  async find(tenant: string, id: string, version: number | undefined, kinds: readonly ModelKind[]): Promise<StoredModel | null> {
    const stored = checkDocumentId(id) === undefined ? await this.models.get(tenant, id, version) : null;
    return stored !== null && kinds.includes(stored.kind) ? stored : null;
  }

  /** One stored document of one of `kinds`; 404 otherwise. */
  async get(tenant: string, id: string, version: number | undefined, kinds: readonly ModelKind[]): Promise<StoredModel> {
    const stored = await this.find(tenant, id, version, kinds);
    if (stored === null) {
      const what = kinds.length === 1 && kinds[0] === 'model' ? 'model' : 'problem';
      throw notFound(version === undefined ? `no ${what} "${id}"` : `no ${what} "${id}" version ${version}`);
    }
    return stored;
  }

  async network(tenant: string, id: string, version: number | undefined): Promise<ModelNetwork> {
    const stored = await this.get(tenant, id, version, ['model']);
    return buildNetwork(this.modelOf(stored), { id: stored.id, version: stored.version });
  }

  /** A stored model as a PssModel (for other modules: assets, triggers, configuration). */
  async loadModel(tenant: string, reference: DocumentReference): Promise<{ stored: StoredModel; model: PssModel }> {
    const stored = await this.get(tenant, reference.id, reference.version, ['model']);
    return { stored, model: this.modelOf(stored) };
  }

  async loadPesProblem(tenant: string, reference: DocumentReference): Promise<LoadedPesProblem> {
    const stored = await this.get(tenant, reference.id, reference.version, ['pes-problem']);
    const read = readPesProblem(stored.document);
    if (!read.ok) throw new Error(`stored PES problem ${tenant}/${stored.id}@${stored.version} no longer reads: ${read.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return { stored, problem: read.value };
  }

  /** A stored model's PssModel. It was valid when stored; a reader grown stricter since is our bug to see. */
  modelOf(stored: StoredModel): PssModel {
    const read = readPssModel(stored.document);
    if (!read.ok) throw new Error(`stored model ${stored.tenant}/${stored.id}@${stored.version} no longer reads: ${read.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return read.value;
  }

  private documentId(requested: string | undefined, name: string): string {
    const id = requested ?? idFromName(name);
    const problem = checkDocumentId(id);
    if (problem) throw badRequest('invalid id', [{ path: 'query.id', message: problem }]);
    return id;
  }

  private async store(tenant: string, id: string, name: string, kind: ModelKind, document: Record<string, unknown>): Promise<StoredModel> {
    const latest = await this.models.get(tenant, id);
    if (latest !== null && latest.kind !== kind) throw conflict(`id "${id}" is taken by a ${latest.kind}: choose another id (?id=...)`);
    return this.models.addVersion({ tenant, id, name, kind, document, createdAt: this.clock() });
  }
}

export function viewOf(stored: StoredModel): StoredDocumentView {
  return { ...summary(stored), document: stored.document };
}
