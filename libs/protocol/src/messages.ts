// Readers for every message schema: untyped JSON value -> Result<typed message> with every issue found, named by
// path (`samples[3].value: must be a finite number, got the text "7"`). Unknown fields are warnings, a top-level
// `pattern` or `data` is an error, and a schema id of another major version is "unsupported schema version".
import { IssueCollector, Result, describe, isRecord, joinPath } from '@pss/model';
import { PayloadReader, checkStatusRef, checkWindowKey } from './fields';
import { LIMITS } from './limits';
import {
  CloseCommand,
  DOWNSAMPLING_METHODS,
  Downsampling,
  GATEWAY_STATES,
  GatewayStatus,
  Message,
  MessageOf,
  OFFLINE_REASONS,
  PROGRESS_FROM_STATES,
  PROGRESS_STATES,
  RESERVED_TOP_LEVEL_KEYS,
  ProgressFromState,
  ProgressReport,
  ProgressState,
  SCHEMAS,
  SchemaId,
  TelemetryBatch,
  TelemetrySample,
  TriggerEvent,
  WORK_ORDER_STATES,
  WorkOrderMessage,
} from './types';

export const SUPPORTED_SCHEMAS: readonly SchemaId[] = Object.values(SCHEMAS);

const SCHEMA_FORMAT = /^pss\.([a-z][a-z0-9-]*)\/v(\d+)$/;

/** The schema name of an id: `pss.trigger-event/v1` → `trigger-event`. */
function schemaName(id: string): string | undefined {
  return SCHEMA_FORMAT.exec(id)?.[1];
}

const SUPPORTED_BY_NAME = new Map<string, SchemaId>(SUPPORTED_SCHEMAS.map((id) => [schemaName(id)!, id]));

/**
 * Checks a payload's `schema` field. `expected` (from the topic) restricts the schemas accepted. Returns the schema
 * id when this build reads it.
 */
export function checkSchema(obj: Record<string, unknown>, issues: IssueCollector, expected: readonly SchemaId[] = SUPPORTED_SCHEMAS): SchemaId | undefined {
  const value = obj.schema;
  if (value === undefined) {
    issues.add('schema', `is required (one of: ${expected.join(', ')})`);
    return undefined;
  }
  if (typeof value !== 'string') {
    issues.add('schema', `must be a schema id like pss.<name>/v<major>, got ${describe(value)}`);
    return undefined;
  }
  const name = schemaName(value);
  if (name === undefined) {
    issues.add('schema', `must be a schema id like pss.<name>/v<major>, got ${describe(value)}`);
    return undefined;
  }
  const supported = SUPPORTED_BY_NAME.get(name);
  if (supported === undefined) {
    issues.add('schema', `unknown schema ${JSON.stringify(value)} (known: ${SUPPORTED_SCHEMAS.join(', ')})`);
    return undefined;
  }
  if (supported !== value) {
    issues.add('schema', `unsupported schema version: ${JSON.stringify(value)} (this build reads ${supported})`);
    return undefined;
  }
  if (!expected.includes(supported)) {
    issues.add('schema', `${supported} does not belong here (expected ${expected.join(' or ')})`);
    return undefined;
  }
  return supported;
}

type BodyReader<T> = (r: PayloadReader, obj: Record<string, unknown>) => T;

/** The fields of each schema, in order; any other field is reported as a warning and ignored. */
export const SCHEMA_FIELDS: Readonly<Record<SchemaId, readonly string[]>> = {
  [SCHEMAS.triggerEvent]: ['schema', 'id', 'tenant', 'gateway', 'asset', 'trigger', 'time', 'window', 'values', 'windowValues'],
  [SCHEMAS.eventAck]: ['schema', 'tenant', 'gateway', 'ids', 'time'],
  [SCHEMAS.telemetryBatch]: ['schema', 'tenant', 'gateway', 'seq', 'samples', 'downsampling'],
  [SCHEMAS.gatewayStatus]: ['schema', 'tenant', 'gateway', 'state', 'session', 'version', 'startedAt', 'time', 'spoolDepth', 'reason'],
  [SCHEMAS.closeCommand]: ['schema', 'tenant', 'gateway', 'event', 'asset', 'trigger', 'time'],
  [SCHEMAS.closeAck]: ['schema', 'tenant', 'gateway', 'ids', 'time'],
  [SCHEMAS.workOrder]: ['schema', 'tenant', 'id', 'version', 'state', 'asset', 'trigger', 'event', 'activity', 'interval', 'resources', 'note'],
  [SCHEMAS.progressReport]: ['schema', 'tenant', 'workOrder', 'resource', 'version', 'from', 'to', 'time', 'note'],
};

const MAX_VERSION = Number.MAX_SAFE_INTEGER;

function readTriggerEventBody(r: PayloadReader, o: Record<string, unknown>): TriggerEvent {
  const event: TriggerEvent = {
    schema: SCHEMAS.triggerEvent,
    id: r.messageId(o, 'id', ''),
    tenant: r.segment(o, 'tenant', '', 'tenant'),
    gateway: r.segment(o, 'gateway', '', 'gateway'),
    asset: r.id(o, 'asset', ''),
    trigger: r.id(o, 'trigger', ''),
    time: r.time(o, 'time', ''),
    window: readWindow(r, o.window, 'window'),
    values: r.numberMap(o, 'values', '', { maxEntries: LIMITS.maxValuesPerEvent, limit: 'LIMITS.maxValuesPerEvent', checkKey: checkStatusRef }),
  };
  if (o.windowValues !== undefined) {
    const rule = { maxEntries: LIMITS.maxValuesPerEvent, limit: 'LIMITS.maxValuesPerEvent', checkKey: checkWindowKey };
    event.windowValues = r.numberMap(o, 'windowValues', '', rule);
  }
  return event;
}

function readWindow(r: PayloadReader, value: unknown, path: string): TriggerEvent['window'] {
  if (value === undefined) {
    r.issues.add(path, 'is required ({start, deadline} in epoch milliseconds)');
    return { start: 0, deadline: 0 };
  }
  const o = r.object(value, path);
  if (!o) return { start: 0, deadline: 0 };
  r.knownKeys(o, path, ['start', 'deadline']);
  const window = { start: r.time(o, 'start', path), deadline: r.time(o, 'deadline', path) };
  if (window.deadline < window.start) r.issues.add(joinPath(path, 'deadline'), `must be >= ${path}.start (${window.start}), got ${window.deadline}`);
  return window;
}

function readSample(r: PayloadReader, value: unknown, path: string): TelemetrySample {
  const o = r.object(value, path) ?? {};
  if (isRecord(value)) r.knownKeys(o, path, ['asset', 'part', 'status', 'time', 'value']);
  return {
    asset: r.id(o, 'asset', path),
    part: r.id(o, 'part', path),
    status: r.id(o, 'status', path),
    time: r.time(o, 'time', path),
    value: r.number(o, 'value', path),
  };
}

function readDownsampling(r: PayloadReader, value: unknown, path: string): Downsampling | undefined {
  const o = r.object(value, path);
  if (!o) return undefined;
  r.knownKeys(o, path, ['method', 'intervalMs', 'sourceSamples']);
  const result: Downsampling = {
    method: r.oneOf(o, 'method', path, DOWNSAMPLING_METHODS),
    intervalMs: r.integer(o, 'intervalMs', path, { min: 1, max: LIMITS.maxTime }),
  };
  const sourceSamples = r.optionalInteger(o, 'sourceSamples', path, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (sourceSamples !== undefined) result.sourceSamples = sourceSamples;
  return result;
}

function readTelemetryBatchBody(r: PayloadReader, o: Record<string, unknown>): TelemetryBatch {
  const batch: TelemetryBatch = {
    schema: SCHEMAS.telemetryBatch,
    tenant: r.segment(o, 'tenant', '', 'tenant'),
    gateway: r.segment(o, 'gateway', '', 'gateway'),
    seq: r.integer(o, 'seq', '', { min: 0, max: Number.MAX_SAFE_INTEGER }),
    samples: r
      .list(o, 'samples', '', { min: 1, max: LIMITS.maxSamplesPerBatch, what: 'samples', limit: 'LIMITS.maxSamplesPerBatch' })
      .map((item, i) => readSample(r, item, joinPath('samples', i))),
  };
  if (o.downsampling !== undefined) {
    const downsampling = readDownsampling(r, o.downsampling, 'downsampling');
    if (downsampling) batch.downsampling = downsampling;
  }
  return batch;
}

function readGatewayStatusBody(r: PayloadReader, o: Record<string, unknown>): GatewayStatus {
  const status: GatewayStatus = {
    schema: SCHEMAS.gatewayStatus,
    tenant: r.segment(o, 'tenant', '', 'tenant'),
    gateway: r.segment(o, 'gateway', '', 'gateway'),
    state: r.oneOf(o, 'state', '', GATEWAY_STATES),
    session: r.messageId(o, 'session', ''),
    version: r.id(o, 'version', '', LIMITS.maxVersionLength),
    startedAt: r.time(o, 'startedAt', ''),
    time: r.time(o, 'time', ''),
  };
  const spoolDepth = r.optionalInteger(o, 'spoolDepth', '', { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (spoolDepth !== undefined) status.spoolDepth = spoolDepth;
  else if (o.state === 'online') r.issues.add('spoolDepth', 'is required when state is online');
  const reason = r.optionalOneOf(o, 'reason', '', OFFLINE_REASONS);
  if (reason !== undefined) {
    if (o.state === 'online') r.issues.add('reason', 'is only for state offline');
    status.reason = reason;
  }
  return status;
}

function readCloseCommandBody(r: PayloadReader, o: Record<string, unknown>): CloseCommand {
  return {
    schema: SCHEMAS.closeCommand,
    tenant: r.segment(o, 'tenant', '', 'tenant'),
    gateway: r.segment(o, 'gateway', '', 'gateway'),
    event: r.messageId(o, 'event', ''),
    asset: r.id(o, 'asset', ''),
    trigger: r.id(o, 'trigger', ''),
    time: r.time(o, 'time', ''),
  };
}

type AckSchema = typeof SCHEMAS.eventAck | typeof SCHEMAS.closeAck;

function readAckBody<S extends AckSchema>(schema: S): BodyReader<{ schema: S; tenant: string; gateway: string; ids: string[]; time: number }> {
  return (r, o) => {
    const ids = r
      .list(o, 'ids', '', { min: 1, max: LIMITS.maxIdsPerAck, what: 'ids', limit: 'LIMITS.maxIdsPerAck' })
      .map((item, i) => r.checkId(item, joinPath('ids', i), LIMITS.maxMessageIdLength));
    r.unique(ids, 'ids', 'id');
    return {
      schema,
      tenant: r.segment(o, 'tenant', '', 'tenant'),
      gateway: r.segment(o, 'gateway', '', 'gateway'),
      ids,
      time: r.time(o, 'time', ''),
    };
  };
}

function readWorkOrderBody(r: PayloadReader, o: Record<string, unknown>): WorkOrderMessage {
  const tenant = r.segment(o, 'tenant', '', 'tenant');
  const id = r.messageId(o, 'id', '');
  const version = r.integer(o, 'version', '', { min: 1, max: MAX_VERSION });
  const state = r.oneOf(o, 'state', '', WORK_ORDER_STATES);
  const asset = r.id(o, 'asset', '');
  const trigger = r.id(o, 'trigger', '');
  const event = r.optionalId(o, 'event', '', LIMITS.maxMessageIdLength);
  const activity = r.id(o, 'activity', '');
  const interval = readInterval(r, o.interval, 'interval');
  const resources = r
    .list(o, 'resources', '', { min: 1, max: LIMITS.maxResourcesPerWorkOrder, what: 'resources', limit: 'LIMITS.maxResourcesPerWorkOrder' })
    .map((item, i) => r.checkSegmentValue(item, joinPath('resources', i), 'resource'));
  r.unique(resources, 'resources', 'resource');
  const note = r.optionalText(o, 'note', '', LIMITS.maxNoteLength);
  return {
    schema: SCHEMAS.workOrder,
    tenant,
    id,
    version,
    state,
    asset,
    trigger,
    ...(event !== undefined && { event }),
    activity,
    interval,
    resources,
    ...(note !== undefined && { note }),
  };
}

function readInterval(r: PayloadReader, value: unknown, path: string): WorkOrderMessage['interval'] {
  if (value === undefined) {
    r.issues.add(path, 'is required ({start, end} in epoch milliseconds)');
    return { start: 0, end: 0 };
  }
  const o = r.object(value, path);
  if (!o) return { start: 0, end: 0 };
  r.knownKeys(o, path, ['start', 'end']);
  const interval = { start: r.time(o, 'start', path), end: r.time(o, 'end', path) };
  if (interval.end < interval.start) r.issues.add(joinPath(path, 'end'), `must be >= ${path}.start (${interval.start}), got ${interval.end}`);
  return interval;
}

/** The state transitions a progress report may make. */
export const PROGRESS_TRANSITIONS: Readonly<Record<ProgressFromState, readonly ProgressState[]>> = {
  assigned: ['accepted', 'failed'],
  accepted: ['in_progress', 'failed'],
  in_progress: ['done', 'failed'],
};

export function canTransition(from: ProgressFromState, to: ProgressState): boolean {
  return PROGRESS_TRANSITIONS[from].includes(to);
}

function readProgressReportBody(r: PayloadReader, o: Record<string, unknown>): ProgressReport {
  const report: ProgressReport = {
    schema: SCHEMAS.progressReport,
    tenant: r.segment(o, 'tenant', '', 'tenant'),
    workOrder: r.messageId(o, 'workOrder', ''),
    resource: r.segment(o, 'resource', '', 'resource'),
    version: r.integer(o, 'version', '', { min: 1, max: MAX_VERSION }),
    from: r.oneOf(o, 'from', '', PROGRESS_FROM_STATES),
    to: r.oneOf(o, 'to', '', PROGRESS_STATES),
    time: r.time(o, 'time', ''),
  };
  if (o.from === report.from && o.to === report.to && !canTransition(report.from, report.to)) {
    r.issues.add('to', `${report.from} → ${report.to} is not a valid transition (from ${report.from}: ${PROGRESS_TRANSITIONS[report.from].join(', ')})`);
  }
  const note = r.optionalText(o, 'note', '', LIMITS.maxNoteLength);
  if (note !== undefined) report.note = note;
  return report;
}

const BODY_READERS: { [S in SchemaId]: BodyReader<MessageOf<S>> } = {
  [SCHEMAS.triggerEvent]: readTriggerEventBody,
  [SCHEMAS.eventAck]: readAckBody(SCHEMAS.eventAck),
  [SCHEMAS.telemetryBatch]: readTelemetryBatchBody,
  [SCHEMAS.gatewayStatus]: readGatewayStatusBody,
  [SCHEMAS.closeCommand]: readCloseCommandBody,
  [SCHEMAS.closeAck]: readAckBody(SCHEMAS.closeAck),
  [SCHEMAS.workOrder]: readWorkOrderBody,
  [SCHEMAS.progressReport]: readProgressReportBody,
};

/**
 * Reads any message by its `schema` field (restricted to `expected` when given); never throws. Top-level issues
 * have paths relative to the payload (`samples[3].value`, `schema`, or '' for the payload itself).
 */
export function readMessage(value: unknown, expected: readonly SchemaId[] = SUPPORTED_SCHEMAS): Result<Message> {
  const issues = new IssueCollector();
  const r = new PayloadReader(issues);
  if (!isRecord(value)) {
    issues.add('', `payload must be a JSON object, got ${describe(value)}`);
    return issues.result<Message>(undefined);
  }
  r.reservedKeys(value);
  const schema = checkSchema(value, issues, expected);
  if (schema === undefined) return issues.result<Message>(undefined);
  // A reserved key is already an error; do not also warn about it.
  r.knownKeys(value, '', SCHEMA_FIELDS[schema], RESERVED_TOP_LEVEL_KEYS);
  const message = (BODY_READERS[schema] as BodyReader<Message>)(r, value);
  return issues.result(message);
}

function readerFor<S extends SchemaId>(schema: S): (value: unknown) => Result<MessageOf<S>> {
  return (value) => readMessage(value, [schema]) as Result<MessageOf<S>>;
}

export const readTriggerEvent = readerFor(SCHEMAS.triggerEvent);
export const readEventAck = readerFor(SCHEMAS.eventAck);
export const readTelemetryBatch = readerFor(SCHEMAS.telemetryBatch);
export const readGatewayStatus = readerFor(SCHEMAS.gatewayStatus);
export const readCloseCommand = readerFor(SCHEMAS.closeCommand);
export const readCloseAck = readerFor(SCHEMAS.closeAck);
export const readWorkOrder = readerFor(SCHEMAS.workOrder);
export const readProgressReport = readerFor(SCHEMAS.progressReport);
