// Reads and validates a PssModel document (MODEL.md section 1): the whole model or nothing.
import {
  Activity,
  Assignable,
  Demand,
  Flow,
  FlowBody,
  INTERACTION_TYPES,
  InteractionType,
  InteractionWeights,
  Part,
  PartLink,
  PartRankSettings,
  PssModel,
  Resource,
  ResourceKind,
  StatusDef,
  Trigger,
} from './types';
import { IssueCollector, Result, describe, isRecord, joinPath } from './issues';
import { DocReader } from './read';
import { bodyActivities, readFlowBody } from './flow-body';
import { END_NODE, GatewayKind, graphToBody } from './service-graph';

const MODEL_KEYS = [
  'apiVersion', 'kind', 'name', 'description', 'timeUnit', 'currency', 'interactionWeights', 'partRank', 'parts',
  'partLinks', 'resourceKinds', 'resources', 'triggers', 'activities', 'assignable', 'flows',
] as const;

const STATUS_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function readPssModel(raw: unknown, path = ''): Result<PssModel> {
  const issues = new IssueCollector();
  return issues.result(readModelInto(raw, path, new DocReader(issues)));
}

/** As readPssModel, reporting into a caller's collector (for models inline in a problem). */
export function readModelInto(raw: unknown, path: string, r: DocReader): PssModel | undefined {
  const doc = r.object(raw, path);
  if (!doc) return undefined;
  r.knownKeys(doc, path, MODEL_KEYS);
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'pss/v1') r.issues.add(joinPath(path, 'apiVersion'), `must be pss/v1, got ${describe(doc.apiVersion)}`);
  if (doc.kind !== 'PssModel') r.issues.add(joinPath(path, 'kind'), `must be PssModel, got ${describe(doc.kind)}`);

  const interactionWeights = readInteractionWeights(doc, path, r);
  const partRank = readPartRank(doc, path, r);

  const parts = r.list(doc, 'parts', path).map((v, i) => readPart(v, joinPath(joinPath(path, 'parts'), i), r));
  const partIds = r.uniqueIds(parts, joinPath(path, 'parts'));
  const partLinks = r.list(doc, 'partLinks', path, false).map((v, i) => readPartLink(v, joinPath(joinPath(path, 'partLinks'), i), r, partIds));

  const resourceKinds = r.list(doc, 'resourceKinds', path, false).map((v, i) => readResourceKind(v, joinPath(joinPath(path, 'resourceKinds'), i), r));
  const kindIds = r.uniqueIds(resourceKinds, joinPath(path, 'resourceKinds'));
  const resources = r.list(doc, 'resources', path, false).map((v, i) => readResource(v, joinPath(joinPath(path, 'resources'), i), r, kindIds));
  const resourceIds = r.uniqueIds(resources, joinPath(path, 'resources'));

  const statusRefs = new Set(parts.flatMap((p) => p.statuses.map((s) => `${p.id}.${s.key}`)));
  const triggers = r.list(doc, 'triggers', path).map((v, i) => readTrigger(v, joinPath(joinPath(path, 'triggers'), i), r, partIds));
  const triggerIds = r.uniqueIds(triggers, joinPath(path, 'triggers'));

  const activities = r.list(doc, 'activities', path).map((v, i) => readActivity(v, joinPath(joinPath(path, 'activities'), i), r, partIds, kindIds));
  const activityIds = r.uniqueIds(activities, joinPath(path, 'activities'));
  // The compiled service-layer graph names its end node "se" and its gateways "<trigger>#vN".
  for (const [key, items] of [['triggers', triggers], ['activities', activities]] as const) {
    items.forEach((item, i) => {
      if (item.id === END_NODE || item.id.includes('#')) {
        r.issues.add(joinPath(joinPath(joinPath(path, key), i), 'id'), `"${item.id}" is reserved: "${END_NODE}" names the service end node and "#" marks generated gateway nodes`);
      }
    });
  }
  // Ids are shared by one graph: a trigger, an activity and a part may not share a name.
  for (const [i, a] of activities.entries()) {
    if (triggerIds.has(a.id)) r.issues.add(joinPath(joinPath(joinPath(path, 'activities'), i), 'id'), `"${a.id}" is also a trigger id`);
  }

  const assignable = r.list(doc, 'assignable', path, false).map((v, i) => readAssignable(v, joinPath(joinPath(path, 'assignable'), i), r, resourceIds, activityIds));
  const seenPairs = new Map<string, number>();
  assignable.forEach((a, i) => {
    const key = `${a.resource}\u0000${a.activity}`;
    const first = seenPairs.get(key);
    if (first !== undefined) r.issues.add(joinPath(joinPath(path, 'assignable'), i), `duplicate edge ${a.resource} -> ${a.activity} (first at assignable[${first}])`);
    else seenPairs.set(key, i);
  });

  const flowsRaw = r.list(doc, 'flows', path);
  const flows = flowsRaw.map((v, i) => readFlow(v, joinPath(joinPath(path, 'flows'), i), r, triggerIds, activityIds));
  // A flow whose body is broken still covers its trigger: one fault, one message.
  checkFlowCoverage(flowsRaw.map((v) => (isRecord(v) && typeof v.trigger === 'string' ? v.trigger : undefined)), triggers, path, r);

  // The trigger engine parses conditions fully; here we only check that they name known statuses.
  triggers.forEach((t, i) => {
    for (const ref of t.condition ? unknownStatusRefs(t.condition, statusRefs) : []) {
      r.issues.add(joinPath(joinPath(joinPath(path, 'triggers'), i), 'condition'), `refers to unknown status "${ref}" (known: ${[...statusRefs].slice(0, 6).join(', ')}${statusRefs.size > 6 ? ', …' : ''})`);
    }
  });

  if (!r.issues.ok) return undefined;
  return {
    apiVersion: 'pss/v1',
    kind: 'PssModel',
    name: typeof doc.name === 'string' ? doc.name : 'unnamed',
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    timeUnit: typeof doc.timeUnit === 'string' ? doc.timeUnit : 'h',
    ...(typeof doc.currency === 'string' ? { currency: doc.currency } : {}),
    interactionWeights,
    partRank,
    parts,
    partLinks,
    resourceKinds,
    resources,
    triggers,
    activities,
    assignable,
    flows: flows.filter((f): f is Flow => f !== undefined),
  };
}

function readInteractionWeights(doc: Record<string, unknown>, path: string, r: DocReader): InteractionWeights {
  const equal = Object.fromEntries(INTERACTION_TYPES.map((t) => [t, 1 / INTERACTION_TYPES.length])) as InteractionWeights;
  if (doc.interactionWeights === undefined) return equal;
  const at = joinPath(path, 'interactionWeights');
  const obj = r.object(doc.interactionWeights, at);
  if (!obj) return equal;
  r.knownKeys(obj, at, INTERACTION_TYPES);
  const weights = Object.fromEntries(INTERACTION_TYPES.map((t) => [t, r.number(obj, t, at, { min: 0, max: 1 }, 0)])) as InteractionWeights;
  const sum = INTERACTION_TYPES.reduce((s, t) => s + weights[t], 0);
  if (Math.abs(sum - 1) > 1e-9) r.issues.add(at, `must sum to 1 (±1e-9), got ${sum}`);
  return weights;
}

function readPartRank(doc: Record<string, unknown>, path: string, r: DocReader): PartRankSettings {
  const defaults: PartRankSettings = { alpha: 1, tolerance: 1e-12, maxIterations: 10000 };
  if (doc.partRank === undefined) return defaults;
  const at = joinPath(path, 'partRank');
  const obj = r.object(doc.partRank, at);
  if (!obj) return defaults;
  r.knownKeys(obj, at, ['alpha', 'tolerance', 'maxIterations']);
  return {
    alpha: r.number(obj, 'alpha', at, {}, defaults.alpha),
    tolerance: r.number(obj, 'tolerance', at, { above: 0 }, defaults.tolerance),
    maxIterations: r.number(obj, 'maxIterations', at, { min: 1, integer: true }, defaults.maxIterations),
  };
}

function readPart(value: unknown, at: string, r: DocReader): Part {
  const obj = r.object(value, at) ?? {};
  r.knownKeys(obj, at, ['id', 'name', 'info', 'statuses']);
  const statuses = r.list(obj, 'statuses', at, false).map((s, i): StatusDef => {
    const sAt = joinPath(joinPath(at, 'statuses'), i);
    const so = r.object(s, sAt) ?? {};
    r.knownKeys(so, sAt, ['key', 'unit', 'min', 'max', 'name']);
    const key = r.string(so, 'key', sAt);
    if (key && !STATUS_KEY.test(key)) r.issues.add(joinPath(sAt, 'key'), `must be letters, digits or _ (not starting with a digit), got "${key}"`);
    const min = r.optionalNumber(so, 'min', sAt);
    const max = r.optionalNumber(so, 'max', sAt);
    if (min !== undefined && max !== undefined && min > max) r.issues.add(sAt, `min ${min} is above max ${max}`);
    return { key, ...(typeof so.unit === 'string' ? { unit: so.unit } : {}), ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  });
  const seen = new Set<string>();
  statuses.forEach((s, i) => {
    if (seen.has(s.key)) r.issues.add(joinPath(joinPath(joinPath(at, 'statuses'), i), 'key'), `duplicate status "${s.key}"`);
    seen.add(s.key);
  });
  if (obj.info !== undefined && !isRecord(obj.info)) r.issues.add(joinPath(at, 'info'), `must be an object, got ${describe(obj.info)}`);
  return {
    id: r.string(obj, 'id', at),
    ...(typeof obj.name === 'string' ? { name: obj.name } : {}),
    ...(isRecord(obj.info) ? { info: obj.info } : {}),
    statuses,
  };
}

function readPartLink(value: unknown, at: string, r: DocReader, partIds: ReadonlySet<string>): PartLink {
  const obj = r.object(value, at) ?? {};
  r.knownKeys(obj, at, ['from', 'to', 'types', 'weight']);
  const from = r.string(obj, 'from', at);
  const to = r.string(obj, 'to', at);
  if (from && !partIds.has(from)) r.issues.add(joinPath(at, 'from'), `unknown part "${from}"`);
  if (to && !partIds.has(to)) r.issues.add(joinPath(at, 'to'), `unknown part "${to}"`);
  if (from && from === to) r.issues.add(at, `a part cannot link to itself ("${from}")`);
  const types = r.stringList(obj, 'types', at, false);
  types.forEach((t, i) => {
    if (!INTERACTION_TYPES.includes(t as InteractionType)) r.issues.add(joinPath(joinPath(at, 'types'), i), `must be one of ${INTERACTION_TYPES.join(', ')}, got "${t}"`);
  });
  if (new Set(types).size !== types.length) r.issues.add(joinPath(at, 'types'), 'lists a type twice');
  const weight = r.optionalNumber(obj, 'weight', at, { min: 0, max: 1 });
  if (types.length === 0 && weight === undefined) r.issues.add(at, 'needs interaction types or an explicit weight');
  return { from, to, types: types as InteractionType[], ...(weight !== undefined ? { weight } : {}) };
}

function readResourceKind(value: unknown, at: string, r: DocReader): ResourceKind {
  const obj = r.object(value, at) ?? {};
  r.knownKeys(obj, at, ['id', 'name', 'category']);
  return {
    id: r.string(obj, 'id', at),
    ...(typeof obj.name === 'string' ? { name: obj.name } : {}),
    category: r.oneOf(obj, 'category', at, ['personnel', 'equipment'] as const),
  };
}

function readResource(value: unknown, at: string, r: DocReader, kindIds: ReadonlySet<string>): Resource {
  const obj = r.object(value, at) ?? {};
  r.knownKeys(obj, at, ['id', 'name', 'kind', 'costRate']);
  const kind = r.string(obj, 'kind', at);
  if (kind && !kindIds.has(kind)) r.issues.add(joinPath(at, 'kind'), `unknown resource kind "${kind}"`);
  return {
    id: r.string(obj, 'id', at),
    ...(typeof obj.name === 'string' ? { name: obj.name } : {}),
    kind,
    costRate: r.number(obj, 'costRate', at, { min: 0 }),
  };
}

function readTrigger(value: unknown, at: string, r: DocReader, partIds: ReadonlySet<string>): Trigger {
  const obj = r.object(value, at) ?? {};
  r.knownKeys(obj, at, ['id', 'name', 'monitors', 'condition', 'window', 'clear']);
  const monitors = r.stringList(obj, 'monitors', at, false);
  monitors.forEach((m, i) => {
    if (!partIds.has(m)) r.issues.add(joinPath(joinPath(at, 'monitors'), i), `unknown part "${m}"`);
  });
  const wAt = joinPath(at, 'window');
  const w = r.object(obj.window, wAt) ?? {};
  r.knownKeys(w, wAt, ['start', 'deadline']);
  const start = r.number(w, 'start', wAt, { min: 0 }, 0);
  const deadline = r.number(w, 'deadline', wAt, { min: 0 });
  if (deadline < start) r.issues.add(joinPath(wAt, 'deadline'), `must be >= window.start (${start}), got ${deadline}`);
  const condition = r.optionalString(obj, 'condition', at);
  return {
    id: r.string(obj, 'id', at),
    ...(typeof obj.name === 'string' ? { name: obj.name } : {}),
    monitors,
    ...(condition !== undefined ? { condition } : {}),
    window: { start, deadline },
    clear: r.number(obj, 'clear', at, { min: 0 }, 0),
  };
}

function readActivity(value: unknown, at: string, r: DocReader, partIds: ReadonlySet<string>, kindIds: ReadonlySet<string>): Activity {
  const obj = r.object(value, at) ?? {};
  r.knownKeys(obj, at, ['id', 'name', 'time', 'cost', 'reliability', 'objects', 'demands', 'virtual']);
  const virtual = r.boolean(obj, 'virtual', at, false);
  const time = r.number(obj, 'time', at, { min: 0 }, virtual ? 0 : undefined);
  const cost = r.number(obj, 'cost', at, { min: 0 }, virtual ? 0 : undefined);
  const reliability = r.number(obj, 'reliability', at, { min: 0, max: 1 }, virtual ? 1 : undefined);
  const objects = r.stringList(obj, 'objects', at, false);
  objects.forEach((p, i) => {
    if (!partIds.has(p)) r.issues.add(joinPath(joinPath(at, 'objects'), i), `unknown part "${p}"`);
  });
  const demands = r.list(obj, 'demands', at, false).map((d, i): Demand => {
    const dAt = joinPath(joinPath(at, 'demands'), i);
    const dobj = r.object(d, dAt) ?? {};
    r.knownKeys(dobj, dAt, ['kind', 'qty']);
    const kind = r.string(dobj, 'kind', dAt);
    if (kind && !kindIds.has(kind)) r.issues.add(joinPath(dAt, 'kind'), `unknown resource kind "${kind}"`);
    return { kind, qty: r.number(dobj, 'qty', dAt, { min: 1, integer: true }) };
  });
  if (virtual) {
    if (time !== 0) r.issues.add(joinPath(at, 'time'), `a virtual activity takes no time, got ${time}`);
    if (cost !== 0) r.issues.add(joinPath(at, 'cost'), `a virtual activity costs nothing, got ${cost}`);
    if (objects.length) r.issues.add(joinPath(at, 'objects'), 'a virtual activity has no service objects');
    if (demands.length) r.issues.add(joinPath(at, 'demands'), 'a virtual activity demands no resources');
  }
  return {
    id: r.string(obj, 'id', at),
    ...(typeof obj.name === 'string' ? { name: obj.name } : {}),
    time,
    cost,
    reliability,
    objects,
    demands: mergeDemands(demands),
    virtual,
  };
}

/** Several demands of the same kind in one activity add up (MODEL.md section 2). */
export function mergeDemands(demands: readonly Demand[]): Demand[] {
  const merged = new Map<string, number>();
  for (const d of demands) merged.set(d.kind, (merged.get(d.kind) ?? 0) + d.qty);
  return [...merged].map(([kind, qty]) => ({ kind, qty }));
}

function readAssignable(value: unknown, at: string, r: DocReader, resourceIds: ReadonlySet<string>, activityIds: ReadonlySet<string>): Assignable {
  const obj = r.object(value, at) ?? {};
  r.knownKeys(obj, at, ['resource', 'activity', 'theta']);
  const resource = r.string(obj, 'resource', at);
  const activity = r.string(obj, 'activity', at);
  if (resource && !resourceIds.has(resource)) r.issues.add(joinPath(at, 'resource'), `unknown resource "${resource}"`);
  if (activity && !activityIds.has(activity)) r.issues.add(joinPath(at, 'activity'), `unknown activity "${activity}"`);
  return { resource, activity, theta: r.number(obj, 'theta', at, { min: 0, max: 1 }) };
}

function readFlow(value: unknown, at: string, r: DocReader, triggerIds: ReadonlySet<string>, activityIds: ReadonlySet<string>): Flow | undefined {
  const obj = r.object(value, at);
  if (!obj) return undefined;
  r.knownKeys(obj, at, ['trigger', 'body', 'edges', 'split', 'join']);
  const trigger = r.string(obj, 'trigger', at);
  if (trigger && !triggerIds.has(trigger)) r.issues.add(joinPath(at, 'trigger'), `unknown trigger "${trigger}"`);
  let body: FlowBody | undefined;
  if (obj.body !== undefined && obj.edges !== undefined) {
    r.issues.add(at, 'give either body or edges (the graph form), not both');
    return undefined;
  } else if (obj.body !== undefined) {
    body = readFlowBody(obj.body, joinPath(at, 'body'), r, activityIds);
  } else if (obj.edges !== undefined) {
    body = readGraphForm(obj, at, r, trigger, activityIds);
  } else {
    r.issues.add(at, 'needs a body (or the graph form: edges with split/join)');
    return undefined;
  }
  if (!body) return undefined;
  const used = bodyActivities(body);
  const seen = new Set<string>();
  for (const a of used) {
    if (seen.has(a)) r.issues.add(at, `activity "${a}" is used twice in one flow`);
    seen.add(a);
  }
  return { trigger, body };
}

function readGraphForm(obj: Record<string, unknown>, at: string, r: DocReader, trigger: string, activityIds: ReadonlySet<string>): FlowBody | undefined {
  const edgesAt = joinPath(at, 'edges');
  const before = r.issues.issues.length;
  const edges: [string, string][] = [];
  r.list(obj, 'edges', at).forEach((e, i) => {
    const eAt = joinPath(edgesAt, i);
    if (Array.isArray(e) && e.length === 3) {
      r.issues.add(eAt, 'edge weights are derived from split kinds, never entered: give [from, to]');
    } else if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') {
      r.issues.add(eAt, `must be [from, to] with two node ids, got ${describe(e)}`);
    } else {
      edges.push([e[0], e[1]]);
    }
  });
  const gateways = (key: 'split' | 'join'): Record<string, GatewayKind> => {
    if (obj[key] === undefined) return {};
    const gAt = joinPath(at, key);
    const g = r.object(obj[key], gAt) ?? {};
    const out: Record<string, GatewayKind> = {};
    for (const node of Object.keys(g)) out[node] = r.oneOf(g, node, gAt, ['xor', 'and'] as const);
    return out;
  };
  const split = gateways('split');
  const join = gateways('join');
  // Only this flow's own faults stop its graph from being read (a fault elsewhere must not hide its cycle).
  if (r.issues.issues.length > before || !trigger) return undefined;
  const { body, issues } = graphToBody({ trigger, edges, split, join }, activityIds, at);
  for (const issue of issues) r.issues.add(issue.path, issue.message);
  return body;
}

function checkFlowCoverage(flowTriggers: (string | undefined)[], triggers: Trigger[], path: string, r: DocReader): void {
  const byTrigger = new Map<string, number>();
  flowTriggers.forEach((trigger, i) => {
    if (!trigger) return;
    const first = byTrigger.get(trigger);
    if (first !== undefined) r.issues.add(joinPath(joinPath(joinPath(path, 'flows'), i), 'trigger'), `trigger "${trigger}" already has a flow (flows[${first}])`);
    else byTrigger.set(trigger, i);
  });
  triggers.forEach((t, i) => {
    if (t.id && !byTrigger.has(t.id)) r.issues.add(joinPath(joinPath(path, 'triggers'), i), `trigger "${t.id}" has no flow`);
  });
}

/**
 * Status references in a condition are `<part id>.<status key>`. Ids may hold dots and hyphens, so a
 * dotted word is a reference when it names a known status, or when each of its hyphen-separated
 * pieces does (`p.a.x-p.b.y` reads as a subtraction).
 */
export function unknownStatusRefs(condition: string, known: ReadonlySet<string>): string[] {
  const words = condition.replace(/'[^']*'|"[^"]*"/g, ' ').match(/[A-Za-z_][A-Za-z0-9_.-]*/g) ?? [];
  const unknown: string[] = [];
  for (const word of words) {
    if (!word.includes('.') || known.has(word)) continue;
    const pieces = word.split('-').filter((p) => p.includes('.'));
    if (word.includes('-') && pieces.every((p) => known.has(p))) continue;
    unknown.push(word);
  }
  return [...new Set(unknown)];
}
