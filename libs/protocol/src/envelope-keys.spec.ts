// @nestjs/microservices treats an incoming JSON payload with a top-level `pattern` or `data` key as its own
// `{pattern, data}` envelope: the handler would get `data` (or undefined) instead of our message. No schema may use
// those keys, and readers refuse a payload that has them, saying why.
import { formatIssue } from '@pss/model';
import { EXAMPLES, EXAMPLE_LAST_WILL, RESERVED_TOP_LEVEL_KEYS, SCHEMA_FIELDS, SUPPORTED_SCHEMAS, decode, readMessage, toPublications } from './index';

/** The check @nestjs/microservices' IncomingRequestDeserializer makes (v10: pattern or data; v11: pattern, or id and data). */
const nestTakesForItsEnvelope = (value: Record<string, unknown>): boolean => value.pattern !== undefined || value.data !== undefined;

describe('no top-level pattern or data', () => {
  it.each(SUPPORTED_SCHEMAS)('%s declares neither key and its example has neither', (schema) => {
    for (const key of RESERVED_TOP_LEVEL_KEYS) expect(SCHEMA_FIELDS[schema]).not.toContain(key);
    const wire = JSON.parse(JSON.stringify(EXAMPLES[schema])) as Record<string, unknown>;
    expect(Object.keys(wire)).not.toContain('pattern');
    expect(Object.keys(wire)).not.toContain('data');
    expect(nestTakesForItsEnvelope(wire)).toBe(false);
  });

  it('holds for the last will too', () => {
    expect(nestTakesForItsEnvelope(JSON.parse(JSON.stringify(EXAMPLE_LAST_WILL)) as Record<string, unknown>)).toBe(false);
  });

  it.each(SUPPORTED_SCHEMAS.flatMap((schema) => RESERVED_TOP_LEVEL_KEYS.map((key) => [schema, key] as const)))(
    'a %s payload with a top-level %s is rejected, naming why',
    (schema, key) => {
      const payload = { ...EXAMPLES[schema], [key]: key === 'data' ? { any: 1 } : 'pss/v1/anything' };
      const expected = `${key}: reserved top-level key: @nestjs/microservices would take this payload for its own {pattern, data} envelope`;
      const read = readMessage(payload);
      expect(read.ok).toBe(false);
      expect(read.ok ? [] : read.issues.map(formatIssue)).toEqual([expected]);
      const publication = toPublications(EXAMPLES[schema]);
      if (!publication.ok) throw new Error('example must encode');
      const decoded = decode(publication.value[0].topic, new TextEncoder().encode(JSON.stringify(payload)));
      expect(decoded.ok ? [] : decoded.issues.map(formatIssue)).toEqual([expected]);
    },
  );

  it('is an error even where unknown keys are only warnings, and even when null', () => {
    const read = readMessage({ ...EXAMPLES['pss.close-command/v1'], data: null, extra: 1 });
    expect(read.ok ? [] : read.issues.map(formatIssue)).toEqual(['data: reserved top-level key: @nestjs/microservices would take this payload for its own {pattern, data} envelope']);
    expect((read.warnings ?? []).map(formatIssue)).toEqual(['extra: unknown field, ignored (known: schema, tenant, gateway, event, asset, trigger, time)']);
  });
});
