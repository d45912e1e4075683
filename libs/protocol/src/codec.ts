// Bytes on the wire <-> validated messages. `decode` never throws: whatever arrives (bad UTF-8, bad JSON, a
// message of another version, a payload on the wrong topic), it returns a Result whose issues say why.
// `encode` validates before serializing, so a producer cannot publish what its consumers would reject.
import { Result, ValidationError, ValidationIssue, parseText } from '@pss/model';
import { LIMITS } from './limits';
import { SUPPORTED_SCHEMAS, readMessage } from './messages';
import { Qos, TOPIC_SPECS, TopicAddress, TopicKind, buildTopic, parseTopic } from './topics';
import { GatewayStatus, Message, SchemaId } from './types';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** The topic kind each schema travels on. */
export const KIND_OF_SCHEMA: Readonly<Record<SchemaId, TopicKind>> = Object.fromEntries(
  Object.values(TOPIC_SPECS).map((spec) => [spec.schema, spec.kind]),
) as Record<SchemaId, TopicKind>;

/** Validates and serializes a message (UTF-8 JSON); the issues say what is wrong or too large. */
export function tryEncode(message: Message): Result<Uint8Array> {
  const read = readMessage(message);
  if (!read.ok) return read;
  const bytes = encoder.encode(JSON.stringify(read.value));
  if (bytes.length > LIMITS.maxPayloadBytes) return { ok: false, issues: [tooLarge(bytes.length)] };
  return { ok: true, value: bytes, warnings: read.warnings };
}

/** Like `tryEncode`; throws a ValidationError for a message that must not be published (a bug in the producer). */
export function encode(message: Message): Uint8Array {
  const result = tryEncode(message);
  if (!result.ok) throw new ValidationError(result.issues, `cannot encode ${describeSchema(message)}`);
  return result.value;
}

/**
 * Decodes a payload received on `topic`: the topic's kind decides which schema is acceptable, the payload's
 * `schema` field decides the reader, and the payload must agree with the topic (tenant, gateway, resource).
 * Never throws.
 */
export function decode(topic: string, bytes: Uint8Array): Result<Message> {
  return guard(() => {
    const address = parseTopic(topic);
    if (!address.ok) return { ok: false, issues: address.issues.map((issue) => ({ path: joinTopicPath(issue.path), message: issue.message })) };
    const value = parsePayload(bytes);
    if (!value.ok) return value;
    return readAt(address.value, value.value);
  });
}

/**
 * For transports that parse JSON themselves (the @nestjs/microservices MQTT transport hands handlers the parsed
 * payload, or the raw text when it was not JSON): the same checks as `decode` from the parsed value on.
 */
export function decodeValue(topic: string, value: unknown): Result<Message> {
  return guard(() => {
    const address = parseTopic(topic);
    if (!address.ok) return { ok: false, issues: address.issues.map((issue) => ({ path: joinTopicPath(issue.path), message: issue.message })) };
    return readAt(address.value, value);
  });
}

/** Decodes a payload without a topic (dispatch by its `schema` only), e.g. from a spool file or an HTTP body. */
export function decodePayload(bytes: Uint8Array): Result<Message> {
  return guard(() => {
    const value = parsePayload(bytes);
    return value.ok ? readMessage(value.value) : value;
  });
}

/** Bytes -> JSON value, with the size limit, UTF-8 and JSON syntax checked. Never throws. */
export function parsePayload(bytes: Uint8Array): Result<unknown> {
  return guard(() => {
    if (!(bytes instanceof Uint8Array)) return fail('', `payload must be bytes (a Uint8Array), got ${bytes === null ? 'null' : typeof bytes}`);
    if (bytes.length > LIMITS.maxPayloadBytes) return { ok: false, issues: [tooLarge(bytes.length)] };
    if (bytes.length === 0) return fail('', 'payload is empty (an empty retained message clears the topic; there is nothing to read)');
    const bad = invalidUtf8At(bytes);
    if (bad >= 0) return fail('', `payload is not valid UTF-8: byte 0x${bytes[bad].toString(16).padStart(2, '0')} at offset ${bad} does not fit`);
    const text = decoder.decode(bytes);
    const parsed = parseText(text, 'json');
    if (!parsed.ok) return { ok: false, issues: parsed.issues.map((issue) => ({ path: '', message: `payload is ${issue.message}` })) };
    return parsed;
  });
}

/** Reads a parsed payload for an address: the schema must belong to the topic kind and agree with the topic. */
export function readAt(address: TopicAddress, value: unknown): Result<Message> {
  const spec = TOPIC_SPECS[address.kind];
  const read = readMessage(value, [spec.schema]);
  if (!read.ok) return read;
  const mismatches = addressMismatches(address, read.value);
  return mismatches.length > 0 ? { ok: false, issues: mismatches, warnings: read.warnings } : read;
}

/** Where a message and the topic it arrived on disagree (a payload is never trusted over its topic, or vice versa). */
export function addressMismatches(address: TopicAddress, message: Message): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const expectedKind = KIND_OF_SCHEMA[message.schema];
  if (expectedKind !== address.kind) issues.push({ path: 'schema', message: `${message.schema} does not belong on a ${address.kind} topic` });
  if (message.tenant !== address.tenant) {
    issues.push({ path: 'tenant', message: `${JSON.stringify(message.tenant)} does not match the topic's tenant ${JSON.stringify(address.tenant)}` });
  }
  if ('gateway' in address && 'gateway' in message && message.gateway !== address.gateway) {
    issues.push({ path: 'gateway', message: `${JSON.stringify(message.gateway)} does not match the topic's gateway ${JSON.stringify(address.gateway)}` });
  }
  if ('resource' in address) {
    if (message.schema === 'pss.work-order/v1' && !message.resources.includes(address.resource)) {
      issues.push({ path: 'resources', message: `does not include the topic's resource ${JSON.stringify(address.resource)}` });
    }
    if (message.schema === 'pss.progress-report/v1' && message.resource !== address.resource) {
      issues.push({ path: 'resource', message: `${JSON.stringify(message.resource)} does not match the topic's resource ${JSON.stringify(address.resource)}` });
    }
  }
  return issues;
}

/** One MQTT publish: where, what, and how. */
export interface Publication {
  topic: string;
  payload: Uint8Array;
  qos: Qos;
  retain: boolean;
}

/**
 * Everything to publish for one message: its topic (one per resource for a work order), encoded payload, and the
 * QoS and retain flag of its kind. `qos` may pick another QoS its kind allows (telemetry: 0 or 1).
 */
export function toPublications(message: Message, options: { qos?: Qos } = {}): Result<Publication[]> {
  const encoded = tryEncode(message);
  if (!encoded.ok) return encoded;
  const kind = KIND_OF_SCHEMA[message.schema];
  const spec = TOPIC_SPECS[kind];
  const qos = options.qos ?? spec.qos;
  if (!spec.qosAllowed.includes(qos)) return fail('qos', `${kind} is published with QoS ${spec.qosAllowed.join(' or ')}, not ${qos}`);
  const addresses: TopicAddress[] =
    message.schema === 'pss.work-order/v1'
      ? message.resources.map((resource) => ({ kind: 'work-order' as const, tenant: message.tenant, resource }))
      : message.schema === 'pss.progress-report/v1'
        ? [{ kind: 'progress', tenant: message.tenant, resource: message.resource }]
        : [{ kind: kind as Exclude<TopicKind, 'work-order' | 'progress'>, tenant: message.tenant, gateway: message.gateway }];
  const publications: Publication[] = [];
  for (const address of addresses) {
    const topic = buildTopic(address);
    if (!topic.ok) return topic;
    publications.push({ topic: topic.value, payload: encoded.value, qos, retain: spec.retain });
  }
  return { ok: true, value: publications, warnings: encoded.warnings };
}

/** The last will to register at connect time: the gateway's offline status, retained, QoS 1. */
export function lastWill(status: GatewayStatus): Result<Publication> {
  if (status.state !== 'offline') return fail('state', 'a last will announces state offline');
  const publications = toPublications(status);
  return publications.ok ? { ok: true, value: publications.value[0], warnings: publications.warnings } : publications;
}

/**
 * Offset of the first byte that breaks UTF-8 well-formedness (Unicode 15, table 3-7: no overlongs, no surrogates,
 * nothing above U+10FFFF), or -1.
 */
export function invalidUtf8At(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i + k;
    }
    i += need + 1;
  }
  return -1;
}

function guard<T>(run: () => Result<T>): Result<T> {
  try {
    return run();
  } catch (error) {
    // Not expected (the fuzz tests look for it); a decoder must not take the process down with it.
    return fail('', `could not decode: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function fail<T>(path: string, message: string): Result<T> {
  return { ok: false, issues: [{ path, message }] };
}

function tooLarge(size: number): ValidationIssue {
  return { path: '', message: `payload is ${size} bytes, over the limit of ${LIMITS.maxPayloadBytes} bytes (LIMITS.maxPayloadBytes)` };
}

function joinTopicPath(path: string): string {
  return path ? `topic.${path}` : 'topic';
}

function describeSchema(message: Message): string {
  const schema: unknown = (message as { schema?: unknown }).schema;
  return typeof schema === 'string' && (SUPPORTED_SCHEMAS as readonly string[]).includes(schema) ? schema : 'message';
}
