import fc from 'fast-check';
import { Result, ValidationError, formatIssue } from '@pss/model';
import {
  EXAMPLES,
  EXAMPLE_LAST_WILL,
  LIMITS,
  Message,
  SCHEMAS,
  SUPPORTED_SCHEMAS,
  TelemetryBatch,
  TopicAddress,
  decode,
  decodePayload,
  decodeValue,
  encode,
  invalidUtf8At,
  lastWill,
  parsePayload,
  toPublications,
  topic,
  tryEncode,
} from './index';
import { address, message } from '../test/arbitraries';

const messages = (r: Result<unknown>): string[] => (r.ok ? [] : r.issues.map(formatIssue));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const json = (value: unknown): Uint8Array => utf8(JSON.stringify(value));
const topicOf = (m: Message): string => {
  const p = toPublications(m);
  if (!p.ok) throw new Error(messages(p).join('\n'));
  return p.value[0].topic;
};

/** A decode outcome is always a well-formed Result, and never the guard's last-resort message. */
function expectResult(result: Result<Message>): void {
  expect(typeof result.ok).toBe('boolean');
  if (result.ok) expect(SUPPORTED_SCHEMAS).toContain(result.value.schema);
  else {
    expect(result.issues.length).toBeGreaterThan(0);
    for (const issue of result.issues) {
      expect(typeof issue.path).toBe('string');
      expect(typeof issue.message).toBe('string');
      expect(issue.message).not.toMatch(/^could not decode/);
    }
  }
}

describe('encode / decode', () => {
  it.each(SUPPORTED_SCHEMAS)('round-trips the %s example on its topic', (schema) => {
    const example = EXAMPLES[schema];
    const publications = toPublications(example);
    expect(publications.ok).toBe(true);
    if (!publications.ok) return;
    for (const p of publications.value) expect(decode(p.topic, p.payload)).toEqual({ ok: true, value: example, warnings: [] });
    expect(decodePayload(encode(example))).toEqual({ ok: true, value: example, warnings: [] });
  });

  it('writes plain UTF-8 JSON', () => {
    const bytes = encode(EXAMPLES[SCHEMAS.closeCommand]);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(EXAMPLES[SCHEMAS.closeCommand]);
  });

  it('decode(encode(m)) == m for random valid messages, on every topic the message goes to (property)', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodePayload(encode(m))).toEqual({ ok: true, value: m, warnings: [] });
        const publications = toPublications(m);
        expect(publications.ok).toBe(true);
        if (publications.ok) for (const p of publications.value) expect(decode(p.topic, p.payload)).toEqual({ ok: true, value: m, warnings: [] });
      }),
      { numRuns: 500 },
    );
  });

  it('rejects another schema version with "unsupported schema version"', () => {
    const v2 = { ...EXAMPLES[SCHEMAS.triggerEvent], schema: 'pss.trigger-event/v2' };
    expect(messages(decode('pss/v1/acme/gw-depot-1/events/trigger', json(v2)))).toEqual([
      'schema: unsupported schema version: "pss.trigger-event/v2" (this build reads pss.trigger-event/v1)',
    ]);
  });

  it('rejects a schema that does not belong on the topic', () => {
    expect(messages(decode('pss/v1/acme/gw-depot-1/events/trigger', encode(EXAMPLES[SCHEMAS.telemetryBatch])))).toEqual([
      'schema: pss.telemetry-batch/v1 does not belong here (expected pss.trigger-event/v1)',
    ]);
  });

  it('rejects a payload that disagrees with its topic', () => {
    const event = encode(EXAMPLES[SCHEMAS.triggerEvent]);
    expect(messages(decode('pss/v1/other/gw-depot-1/events/trigger', event))).toEqual(['tenant: "acme" does not match the topic\'s tenant "other"']);
    expect(messages(decode('pss/v1/acme/gw-9/events/trigger', event))).toEqual(['gateway: "gw-depot-1" does not match the topic\'s gateway "gw-9"']);
    expect(messages(decode('pss/v1/acme/workorders/pr.zhao', encode(EXAMPLES[SCHEMAS.workOrder])))).toEqual(['resources: does not include the topic\'s resource "pr.zhao"']);
    expect(messages(decode('pss/v1/acme/workorders/pr.wang/progress', encode(EXAMPLES[SCHEMAS.progressReport])))).toEqual([
      'resource: "pr.li" does not match the topic\'s resource "pr.wang"',
    ]);
  });

  it('names the topic segment when the topic is wrong, before reading the payload', () => {
    expect(messages(decode('pss/v1/acme/gw+1/status', utf8('not even json')))).toEqual(['topic.gateway: must not contain "+" (an MQTT wildcard), got "gw+1"']);
    expect(messages(decode('pss/v2/acme/gw-1/status', encode(EXAMPLES[SCHEMAS.gatewayStatus])))).toEqual(['topic: unsupported topic version v2 (this build speaks v1)']);
  });

  it('rejects invalid UTF-8 with the offending byte and offset', () => {
    const bytes = utf8('{"schema":"pss.close-command/v1","event":"xx"}');
    bytes[41] = 0xff;
    expect(messages(decodePayload(bytes))).toEqual(['payload is not valid UTF-8: byte 0xff at offset 41 does not fit']);
    expect(messages(decodePayload(Uint8Array.from([0x7b, 0xc0, 0x80, 0x7d])))).toEqual(['payload is not valid UTF-8: byte 0xc0 at offset 1 does not fit']); // overlong NUL
    expect(messages(decodePayload(Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22])))).toEqual(['payload is not valid UTF-8: byte 0xa0 at offset 2 does not fit']); // a surrogate
    expect(messages(decodePayload(Uint8Array.from([0x22, 0xe2, 0x82])))).toEqual(['payload is not valid UTF-8: byte 0xe2 at offset 1 does not fit']); // truncated
  });

  it('agrees with a strict UTF-8 decoder on what is valid (property)', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const valid = (bytes: Uint8Array): boolean => {
      try {
        strict.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    const nearUtf8 = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0x80, 0xbf, 0xa0, 0x90, 0x8f)), { maxLength: 12 }).map((a) => Uint8Array.from(a));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 16 }), nearUtf8, fc.string({ unit: 'binary' }).map(utf8)), (bytes) => expect(invalidUtf8At(bytes) === -1).toBe(valid(bytes))), { numRuns: 2000 });
  });

  it('rejects invalid JSON with its line and column', () => {
    expect(messages(decodePayload(utf8('{"schema": "pss.close-command/v1",\n  "event": }')))).toEqual([expect.stringMatching(/^payload is invalid JSON: .* at line 2, column 12$/)]);
    expect(messages(decode('pss/v1/acme/gw-1/telemetry', utf8('temperature=7')))).toEqual([expect.stringMatching(/^payload is invalid JSON: .* at line 1, column 1$/)]);
  });

  it('rejects empty and oversized payloads', () => {
    expect(messages(decodePayload(new Uint8Array(0)))).toEqual(['payload is empty (an empty retained message clears the topic; there is nothing to read)']);
    const big = new Uint8Array(LIMITS.maxPayloadBytes + 1).fill(0x20);
    expect(messages(decodePayload(big))).toEqual([`payload is ${LIMITS.maxPayloadBytes + 1} bytes, over the limit of ${LIMITS.maxPayloadBytes} bytes (LIMITS.maxPayloadBytes)`]);
  });

  it('accepts a payload parsed by the transport (the NestJS MQTT transport hands handlers parsed JSON)', () => {
    const status = JSON.parse(JSON.stringify(EXAMPLES[SCHEMAS.gatewayStatus])) as unknown;
    expect(decodeValue('pss/v1/acme/gw-depot-1/status', status)).toEqual({ ok: true, value: EXAMPLES[SCHEMAS.gatewayStatus], warnings: [] });
    // When JSON.parse fails, the transport passes the raw text on.
    expect(messages(decodeValue('pss/v1/acme/gw-depot-1/status', 'online'))).toEqual(['payload must be a JSON object, got the text "online"']);
  });

  it('ignores a UTF-8 byte order mark, as RFC 8259 allows', () => {
    const bytes = encode(EXAMPLES[SCHEMAS.closeAck]);
    expect(decodePayload(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes])).ok).toBe(true);
  });

  it('never throws on random bytes, and always returns a Result (fuzz)', () => {
    const topics = fc.oneof(address.map((a) => topic(a)), fc.string(), fc.constant('pss/v1/acme/gw-1/events/trigger'));
    fc.assert(
      fc.property(topics, fc.uint8Array({ maxLength: 600 }), (t, bytes) => {
        expectResult(decode(t, bytes));
        expectResult(decodePayload(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on damaged valid payloads (fuzz: flipped, cut, spliced bytes)', () => {
    const damage = fc.tuple(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.option(fc.nat()));
    fc.assert(
      fc.property(damage, ([m, flips, cut]) => {
        const bytes = Uint8Array.from(encode(m));
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        const damaged = cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1));
        expectResult(decode(topicOf(m), damaged));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on any JSON value, or on a valid message with a field replaced by anything (fuzz)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectResult(decodePayload(json(value)));
        expectResult(decodeValue('pss/v1/acme/gw-1/telemetry', value));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(message, fc.nat(), fc.oneof(fc.jsonValue(), fc.constant(undefined)), fc.boolean(), (m, pick, replacement, deep) => {
        const copy = JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
        // Replace a top-level field, or a field of a nested object/list (window, samples[i], interval, values...).
        const keys = Object.keys(copy);
        const key = keys[pick % keys.length];
        const inner = copy[key];
        if (deep && inner !== null && typeof inner === 'object') {
          const innerKeys = Object.keys(inner);
          if (innerKeys.length > 0) (inner as Record<string, unknown>)[innerKeys[pick % innerKeys.length]] = replacement;
        } else copy[key] = replacement;
        expectResult(decodeValue(topicOf(m), copy));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('publications', () => {
  it('gives each kind its topic, QoS and retain flag', () => {
    const summary = SUPPORTED_SCHEMAS.map((schema) => {
      const p = toPublications(EXAMPLES[schema]);
      return p.ok ? p.value.map(({ topic: t, qos, retain }) => `${t} qos${qos}${retain ? ' retained' : ''}`) : messages(p);
    });
    expect(summary).toEqual([
      ['pss/v1/acme/gw-depot-1/events/trigger qos1'],
      ['pss/v1/acme/gw-depot-1/events/ack qos1'],
      ['pss/v1/acme/gw-depot-1/telemetry qos0'],
      ['pss/v1/acme/gw-depot-1/status qos1 retained'],
      ['pss/v1/acme/gw-depot-1/commands/close qos1'],
      ['pss/v1/acme/gw-depot-1/commands/close/ack qos1'],
      ['pss/v1/acme/workorders/pr.li qos1', 'pss/v1/acme/workorders/pr.wang qos1'],
      ['pss/v1/acme/workorders/pr.li/progress qos1'],
    ]);
  });

  it('lets telemetry choose QoS 1, and nothing else choose', () => {
    const p = toPublications(EXAMPLES[SCHEMAS.telemetryBatch], { qos: 1 });
    expect(p.ok && p.value[0].qos).toBe(1);
    expect(messages(toPublications(EXAMPLES[SCHEMAS.triggerEvent], { qos: 0 }))).toEqual(['qos: trigger-event is published with QoS 1, not 0']);
  });

  it('registers the offline status as a retained last will', () => {
    const will = lastWill(EXAMPLE_LAST_WILL);
    expect(will.ok && { ...will.value, payload: JSON.parse(new TextDecoder().decode(will.value.payload)) as unknown }).toEqual({
      topic: 'pss/v1/acme/gw-depot-1/status',
      payload: EXAMPLE_LAST_WILL,
      qos: 1,
      retain: true,
    });
    expect(messages(lastWill(EXAMPLES[SCHEMAS.gatewayStatus]))).toEqual(['state: a last will announces state offline']);
  });

  it('refuses to encode an invalid or oversized message', () => {
    const bad = { ...EXAMPLES[SCHEMAS.telemetryBatch], samples: [{ ...EXAMPLES[SCHEMAS.telemetryBatch].samples[0], value: Number.NaN }] } as TelemetryBatch;
    expect(messages(tryEncode(bad))).toEqual(['samples[0].value: must be a finite number, got NaN']);
    expect(() => encode(bad)).toThrow(ValidationError);
    expect(() => encode(bad)).toThrow(/cannot encode pss.telemetry-batch\/v1: 1 problem\n {2}samples\[0\]\.value: must be a finite number, got NaN/);
    const sample = { asset: 'a'.repeat(LIMITS.maxIdLength), part: 'p'.repeat(LIMITS.maxIdLength), status: 's', time: 0, value: 0 };
    const huge: TelemetryBatch = { ...EXAMPLES[SCHEMAS.telemetryBatch], samples: Array.from({ length: LIMITS.maxSamplesPerBatch }, () => sample) };
    expect(messages(tryEncode(huge))).toEqual([expect.stringMatching(/^payload is \d+ bytes, over the limit of 131072 bytes \(LIMITS.maxPayloadBytes\)$/)]);
  });

  it('drops fields the schema does not know when encoding', () => {
    const withExtra = { ...EXAMPLES[SCHEMAS.closeCommand], debug: true } as Message;
    const encoded = tryEncode(withExtra);
    expect(encoded.ok && (JSON.parse(new TextDecoder().decode(encoded.value)) as unknown)).toEqual(EXAMPLES[SCHEMAS.closeCommand]);
    expect((encoded.warnings ?? []).map(formatIssue)).toEqual(['debug: unknown field, ignored (known: schema, tenant, gateway, event, asset, trigger, time)']);
  });
});

describe('addresses', () => {
  it('decodes nothing from a topic of the right shape but another kind', () => {
    const wrong: TopicAddress = { kind: 'event-ack', tenant: 'acme', gateway: 'gw-depot-1' };
    expect(messages(decode(topic(wrong), encode(EXAMPLES[SCHEMAS.closeAck])))).toEqual(['schema: pss.close-ack/v1 does not belong here (expected pss.event-ack/v1)']);
  });

  it('parsePayload gives the JSON value, unread', () => {
    expect(parsePayload(utf8('{"a":1}'))).toEqual({ ok: true, value: { a: 1 } });
  });
});
