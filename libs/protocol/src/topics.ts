// The topic tree, built and parsed here only: call sites never concatenate topic strings.
//
//   pss/v1/{tenant}/{gateway}/events/trigger        edge  → cloud   TriggerEvent    QoS 1
//   pss/v1/{tenant}/{gateway}/events/ack            cloud → edge    EventAck        QoS 1
//   pss/v1/{tenant}/{gateway}/telemetry             edge  → cloud   TelemetryBatch  QoS 0 (or 1)
//   pss/v1/{tenant}/{gateway}/status                edge  → cloud   GatewayStatus   QoS 1, retained, last will
//   pss/v1/{tenant}/{gateway}/commands/close        cloud → edge    CloseCommand    QoS 1
//   pss/v1/{tenant}/{gateway}/commands/close/ack    edge  → cloud   CloseAck        QoS 1
//   pss/v1/{tenant}/workorders/{resource}           cloud → resource WorkOrderMessage QoS 1
//   pss/v1/{tenant}/workorders/{resource}/progress  resource → cloud ProgressReport  QoS 1
//
// Two names are reserved so that every wildcard filter matches exactly one kind: a gateway may not be called
// `workorders`, a resource may not be called `status` or `telemetry` (else `pss/v1/+/+/status` would also match the
// work orders of a resource named "status").
import { IssueCollector, Result, ValidationError, ValidationIssue } from '@pss/model';
import { LIMITS } from './limits';
import { SCHEMAS, SchemaId } from './types';

export const TOPIC_ROOT = 'pss';
/** Version of the topic layout. It changes only when the tree changes; payloads carry their own schema versions. */
export const TOPIC_VERSION = 'v1';

export const GATEWAY_TOPIC_KINDS = ['trigger-event', 'event-ack', 'telemetry', 'status', 'close-command', 'close-ack'] as const;
export const RESOURCE_TOPIC_KINDS = ['work-order', 'progress'] as const;
export const TOPIC_KINDS = [...GATEWAY_TOPIC_KINDS, ...RESOURCE_TOPIC_KINDS] as const;

export type GatewayTopicKind = (typeof GATEWAY_TOPIC_KINDS)[number];
export type ResourceTopicKind = (typeof RESOURCE_TOPIC_KINDS)[number];
export type TopicKind = (typeof TOPIC_KINDS)[number];

export type TopicAddress =
  | { kind: GatewayTopicKind; tenant: string; gateway: string }
  | { kind: ResourceTopicKind; tenant: string; resource: string };

export type Qos = 0 | 1;
export type Party = 'edge' | 'cloud' | 'resource';

export interface TopicSpec {
  kind: TopicKind;
  /** The levels after `{gateway}` or `{resource}`. */
  leaf: readonly string[];
  schema: SchemaId;
  /** QoS publishers use; `qosAllowed` lists what a publisher may choose. */
  qos: Qos;
  qosAllowed: readonly Qos[];
  retain: boolean;
  publisher: Party;
  subscriber: Party;
  /** Whether cloud instances consume it through a shared subscription (`$share/{group}/...`). */
  sharedInCloud: boolean;
}

export const TOPIC_SPECS: Readonly<Record<TopicKind, TopicSpec>> = {
  'trigger-event': spec('trigger-event', ['events', 'trigger'], SCHEMAS.triggerEvent, 1, 'edge', 'cloud', { shared: true }),
  'event-ack': spec('event-ack', ['events', 'ack'], SCHEMAS.eventAck, 1, 'cloud', 'edge'),
  telemetry: spec('telemetry', ['telemetry'], SCHEMAS.telemetryBatch, 0, 'edge', 'cloud', { shared: true, qosAllowed: [0, 1] }),
  // Not shared in the cloud: brokers do not hand retained messages to shared subscriptions (MQTT 5.0, 4.8.2), and
  // every instance wants the retained snapshot of who is online. Status traffic is tiny.
  status: spec('status', ['status'], SCHEMAS.gatewayStatus, 1, 'edge', 'cloud', { retain: true }),
  'close-command': spec('close-command', ['commands', 'close'], SCHEMAS.closeCommand, 1, 'cloud', 'edge'),
  'close-ack': spec('close-ack', ['commands', 'close', 'ack'], SCHEMAS.closeAck, 1, 'edge', 'cloud', { shared: true }),
  'work-order': spec('work-order', [], SCHEMAS.workOrder, 1, 'cloud', 'resource'),
  progress: spec('progress', ['progress'], SCHEMAS.progressReport, 1, 'resource', 'cloud', { shared: true }),
};

function spec(
  kind: TopicKind,
  leaf: readonly string[],
  schema: SchemaId,
  qos: Qos,
  publisher: Party,
  subscriber: Party,
  options: { shared?: boolean; retain?: boolean; qosAllowed?: readonly Qos[] } = {},
): TopicSpec {
  return {
    kind,
    leaf,
    schema,
    qos,
    qosAllowed: options.qosAllowed ?? [qos],
    retain: options.retain ?? false,
    publisher,
    subscriber,
    sharedInCloud: options.shared ?? false,
  };
}

/** The level between tenant and resource on work order topics; a gateway may not take this name. */
export const WORKORDERS_LEVEL = 'workorders';
export const RESERVED_GATEWAY_IDS: readonly string[] = [WORKORDERS_LEVEL];
export const RESERVED_RESOURCE_IDS: readonly string[] = ['status', 'telemetry'];

export type SegmentRole = 'tenant' | 'gateway' | 'resource' | 'group';

const SEGMENT_CHARSET = /^[A-Za-z0-9._-]+$/;
export const SEGMENT_CHARSET_TEXT = 'letters A-Z a-z, digits, ".", "_" and "-"';

export function isGatewayKind(kind: TopicKind): kind is GatewayTopicKind {
  return (GATEWAY_TOPIC_KINDS as readonly string[]).includes(kind);
}

/**
 * Checks one topic segment (tenant, gateway, resource, or shared-subscription group); returns what is wrong, or
 * undefined. Segments are 1 to 64 characters from SEGMENT_CHARSET_TEXT, so never `/`, `+`, `#` or a leading `$`.
 */
export function checkSegment(role: SegmentRole, value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${value === null ? 'null' : typeof value}`;
  if (value === '') return 'must not be empty';
  if (value.includes('/')) return `must not contain "/" (the topic level separator), got ${JSON.stringify(value)}`;
  for (const wildcard of ['+', '#']) {
    if (value.includes(wildcard)) return `must not contain "${wildcard}" (an MQTT wildcard), got ${JSON.stringify(value)}`;
  }
  if (!SEGMENT_CHARSET.test(value)) return `may only contain ${SEGMENT_CHARSET_TEXT}, got ${quote(value)}`;
  if (value.length > LIMITS.maxSegmentLength) return `must be at most ${LIMITS.maxSegmentLength} characters, got ${value.length}`;
  if (role === 'gateway' && RESERVED_GATEWAY_IDS.includes(value)) {
    return `"${value}" is reserved (pss/v1/{tenant}/${WORKORDERS_LEVEL}/... carries work orders)`;
  }
  if (role === 'resource' && RESERVED_RESOURCE_IDS.includes(value)) {
    return `"${value}" is reserved (pss/v1/+/+/${value} subscribes to every gateway's ${value})`;
  }
  return undefined;
}

function segmentIssues(role: SegmentRole, value: unknown, path: string = role): ValidationIssue[] {
  const problem = checkSegment(role, value);
  return problem ? [{ path, message: problem }] : [];
}

/** The topic of one address, or the issues naming each bad segment. */
export function buildTopic(address: TopicAddress): Result<string> {
  const issues = addressIssues(address);
  if (issues.length > 0) return { ok: false, issues };
  const leaf = TOPIC_SPECS[address.kind].leaf;
  const levels =
    'gateway' in address && isGatewayKind(address.kind)
      ? [TOPIC_ROOT, TOPIC_VERSION, address.tenant, address.gateway, ...leaf]
      : [TOPIC_ROOT, TOPIC_VERSION, address.tenant, WORKORDERS_LEVEL, (address as { resource: string }).resource, ...leaf];
  return { ok: true, value: levels.join('/') };
}

/** Like `buildTopic`, for configuration known to be valid: throws a ValidationError naming the bad segment. */
export function topic(address: TopicAddress): string {
  return orThrow(buildTopic(address), 'topic');
}

function addressIssues(address: TopicAddress): ValidationIssue[] {
  const spec = (TOPIC_SPECS as Record<string, TopicSpec | undefined>)[address.kind];
  if (!spec) return [{ path: 'kind', message: `unknown topic kind ${JSON.stringify(address.kind)} (known: ${TOPIC_KINDS.join(', ')})` }];
  const tenant = segmentIssues('tenant', address.tenant);
  if (isGatewayKind(address.kind)) return [...tenant, ...segmentIssues('gateway', (address as { gateway?: unknown }).gateway)];
  return [...tenant, ...segmentIssues('resource', (address as { resource?: unknown }).resource)];
}

const GATEWAY_LEAVES = new Map<string, GatewayTopicKind>(GATEWAY_TOPIC_KINDS.map((kind) => [TOPIC_SPECS[kind].leaf.join('/'), kind]));

/** Reads a topic name (not a filter) back into its address; never throws. */
export function parseTopic(name: string): Result<TopicAddress> {
  const issues = new IssueCollector();
  if (typeof name !== 'string' || name === '') {
    issues.add('', 'topic must be a non-empty string');
    return issues.result<TopicAddress>(undefined);
  }
  const levels = name.split('/');
  if (levels[0] !== TOPIC_ROOT) {
    issues.add('', `not a PSS topic: must start with "${TOPIC_ROOT}/${TOPIC_VERSION}/", got ${quote(name)}`);
    return issues.result<TopicAddress>(undefined);
  }
  if (levels[1] !== TOPIC_VERSION) {
    const found = levels[1] ?? '';
    issues.add(
      '',
      /^v\d+$/.test(found)
        ? `unsupported topic version ${found} (this build speaks ${TOPIC_VERSION})`
        : `not a PSS topic: the second level must be the version ${TOPIC_VERSION}, got ${quote(found)}`,
    );
    return issues.result<TopicAddress>(undefined);
  }
  if (levels.length < 4) {
    issues.add('', `topic too short: ${quote(name)} (known kinds: ${TOPIC_KINDS.join(', ')})`);
    return issues.result<TopicAddress>(undefined);
  }
  const tenant = levels[2];
  for (const issue of segmentIssues('tenant', tenant)) issues.add(issue.path, issue.message);

  if (levels[3] === WORKORDERS_LEVEL) {
    const rest = levels.slice(5).join('/');
    const kind: ResourceTopicKind | undefined = levels.length === 5 ? 'work-order' : rest === 'progress' ? 'progress' : undefined;
    if (levels.length < 5) issues.add('resource', 'is missing (pss/v1/{tenant}/workorders/{resource})');
    else for (const issue of segmentIssues('resource', levels[4])) issues.add(issue.path, issue.message);
    if (levels.length >= 5 && kind === undefined) {
      issues.add('', `unknown topic: nothing ends in workorders/{resource}/${rest} (known: workorders/{resource}, workorders/{resource}/progress)`);
    }
    return issues.result<TopicAddress>(kind && { kind, tenant, resource: levels[4] });
  }

  const gateway = levels[3];
  for (const issue of segmentIssues('gateway', gateway)) issues.add(issue.path, issue.message);
  const rest = levels.slice(4).join('/');
  const kind = GATEWAY_LEAVES.get(rest);
  if (kind === undefined) issues.add('', `unknown topic: nothing ends in {gateway}/${rest} (known: ${[...GATEWAY_LEAVES.keys()].join(', ')})`);
  return issues.result<TopicAddress>(kind && { kind, tenant, gateway });
}

export interface FilterScope {
  tenant?: string;
  gateway?: string;
  resource?: string;
}

export interface FilterOptions {
  /** MQTT v5 shared subscription group: the filter becomes `$share/{group}/...`. */
  share?: string;
}

/**
 * A subscription filter for one topic kind: fixed where `scope` names a segment, `+` elsewhere.
 * `buildFilter('trigger-event')` is `pss/v1/+/+/events/trigger`; with `{ share: 'cloud' }` it is
 * `$share/cloud/pss/v1/+/+/events/trigger`.
 */
export function buildFilter(kind: TopicKind, scope: FilterScope = {}, options: FilterOptions = {}): Result<string> {
  const issues: ValidationIssue[] = [];
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, issues: [{ path: 'kind', message: `unknown topic kind ${JSON.stringify(kind)} (known: ${TOPIC_KINDS.join(', ')})` }] };
  }
  const level = (role: SegmentRole, value: string | undefined): string => {
    if (value === undefined) return '+';
    issues.push(...segmentIssues(role, value));
    return value;
  };
  const tenant = level('tenant', scope.tenant);
  let levels: string[];
  if (isGatewayKind(kind)) {
    if (scope.resource !== undefined) issues.push({ path: 'resource', message: `is not part of a ${kind} topic` });
    levels = [TOPIC_ROOT, TOPIC_VERSION, tenant, level('gateway', scope.gateway), ...TOPIC_SPECS[kind].leaf];
  } else {
    if (scope.gateway !== undefined) issues.push({ path: 'gateway', message: `is not part of a ${kind} topic` });
    levels = [TOPIC_ROOT, TOPIC_VERSION, tenant, WORKORDERS_LEVEL, level('resource', scope.resource), ...TOPIC_SPECS[kind].leaf];
  }
  if (options.share !== undefined) {
    issues.push(...segmentIssues('group', options.share));
    levels = ['$share', options.share, ...levels];
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: levels.join('/') };
}

/** Like `buildFilter`, for configuration known to be valid: throws a ValidationError naming the bad segment. */
export function filter(kind: TopicKind, scope: FilterScope = {}, options: FilterOptions = {}): string {
  return orThrow(buildFilter(kind, scope, options), 'filter');
}

/** Splits `$share/{group}/{filter}` into its group and filter; a plain filter comes back as it is. */
export function unshare(topicFilter: string): { group?: string; filter: string } {
  if (!topicFilter.startsWith('$share/')) return { filter: topicFilter };
  const rest = topicFilter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return { filter: '' };
  return { group: rest.slice(0, slash), filter: rest.slice(slash + 1) };
}

/**
 * MQTT topic matching (MQTT 3.1.1 / 5.0 section 4.7): `+` matches one level, a trailing `#` the rest (the parent
 * too), and a wildcard never matches a first level that starts with `$` [MQTT-4.7.2-1]. A shared filter matches
 * what its inner filter matches.
 */
export function topicMatches(topicFilter: string, topicName: string): boolean {
  const inner = unshare(topicFilter).filter;
  if (inner === '' || topicName === '') return false;
  const f = inner.split('/');
  const t = topicName.split('/');
  if (t[0].startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export interface Subscription {
  kind: TopicKind;
  filter: string;
  /** Maximum QoS to request: the delivered QoS is the lower of this and the publisher's. */
  qos: Qos;
}

/**
 * What a cloud instance subscribes to. With `group`, the high-volume kinds go through shared subscriptions so that
 * several instances split the load; `status` stays a plain subscription on every instance (retained snapshot).
 */
export function cloudSubscriptions(options: { group?: string; tenant?: string } = {}): Subscription[] {
  return TOPIC_KINDS.filter((kind) => TOPIC_SPECS[kind].subscriber === 'cloud').map((kind) => {
    const spec = TOPIC_SPECS[kind];
    const share = spec.sharedInCloud ? options.group : undefined;
    return { kind, filter: filter(kind, { tenant: options.tenant }, { share }), qos: maxQos(spec) };
  });
}

/** What one edge gateway subscribes to: its close commands and the cloud's event acks. */
export function gatewaySubscriptions(tenant: string, gateway: string): Subscription[] {
  return TOPIC_KINDS.filter((kind) => TOPIC_SPECS[kind].subscriber === 'edge').map((kind) => ({
    kind,
    filter: filter(kind, { tenant, gateway }),
    qos: maxQos(TOPIC_SPECS[kind]),
  }));
}

/** What a technician's app (or an equipment's controller) subscribes to: its work orders. */
export function resourceSubscriptions(tenant: string, resource: string): Subscription[] {
  return TOPIC_KINDS.filter((kind) => TOPIC_SPECS[kind].subscriber === 'resource').map((kind) => ({
    kind,
    filter: filter(kind, { tenant, resource }),
    qos: maxQos(TOPIC_SPECS[kind]),
  }));
}

function maxQos(spec: TopicSpec): Qos {
  return spec.qosAllowed.includes(1) ? 1 : 0;
}

function orThrow<T>(result: Result<T>, what: string): T {
  if (result.ok) return result.value;
  throw new ValidationError(result.issues, `invalid ${what}`);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? text.slice(0, 120) + '…' : text);
}
