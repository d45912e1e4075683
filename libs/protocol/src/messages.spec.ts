import { Result, formatIssue } from '@pss/model';
import {
  EXAMPLES,
  EXAMPLE_LAST_WILL,
  LIMITS,
  SCHEMAS,
  SUPPORTED_SCHEMAS,
  SchemaId,
  canTransition,
  readCloseAck,
  readCloseCommand,
  readEventAck,
  readGatewayStatus,
  readMessage,
  readProgressReport,
  readTelemetryBatch,
  readTriggerEvent,
  readWorkOrder,
} from './index';

const messages = (r: Result<unknown>): string[] => (r.ok ? [] : r.issues.map(formatIssue));
const warnings = (r: Result<unknown>): string[] => (r.warnings ?? []).map(formatIssue);
/** A JSON copy of an example with `patch` applied (undefined deletes a key). */
const variant = (schema: SchemaId, patch: Record<string, unknown>): Record<string, unknown> => {
  const copy = JSON.parse(JSON.stringify(EXAMPLES[schema])) as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  }
  return copy;
};

describe('message readers', () => {
  it.each(SUPPORTED_SCHEMAS)('reads the example of %s back unchanged, without warnings', (schema) => {
    const result = readMessage(JSON.parse(JSON.stringify(EXAMPLES[schema])));
    expect(result).toEqual({ ok: true, value: EXAMPLES[schema], warnings: [] });
  });

  it('reads the last-will example', () => {
    expect(readGatewayStatus(EXAMPLE_LAST_WILL)).toEqual({ ok: true, value: EXAMPLE_LAST_WILL, warnings: [] });
  });

  it('has one reader per schema that refuses the other schemas', () => {
    const readers = [readTriggerEvent, readEventAck, readTelemetryBatch, readGatewayStatus, readCloseCommand, readCloseAck, readWorkOrder, readProgressReport];
    SUPPORTED_SCHEMAS.forEach((schema, i) => {
      readers.forEach((read, j) => {
        const result = read(EXAMPLES[schema]);
        expect(result.ok).toBe(i === j);
        if (i !== j) expect(messages(result)).toEqual([`schema: ${schema} does not belong here (expected ${SUPPORTED_SCHEMAS[j]})`]);
      });
    });
  });

  describe('schema ids', () => {
    it('rejects another major version with "unsupported schema version"', () => {
      expect(messages(readMessage(variant(SCHEMAS.triggerEvent, { schema: 'pss.trigger-event/v2' })))).toEqual([
        'schema: unsupported schema version: "pss.trigger-event/v2" (this build reads pss.trigger-event/v1)',
      ]);
      expect(messages(readTriggerEvent(variant(SCHEMAS.triggerEvent, { schema: 'pss.trigger-event/v0' })))).toEqual([
        'schema: unsupported schema version: "pss.trigger-event/v0" (this build reads pss.trigger-event/v1)',
      ]);
    });

    it.each([
      [undefined, 'schema: is required (one of: pss.trigger-event/v1, pss.event-ack/v1, pss.telemetry-batch/v1, pss.gateway-status/v1, pss.close-command/v1, pss.close-ack/v1, pss.work-order/v1, pss.progress-report/v1)'],
      [1, 'schema: must be a schema id like pss.<name>/v<major>, got number 1'],
      ['trigger-event', 'schema: must be a schema id like pss.<name>/v<major>, got the text "trigger-event"'],
      ['pss.trigger-event/1', 'schema: must be a schema id like pss.<name>/v<major>, got the text "pss.trigger-event/1"'],
      ['pss.alarm/v1', 'schema: unknown schema "pss.alarm/v1" (known: pss.trigger-event/v1, pss.event-ack/v1, pss.telemetry-batch/v1, pss.gateway-status/v1, pss.close-command/v1, pss.close-ack/v1, pss.work-order/v1, pss.progress-report/v1)'],
    ])('rejects the schema %j', (schema, expected) => {
      expect(messages(readMessage(variant(SCHEMAS.triggerEvent, { schema })))).toEqual([expected]);
    });

    it('wants a JSON object', () => {
      expect(messages(readMessage([1, 2]))).toEqual(['payload must be a JSON object, got a list']);
      expect(messages(readMessage('hello'))).toEqual(['payload must be a JSON object, got the text "hello"']);
      expect(messages(readMessage(null))).toEqual(['payload must be a JSON object, got null']);
    });
  });

  it('warns about unknown fields at any depth and still reads the message (forward compatibility)', () => {
    const batch = variant(SCHEMAS.telemetryBatch, { priority: 'high' });
    (batch.samples as Record<string, unknown>[])[1].quality = 'good';
    const result = readTelemetryBatch(batch);
    expect(result.ok).toBe(true);
    expect(result.ok && result.value).toEqual(EXAMPLES[SCHEMAS.telemetryBatch]);
    expect(warnings(result)).toEqual([
      'priority: unknown field, ignored (known: schema, tenant, gateway, seq, samples, downsampling)',
      'samples[1].quality: unknown field, ignored (known: asset, part, status, time, value)',
    ]);
  });

  describe('TriggerEvent', () => {
    it('reports every problem at once, each with its path', () => {
      const event = variant(SCHEMAS.triggerEvent, {
        id: '',
        gateway: 'gw/1',
        time: '2026-03-02T08:15:00Z',
        window: { start: 1772439300000, deadline: 1772439200000 },
        values: { 'p.a.temp': '7', 'p.a.rpm': null, speed: 3 },
        windowValues: { '': 1 },
      });
      expect(messages(readTriggerEvent(event))).toEqual([
        'id: must be a non-empty string, got the text ""',
        'gateway: must not contain "/" (the topic level separator), got "gw/1"',
        `time: must be a time in epoch milliseconds (an integer from 0 to ${LIMITS.maxTime}), got the text "2026-03-02T08:15:00Z"`,
        'window.deadline: must be >= window.start (1772439300000), got 1772439200000',
        'values.p.a.temp: must be a finite number, got the text "7"',
        'values.p.a.rpm: must be a finite number, got null',
        'values.speed: key must be a status reference <part>.<status> (like p.axle.vibration_rms)',
        'windowValues.: key must be a window-function call as written in the condition, without surrounding white space',
      ]);
    });

    it.each([
      [1772439300000.5, 'time: must be a time in epoch milliseconds (an integer from 0 to 8640000000000000), got number 1772439300000.5'],
      [-1, 'time: must be a time in epoch milliseconds (an integer from 0 to 8640000000000000), got number -1'],
      [undefined, 'time: is required'],
    ])('checks time %j', (time, expected) => {
      expect(messages(readTriggerEvent(variant(SCHEMAS.triggerEvent, { time })))).toEqual([expected]);
    });

    it('requires the window and the values', () => {
      expect(messages(readTriggerEvent(variant(SCHEMAS.triggerEvent, { window: undefined, values: undefined })))).toEqual([
        'window: is required ({start, deadline} in epoch milliseconds)',
        'values: is required',
      ]);
      expect(messages(readTriggerEvent(variant(SCHEMAS.triggerEvent, { window: [1, 2] })))).toEqual(['window: must be an object, got a list']);
    });

    it('limits the number of values', () => {
      const values = Object.fromEntries(Array.from({ length: LIMITS.maxValuesPerEvent + 1 }, (_, i) => [`p.x.s${i}`, i]));
      expect(messages(readTriggerEvent(variant(SCHEMAS.triggerEvent, { values })))).toEqual([
        `values: has ${LIMITS.maxValuesPerEvent + 1} entries, over the limit of ${LIMITS.maxValuesPerEvent} (LIMITS.maxValuesPerEvent)`,
      ]);
    });

    it('keeps a key named __proto__ an ordinary key (and rejects it as a status reference)', () => {
      const event = JSON.parse(JSON.stringify(EXAMPLES[SCHEMAS.triggerEvent]).replace('"windowValues":{', '"windowValues":{"__proto__":1,')) as unknown;
      const result = readTriggerEvent(event);
      expect(result.ok && Object.keys(result.value.windowValues ?? {})).toEqual(['__proto__', "avg(p.axle.vibration_rms, '10m')"]);
      expect(result.ok && Object.getPrototypeOf(result.value.windowValues)).toBe(Object.prototype);
      const bad = JSON.parse(JSON.stringify(EXAMPLES[SCHEMAS.triggerEvent]).replace('"values":{', '"values":{"__proto__":1,')) as unknown;
      expect(messages(readTriggerEvent(bad))).toEqual(['values.__proto__: key must be a status reference <part>.<status> (like p.axle.vibration_rms)']);
    });

    it('rejects ids with control characters, surrounding space, lone surrogates, or over the length limit', () => {
      expect(messages(readTriggerEvent(variant(SCHEMAS.triggerEvent, { asset: 'car\n17', trigger: ' ss.running', id: 'x\ud800' })))).toEqual([
        'id: must be well-formed Unicode (it has a lone surrogate)',
        'asset: must not contain control characters',
        'trigger: must not start or end with white space, got the text " ss.running"',
      ]);
      expect(messages(readTriggerEvent(variant(SCHEMAS.triggerEvent, { asset: 'a'.repeat(LIMITS.maxIdLength + 1) })))).toEqual([
        `asset: must be at most ${LIMITS.maxIdLength} characters, got ${LIMITS.maxIdLength + 1}`,
      ]);
    });
  });

  describe('TelemetryBatch', () => {
    it('names the sample and field', () => {
      const samples = [...(EXAMPLES[SCHEMAS.telemetryBatch].samples as unknown[]), { asset: 'car-0017', part: 'p.axle', status: 'temp', time: 1772439300000, value: 'hot' }, 42];
      expect(messages(readTelemetryBatch(variant(SCHEMAS.telemetryBatch, { samples, seq: -1, downsampling: { method: 'median', intervalMs: 0 } })))).toEqual([
        'seq: must be >= 0, got -1',
        'samples[3].value: must be a finite number, got the text "hot"',
        'samples[4]: must be an object, got number 42',
        'samples[4].asset: is required',
        'samples[4].part: is required',
        'samples[4].status: is required',
        'samples[4].time: is required',
        'samples[4].value: is required',
        'downsampling.method: must be one of avg, min, max, last, got the text "median"',
        'downsampling.intervalMs: must be >= 1, got 0',
      ]);
    });

    it('needs at least one sample and at most LIMITS.maxSamplesPerBatch', () => {
      expect(messages(readTelemetryBatch(variant(SCHEMAS.telemetryBatch, { samples: [] })))).toEqual(['samples: must have at least 1 sample']);
      const many = Array.from({ length: LIMITS.maxSamplesPerBatch + 1 }, () => EXAMPLES[SCHEMAS.telemetryBatch].samples[0]);
      expect(messages(readTelemetryBatch(variant(SCHEMAS.telemetryBatch, { samples: many })))).toEqual([
        `samples: has ${LIMITS.maxSamplesPerBatch + 1} samples, over the limit of ${LIMITS.maxSamplesPerBatch} (LIMITS.maxSamplesPerBatch)`,
      ]);
      expect(readTelemetryBatch(variant(SCHEMAS.telemetryBatch, { samples: many.slice(1) })).ok).toBe(true);
    });
  });

  describe('GatewayStatus', () => {
    it('requires the spool depth online and a reason only offline', () => {
      expect(messages(readGatewayStatus(variant(SCHEMAS.gatewayStatus, { spoolDepth: undefined, reason: 'shutdown' })))).toEqual([
        'spoolDepth: is required when state is online',
        'reason: is only for state offline',
      ]);
      expect(readGatewayStatus(variant(SCHEMAS.gatewayStatus, { state: 'offline', spoolDepth: undefined, reason: 'shutdown' })).ok).toBe(true);
      expect(messages(readGatewayStatus(variant(SCHEMAS.gatewayStatus, { state: 'sleeping', spoolDepth: 1.5 })))).toEqual([
        'state: must be one of online, offline, got the text "sleeping"',
        'spoolDepth: must be an integer, got number 1.5',
      ]);
    });
  });

  describe('CloseCommand and acks', () => {
    it('requires the event of a close command', () => {
      expect(messages(readCloseCommand(variant(SCHEMAS.closeCommand, { event: undefined })))).toEqual(['event: is required']);
    });

    it('wants 1 to LIMITS.maxIdsPerAck distinct ids', () => {
      expect(messages(readEventAck(variant(SCHEMAS.eventAck, { ids: ['a', 'b', 'a'] })))).toEqual(['ids[2]: duplicate id "a" (first at ids[0])']);
      expect(messages(readCloseAck(variant(SCHEMAS.closeAck, { ids: [] })))).toEqual(['ids: must have at least 1 id']);
      const many = Array.from({ length: LIMITS.maxIdsPerAck + 1 }, (_, i) => `e${i}`);
      expect(messages(readCloseAck(variant(SCHEMAS.closeAck, { ids: many })))).toEqual([
        `ids: has ${LIMITS.maxIdsPerAck + 1} ids, over the limit of ${LIMITS.maxIdsPerAck} (LIMITS.maxIdsPerAck)`,
      ]);
      expect(messages(readEventAck(variant(SCHEMAS.eventAck, { ids: ['ok', 7] })))).toEqual(['ids[1]: must be a non-empty string, got number 7']);
    });
  });

  describe('WorkOrderMessage', () => {
    it('checks version, state, interval and resources', () => {
      const order = variant(SCHEMAS.workOrder, {
        version: 0,
        state: 'open',
        interval: { start: 1772451000000, end: 1772442000000 },
        resources: ['pr.li', 'status', 'pr.li', 'pr/x'],
        note: 'x'.repeat(LIMITS.maxNoteLength + 1),
      });
      expect(messages(readWorkOrder(order))).toEqual([
        'version: must be >= 1, got 0',
        'state: must be one of assigned, accepted, in_progress, done, failed, cancelled, got the text "open"',
        'interval.end: must be >= interval.start (1772451000000), got 1772442000000',
        'resources[1]: "status" is reserved (pss/v1/+/+/status subscribes to every gateway\'s status)',
        'resources[3]: must not contain "/" (the topic level separator), got "pr/x"',
        'resources[2]: duplicate resource "pr.li" (first at resources[0])',
        `note: must be at most ${LIMITS.maxNoteLength} characters, got ${LIMITS.maxNoteLength + 1}`,
      ]);
    });

    it('makes event and note optional', () => {
      const order = variant(SCHEMAS.workOrder, { event: undefined, note: undefined });
      expect(readWorkOrder(order)).toEqual({ ok: true, value: order, warnings: [] });
    });
  });

  describe('ProgressReport', () => {
    it('allows only the transitions of a work order', () => {
      expect(canTransition('assigned', 'accepted')).toBe(true);
      expect(canTransition('in_progress', 'done')).toBe(true);
      expect(canTransition('assigned', 'done')).toBe(false);
      expect(messages(readProgressReport(variant(SCHEMAS.progressReport, { to: 'done' })))).toEqual([
        'to: assigned → done is not a valid transition (from assigned: accepted, failed)',
      ]);
      expect(messages(readProgressReport(variant(SCHEMAS.progressReport, { from: 'done', to: 'cancelled' })))).toEqual([
        'from: must be one of assigned, accepted, in_progress, got the text "done"',
        'to: must be one of accepted, in_progress, done, failed, got the text "cancelled"',
      ]);
    });
  });
});
