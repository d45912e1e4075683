// docs/protocol.md is part of the contract: its examples must be valid messages, the ones the library ships, and
// its topic table must name every topic kind.
import { readFileSync } from 'fs';
import { join } from 'path';
import { EXAMPLES, EXAMPLE_LAST_WILL, LIMITS, Message, SUPPORTED_SCHEMAS, TOPIC_KINDS, TOPIC_SPECS, isGatewayKind, readMessage } from './index';

const doc = readFileSync(join(__dirname, '../../../docs/protocol.md'), 'utf8');
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as unknown);

describe('docs/protocol.md', () => {
  it('shows valid messages only, each equal to a shipped example', () => {
    expect(jsonBlocks.length).toBeGreaterThan(0);
    const shipped: Message[] = [...Object.values(EXAMPLES), EXAMPLE_LAST_WILL];
    for (const block of jsonBlocks) {
      const read = readMessage(block);
      expect(read).toEqual({ ok: true, value: block, warnings: [] });
      expect(shipped).toContainEqual(block);
    }
  });

  it('shows an example of every schema, and the last will', () => {
    const schemas = new Set(jsonBlocks.map((b) => (b as { schema: string }).schema));
    expect([...schemas].sort()).toEqual([...SUPPORTED_SCHEMAS].sort());
    expect(jsonBlocks).toContainEqual(EXAMPLE_LAST_WILL);
  });

  it('lists every topic with its schema, QoS and retain flag', () => {
    for (const kind of TOPIC_KINDS) {
      const spec = TOPIC_SPECS[kind];
      const template = ['pss/v1/{tenant}', isGatewayKind(kind) ? '{gateway}' : 'workorders/{resource}', ...spec.leaf].join('/');
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${kind}\` | \`${template}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(`\`${spec.schema}\``);
      expect(row).toContain(`| ${spec.qosAllowed.join(', or ')} |`);
      expect(row).toMatch(spec.retain ? /\| \*\*yes\*\* \|$/ : /\| no \|$/);
    }
  });

  it('states the limits the code enforces', () => {
    expect(doc).toContain(`| payload | ${LIMITS.maxPayloadBytes} bytes`);
    expect(doc).toContain(`| samples per telemetry batch | ${LIMITS.maxSamplesPerBatch} |`);
    expect(doc).toContain(`| resources per work order | ${LIMITS.maxResourcesPerWorkOrder} |`);
    expect(doc).toContain(`| ids per ack | ${LIMITS.maxIdsPerAck} |`);
    expect(doc).toContain(`| topic segment, share group | ${LIMITS.maxSegmentLength} characters |`);
    expect(doc).toContain(`| entity id | ${LIMITS.maxIdLength} characters |`);
    expect(doc).toContain(`| message id, session | ${LIMITS.maxMessageIdLength} characters |`);
    expect(doc).toContain(`| note | ${LIMITS.maxNoteLength} characters |`);
  });
});
