// fast-check arbitraries of valid protocol messages and topic addresses.
import fc from 'fast-check';
import {
  CloseAck,
  CloseCommand,
  DOWNSAMPLING_METHODS,
  Downsampling,
  EventAck,
  GATEWAY_TOPIC_KINDS,
  GatewayStatus,
  LIMITS,
  Message,
  OFFLINE_REASONS,
  PROGRESS_TRANSITIONS,
  ProgressFromState,
  ProgressReport,
  RESERVED_GATEWAY_IDS,
  RESERVED_RESOURCE_IDS,
  RESOURCE_TOPIC_KINDS,
  SCHEMAS,
  TelemetryBatch,
  TelemetrySample,
  TopicAddress,
  TriggerEvent,
  WORK_ORDER_STATES,
  WorkOrderMessage,
  hasControlCharacter,
} from '../src';

const segmentChars = /^[A-Za-z0-9._-]{1,64}$/;
/** Segments named like the tree's own levels: where an ambiguous layout would show. */
const tricky = fc.constantFrom('pss', 'v1', 'events', 'trigger', 'ack', 'telemetry', 'status', 'commands', 'close', 'workorders', 'progress', '.', '..');
export const tenant = fc.oneof(fc.constantFrom('acme', 't1', 'a.b-c_d'), tricky, fc.stringMatching(segmentChars));
export const gateway = fc.oneof(fc.constantFrom('gw-1', 'gw-depot-1'), tricky, fc.stringMatching(segmentChars)).filter((g) => !RESERVED_GATEWAY_IDS.includes(g));
export const resource = fc.oneof(fc.constantFrom('pr.li', 'pr.wang', 'er.lift-2'), tricky, fc.stringMatching(segmentChars)).filter((r) => !RESERVED_RESOURCE_IDS.includes(r));

// Unicode is welcome in payload ids (not in topic segments): no control characters, no surrounding space.
const unicodeId = fc
  .string({ minLength: 1, maxLength: 24, unit: 'grapheme' })
  .filter((s) => s.trim() === s && !hasControlCharacter(s) && s.length <= LIMITS.maxIdLength);
export const entityId = fc.oneof(fc.stringMatching(/^[a-z]{1,3}\.[a-z_-]{1,12}$/), fc.stringMatching(/^[a-z]{3}-\d{4}$/), unicodeId);
export const messageId = fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9:._-]{1,80}$/), unicodeId);
export const time = fc.oneof(fc.integer({ min: 0, max: LIMITS.maxTime }), fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }));
/** Any finite double but -0 (JSON writes -0 as 0). */
export const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const count = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

const statusRef = fc.stringMatching(/^[a-z]{1,3}(\.[a-z_]{1,10}){1,2}\.[a-z_]{1,12}$/);
const windowKey = fc.oneof(
  fc.tuple(fc.constantFrom('avg', 'min', 'max', 'delta', 'rate', 'count'), statusRef, fc.constantFrom('10m', '1h', '30s')).map(([f, ref, d]) => `${f}(${ref}, '${d}')`),
  unicodeId,
);

const interval = fc.tuple(time, fc.integer({ min: 0, max: 10 * 24 * 3_600_000 })).map(([start, length]) => ({ start, end: Math.min(start + length, LIMITS.maxTime) }));

export const triggerEvent: fc.Arbitrary<TriggerEvent> = fc
  .record(
    {
      id: messageId,
      tenant,
      gateway,
      asset: entityId,
      trigger: entityId,
      time,
      window: interval.map(({ start, end }) => ({ start, deadline: end })),
      values: fc.dictionary(statusRef, finite, { maxKeys: 8, noNullPrototype: true }),
      windowValues: fc.dictionary(windowKey, finite, { minKeys: 1, maxKeys: 4, noNullPrototype: true }),
    },
    { requiredKeys: ['id', 'tenant', 'gateway', 'asset', 'trigger', 'time', 'window', 'values'] },
  )
  .map((e) => ({ schema: SCHEMAS.triggerEvent, ...e }));

const sample: fc.Arbitrary<TelemetrySample> = fc.record({ asset: entityId, part: entityId, status: entityId, time, value: finite });
const downsampling: fc.Arbitrary<Downsampling> = fc.record(
  { method: fc.constantFrom(...DOWNSAMPLING_METHODS), intervalMs: fc.integer({ min: 1, max: 86_400_000 }), sourceSamples: count },
  { requiredKeys: ['method', 'intervalMs'] },
);

export const telemetryBatch: fc.Arbitrary<TelemetryBatch> = fc
  .record(
    { tenant, gateway, seq: count, samples: fc.array(sample, { minLength: 1, maxLength: 20 }), downsampling },
    { requiredKeys: ['tenant', 'gateway', 'seq', 'samples'] },
  )
  .map((b) => ({ schema: SCHEMAS.telemetryBatch, ...b }));

const version = fc.stringMatching(/^\d{1,2}\.\d{1,2}\.\d{1,2}(-[a-z0-9]{1,8})?$/);
export const gatewayStatus: fc.Arbitrary<GatewayStatus> = fc.oneof(
  fc.record({ tenant, gateway, session: messageId, version, startedAt: time, time, spoolDepth: count }).map((s) => ({ schema: SCHEMAS.gatewayStatus, state: 'online' as const, ...s })),
  fc
    .record(
      { tenant, gateway, session: messageId, version, startedAt: time, time, spoolDepth: count, reason: fc.constantFrom(...OFFLINE_REASONS) },
      { requiredKeys: ['tenant', 'gateway', 'session', 'version', 'startedAt', 'time'] },
    )
    .map((s) => ({ schema: SCHEMAS.gatewayStatus, state: 'offline' as const, ...s })),
);

export const closeCommand: fc.Arbitrary<CloseCommand> = fc
  .record({ tenant, gateway, event: messageId, asset: entityId, trigger: entityId, time })
  .map((c) => ({ schema: SCHEMAS.closeCommand, ...c }));

const ackFields = fc.record({ tenant, gateway, ids: fc.uniqueArray(messageId, { minLength: 1, maxLength: 20 }), time });
export const eventAck: fc.Arbitrary<EventAck> = ackFields.map((a) => ({ schema: SCHEMAS.eventAck, ...a }));
export const closeAck: fc.Arbitrary<CloseAck> = ackFields.map((a) => ({ schema: SCHEMAS.closeAck, ...a }));

const note = fc.string({ maxLength: 200, unit: 'grapheme' });
export const workOrder: fc.Arbitrary<WorkOrderMessage> = fc
  .record(
    {
      tenant,
      id: messageId,
      version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      state: fc.constantFrom(...WORK_ORDER_STATES),
      asset: entityId,
      trigger: entityId,
      event: messageId,
      activity: entityId,
      interval,
      resources: fc.uniqueArray(resource, { minLength: 1, maxLength: 5 }),
      note,
    },
    { requiredKeys: ['tenant', 'id', 'version', 'state', 'asset', 'trigger', 'activity', 'interval', 'resources'] },
  )
  .map((w) => ({ schema: SCHEMAS.workOrder, ...w }));

const transition = fc.constantFrom(...(Object.entries(PROGRESS_TRANSITIONS) as [ProgressFromState, readonly ProgressReport['to'][]][]).flatMap(([from, tos]) => tos.map((to) => ({ from, to }))));
export const progressReport: fc.Arbitrary<ProgressReport> = fc
  .record(
    { tenant, workOrder: messageId, resource, version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), transition, time, note },
    { requiredKeys: ['tenant', 'workOrder', 'resource', 'version', 'transition', 'time'] },
  )
  .map(({ transition: t, ...p }) => ({ schema: SCHEMAS.progressReport, ...p, from: t.from, to: t.to }));

export const message: fc.Arbitrary<Message> = fc.oneof(triggerEvent, eventAck, telemetryBatch, gatewayStatus, closeCommand, closeAck, workOrder, progressReport);

export const address: fc.Arbitrary<TopicAddress> = fc.oneof(
  fc.record({ kind: fc.constantFrom(...GATEWAY_TOPIC_KINDS), tenant, gateway }),
  fc.record({ kind: fc.constantFrom(...RESOURCE_TOPIC_KINDS), tenant, resource }),
);
