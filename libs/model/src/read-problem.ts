// Reads ConfigurationProblem (MODEL.md section 2) and PesProblem (section 3) documents.
import {
  BusyInterval,
  ConfigurationProblem,
  PesAttribute,
  PesInstance,
  PesModule,
  PesProblem,
  PesPublishedScheme,
  PesRule,
  PssModel,
  TriggeredFlow,
} from './types';
import { IssueCollector, Result, describe, joinPath } from './issues';
import { DocReader } from './read';
import { readModelInto } from './read-model';

export interface ProblemReadOptions {
  /** The model, when the document refers to it by path and an adapter has loaded it. */
  model?: PssModel;
}

export function readConfigurationProblem(raw: unknown, options: ProblemReadOptions = {}): Result<ConfigurationProblem> {
  const issues = new IssueCollector();
  const r = new DocReader(issues);
  const doc = r.object(raw, '');
  if (!doc) return issues.result<never>(undefined);
  r.knownKeys(doc, '', ['apiVersion', 'kind', 'name', 'description', 'model', 'triggered', 'busy', 'reliabilityObjective', 'at']);
  if (doc.kind !== 'ConfigurationProblem') issues.add('kind', `must be ConfigurationProblem, got ${describe(doc.kind)}`);
  checkApiVersion(doc, issues);

  let model = options.model;
  if (!model) {
    if (typeof doc.model === 'string') issues.add('model', `refers to "${doc.model}", but no file loader was given: load the document from a file, or give the model inline`);
    else if (doc.model === undefined) issues.add('model', 'is required (a path relative to this file, or the model inline)');
    else model = readModelInto(doc.model, 'model', r);
  }

  const triggerById = new Map((model?.triggers ?? []).map((t) => [t.id, t]));
  const defaultAt = r.number(doc, 'at', '', { min: 0 }, 0);
  const triggered = r.list(doc, 'triggered', '').map((value, i): TriggeredFlow => {
    const at = joinPath('triggered', i);
    const row = r.object(value, at) ?? {};
    r.knownKeys(row, at, ['asset', 'trigger', 'at', 'start', 'deadline']);
    const asset = r.string(row, 'asset', at);
    const trigger = r.string(row, 'trigger', at);
    const def = triggerById.get(trigger);
    if (model && trigger && !def) issues.add(joinPath(at, 'trigger'), `unknown trigger "${trigger}"`);
    const time = r.number(row, 'at', at, { min: 0 }, defaultAt);
    const start = r.number(row, 'start', at, { min: 0 }, time + (def?.window.start ?? 0));
    const deadline = r.number(row, 'deadline', at, { min: 0 }, time + (def?.window.deadline ?? 0));
    if (deadline < start) issues.add(joinPath(at, 'deadline'), `must be >= start (${start}), got ${deadline}`);
    return { asset, trigger, at: time, start, deadline };
  });
  const seen = new Map<string, number>();
  triggered.forEach((t, i) => {
    const key = `${t.asset}\u0000${t.trigger}`;
    const first = seen.get(key);
    if (first !== undefined) issues.add(joinPath('triggered', i), `asset "${t.asset}" already has trigger "${t.trigger}" (triggered[${first}])`);
    else seen.set(key, i);
  });

  const resourceIds = new Set((model?.resources ?? []).map((x) => x.id));
  const busy = r.list(doc, 'busy', '', false).map((value, i): BusyInterval => {
    const at = joinPath('busy', i);
    const row = r.object(value, at) ?? {};
    r.knownKeys(row, at, ['resource', 'from', 'to', 'reason', 'workOrder']);
    const resource = r.string(row, 'resource', at);
    if (model && resource && !resourceIds.has(resource)) issues.add(joinPath(at, 'resource'), `unknown resource "${resource}"`);
    const from = r.number(row, 'from', at);
    const to = r.number(row, 'to', at);
    if (to < from) issues.add(joinPath(at, 'to'), `must be >= from (${from}), got ${to}`);
    return { resource, from, to };
  });
  const reliabilityObjective = r.oneOf(doc, 'reliabilityObjective', '', ['importance-weighted', 'mean'] as const, 'importance-weighted');

  if (!model) return issues.result<ConfigurationProblem>(undefined);
  return issues.result<ConfigurationProblem>({
    apiVersion: 'pss/v1',
    kind: 'ConfigurationProblem',
    ...(typeof doc.name === 'string' ? { name: doc.name } : {}),
    model,
    triggered,
    busy,
    reliabilityObjective,
  });
}

const PES_KEYS = ['apiVersion', 'kind', 'name', 'description', 'units', 'attributes', 'modules', 'rules', 'limits', 'publishedSchemes', 'provenance', 'note'];

export function readPesProblem(raw: unknown): Result<PesProblem> {
  const issues = new IssueCollector();
  const r = new DocReader(issues);
  const doc = r.object(raw, '');
  if (!doc) return issues.result<never>(undefined);
  r.knownKeys(doc, '', PES_KEYS);
  if (doc.kind !== 'PesProblem') issues.add('kind', `must be PesProblem, got ${describe(doc.kind)}`);
  checkApiVersion(doc, issues);

  const attributes = r.list(doc, 'attributes', '', false).map((value, i): PesAttribute => {
    const at = joinPath('attributes', i);
    const a = r.object(value, at) ?? {};
    r.knownKeys(a, at, ['id', 'name', 'weight']);
    const weight = r.optionalNumber(a, 'weight', at, { above: 0 });
    return { id: r.string(a, 'id', at), ...(typeof a.name === 'string' ? { name: a.name } : {}), ...(weight !== undefined ? { weight } : {}) };
  });
  r.uniqueIds(attributes, 'attributes');
  const weighted = attributes.filter((a) => a.weight !== undefined);
  if (weighted.length && weighted.length !== attributes.length) issues.add('attributes', 'give a weight to every attribute or to none');
  const weightSum = weighted.reduce((s, a) => s + (a.weight ?? 0), 0);
  if (weighted.length && Math.abs(weightSum - 1) > 1e-9) issues.add('attributes', `weights must sum to 1 (±1e-9), got ${weightSum}`);

  const modules = r.list(doc, 'modules', '').map((value, i): PesModule => {
    const at = joinPath('modules', i);
    const m = r.object(value, at) ?? {};
    r.knownKeys(m, at, ['id', 'name', 'mandatory', 'instances']);
    const instances = r.list(m, 'instances', at).map((iv, k) => readInstance(iv, joinPath(joinPath(at, 'instances'), k), r, attributes));
    if (instances.length === 0) issues.add(joinPath(at, 'instances'), 'needs at least one instance');
    return { id: r.string(m, 'id', at), ...(typeof m.name === 'string' ? { name: m.name } : {}), mandatory: r.boolean(m, 'mandatory', at, true), instances };
  });
  r.uniqueIds(modules, 'modules');
  const allInstances = modules.flatMap((m) => m.instances);
  const instanceIds = r.uniqueIds(allInstances, 'instances (across modules)');

  const rules = r.list(doc, 'rules', '', false).map((value, i): PesRule => {
    const at = joinPath('rules', i);
    const rule = r.object(value, at) ?? {};
    r.knownKeys(rule, at, ['type', 'a', 'b']);
    const a = r.string(rule, 'a', at);
    const b = r.string(rule, 'b', at);
    if (a && !instanceIds.has(a)) issues.add(joinPath(at, 'a'), `unknown instance "${a}"`);
    if (b && !instanceIds.has(b)) issues.add(joinPath(at, 'b'), `unknown instance "${b}"`);
    if (a && a === b) issues.add(at, `a rule needs two different instances, got "${a}" twice`);
    return { type: r.oneOf(rule, 'type', at, ['excludes', 'requires', 'inclusive'] as const), a, b };
  });

  const lAt = 'limits';
  const l = doc.limits === undefined ? {} : (r.object(doc.limits, lAt) ?? {});
  r.knownKeys(l, lAt, ['profitMargin', 'maxPrice', 'maxResponseTime']);
  const maxPrice = r.optionalNumber(l, 'maxPrice', lAt, { min: 0 });
  const maxResponseTime = r.optionalNumber(l, 'maxResponseTime', lAt, { min: 0 });
  const limits = {
    profitMargin: r.number(l, 'profitMargin', lAt, { min: 0 }, 0),
    ...(maxPrice !== undefined ? { maxPrice } : {}),
    ...(maxResponseTime !== undefined ? { maxResponseTime } : {}),
  };

  const publishedSchemes = r.list(doc, 'publishedSchemes', '', false).map((value, i): PesPublishedScheme => {
    const at = joinPath('publishedSchemes', i);
    const s = r.object(value, at) ?? {};
    const instances = r.stringList(s, 'instances', at);
    instances.forEach((id, k) => {
      if (!instanceIds.has(id)) issues.add(joinPath(joinPath(at, 'instances'), k), `unknown instance "${id}"`);
    });
    return {
      id: r.string(s, 'id', at),
      ...(typeof s.note === 'string' ? { note: s.note } : {}),
      instances,
      performance: r.number(s, 'performance', at),
      cost: r.number(s, 'cost', at),
      responseTime: r.number(s, 'responseTime', at),
    };
  });

  return issues.result<PesProblem>({
    apiVersion: 'pss/v1',
    kind: 'PesProblem',
    ...(typeof doc.name === 'string' ? { name: doc.name } : {}),
    attributes,
    modules,
    rules,
    limits,
    publishedSchemes,
  });
}

const CORRELATION_LEVELS = [0, 1, 3, 9];

function readInstance(value: unknown, at: string, r: DocReader, attributes: readonly PesAttribute[]): PesInstance {
  const obj = r.object(value, at) ?? {};
  r.knownKeys(obj, at, ['id', 'name', 'cost', 'responseTime', 'performance', 'correlations']);
  const base = {
    id: r.string(obj, 'id', at),
    ...(typeof obj.name === 'string' ? { name: obj.name } : {}),
    cost: r.number(obj, 'cost', at, { min: 0 }),
    responseTime: r.number(obj, 'responseTime', at, { min: 0 }),
  };
  if (obj.performance !== undefined && obj.correlations !== undefined) {
    r.issues.add(at, 'give performance or correlations, not both');
  }
  if (obj.correlations === undefined) return { ...base, performance: r.number(obj, 'performance', at, { min: 0 }) };
  // performance = Σ_l γ_l w_l over the customer attributes (seed 003, QFD correlation levels).
  const cAt = joinPath(at, 'correlations');
  const gammas = r.list(obj, 'correlations', at);
  if (attributes.some((a) => a.weight === undefined)) r.issues.add(cAt, 'correlations need a weight on every attribute');
  if (gammas.length !== attributes.length) r.issues.add(cAt, `needs one value per attribute (${attributes.length}), got ${gammas.length}`);
  let performance = 0;
  gammas.forEach((g, l) => {
    const gamma = r.checkNumber(g, joinPath(cAt, l), {});
    if (!CORRELATION_LEVELS.includes(gamma)) r.issues.add(joinPath(cAt, l), `must be one of 0, 1, 3, 9, got ${gamma}`);
    performance += gamma * (attributes[l]?.weight ?? 0);
  });
  return { ...base, performance };
}

function checkApiVersion(doc: Record<string, unknown>, issues: IssueCollector): void {
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'pss/v1') issues.add('apiVersion', `must be pss/v1, got ${describe(doc.apiVersion)}`);
}
