import { LIMITS, SCHEMAS, TelemetryBatch, topic } from '@pss/protocol';
import { MemoryTelemetryStore } from './memory-telemetry-store';
import { TelemetryIngest } from './telemetry-ingest';

const TOPIC = topic({ kind: 'telemetry', tenant: 'acme', gateway: 'gw-1' });

function batch(seq: number, overrides: Partial<TelemetryBatch> = {}): TelemetryBatch {
  return {
    schema: SCHEMAS.telemetryBatch,
    tenant: 'acme',
    gateway: 'gw-1',
    seq,
    samples: [{ asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', time: 1772439300000 + seq * 1000, value: seq }],
    ...overrides,
  };
}

/** The payload as the Nest MQTT transport hands it over: parsed JSON. */
function parsed(message: TelemetryBatch): unknown {
  return JSON.parse(JSON.stringify(message));
}

function setup(options: ConstructorParameters<typeof TelemetryIngest>[1] = {}): { store: MemoryTelemetryStore; ingest: TelemetryIngest; warnings: string[] } {
  const store = new MemoryTelemetryStore();
  const warnings: string[] = [];
  const ingest = new TelemetryIngest(store, { logger: { warn: (message: string) => warnings.push(message) }, ...options });
  return { store, ingest, warnings };
}

describe('TelemetryIngest', () => {
  it('stores a batch and drops a repeat of the same (tenant, gateway, seq)', async () => {
    const { store, ingest } = setup();
    expect(await ingest.ingest(TOPIC, parsed(batch(1)))).toEqual({ kind: 'stored', samples: 1 });
    expect(await ingest.ingest(TOPIC, parsed(batch(1)))).toEqual({ kind: 'duplicate' });
    // The same seq from another gateway or tenant is another batch.
    expect(await ingest.ingest(topic({ kind: 'telemetry', tenant: 'acme', gateway: 'gw-2' }), parsed(batch(1, { gateway: 'gw-2' })))).toEqual({ kind: 'stored', samples: 1 });
    expect(await ingest.ingest(topic({ kind: 'telemetry', tenant: 'other', gateway: 'gw-1' }), parsed(batch(1, { tenant: 'other' })))).toEqual({ kind: 'stored', samples: 1 });
    expect(ingest.stats()).toMatchObject({ batches: 3, samples: 3, duplicates: 1, lostBatches: 0 });
    // gw-1 and gw-2 sent the same status of the same asset at the same time: one point in memory.
    expect(store.size).toBe(2);
    expect(await store.latest('acme', 'car-0017')).toEqual({ 'p.axle.vibration_rms': { time: 1772439301000, value: 1 } });
  });

  it('remembers a bounded window of batches: a repeat older than the window is taken again', async () => {
    const { ingest } = setup({ dedupCapacity: 2 });
    for (const seq of [1, 2, 3]) await ingest.ingest(TOPIC, parsed(batch(seq)));
    expect((await ingest.ingest(TOPIC, parsed(batch(3)))).kind).toBe('duplicate');
    expect((await ingest.ingest(TOPIC, parsed(batch(1)))).kind).toBe('stored');
  });

  it('counts gaps in a gateway seq as lost batches, and a late batch fills its gap again', async () => {
    const { ingest } = setup({ reorderWindow: 100 });
    await ingest.ingest(TOPIC, parsed(batch(1000))); // the first batch heard: nothing before it counts as lost
    await ingest.ingest(TOPIC, parsed(batch(1001)));
    await ingest.ingest(TOPIC, parsed(batch(1005))); // 1002, 1003, 1004 missing
    expect(ingest.stats()).toMatchObject({ batches: 3, lostBatches: 3, lateBatches: 0 });
    await ingest.ingest(TOPIC, parsed(batch(1003))); // arrives late (a spool replay)
    expect(ingest.stats()).toMatchObject({ batches: 4, lostBatches: 2, lateBatches: 1 });
    // Another gateway's seq is its own.
    const other = topic({ kind: 'telemetry', tenant: 'acme', gateway: 'gw-2' });
    await ingest.ingest(other, parsed(batch(500, { gateway: 'gw-2' })));
    await ingest.ingest(other, parsed(batch(502, { gateway: 'gw-2' })));
    expect(ingest.stats()).toMatchObject({ lostBatches: 3 });
    // More than the reorder window below the highest seq: the gateway started counting again.
    await ingest.ingest(TOPIC, parsed(batch(0)));
    await ingest.ingest(TOPIC, parsed(batch(1)));
    expect(ingest.stats()).toMatchObject({ batches: 8, lostBatches: 3, lateBatches: 1, sequenceResets: 1 });
  });

  it('counts and drops bad payloads without throwing, and logs them at a bounded rate', async () => {
    let now = 0;
    const { store, ingest, warnings } = setup({ clock: () => now, badPayloadLogIntervalMs: 10_000 });
    const outcomes = [
      await ingest.ingest(TOPIC, 'not json {'),
      await ingest.ingest(TOPIC, null),
      await ingest.ingest(TOPIC, parsed(batch(1, { tenant: 'intruder' }))),
      await ingest.ingest(TOPIC, { ...(parsed(batch(2)) as object), samples: [] }),
      await ingest.ingest(TOPIC, parsed(batch(3)), LIMITS.maxPayloadBytes + 1),
      await ingest.ingest('pss/v1/acme/gw-1/status', parsed(batch(4))),
    ];
    expect(outcomes.map((o) => o.kind)).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
    const reasons = outcomes.map((o) => (o.kind === 'invalid' ? o.reason : ''));
    expect(reasons[2]).toContain('tenant: "intruder" does not match the topic\'s tenant "acme"');
    expect(reasons[3]).toMatch(/^samples: /);
    expect(reasons[4]).toBe(`payload is ${LIMITS.maxPayloadBytes + 1} bytes, over the limit of ${LIMITS.maxPayloadBytes} bytes (LIMITS.maxPayloadBytes)`);
    expect(ingest.stats()).toMatchObject({ batches: 0, badPayloads: 6, lastBadPayload: `pss/v1/acme/gw-1/status: ${reasons[5]}` });
    expect(store.size).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^telemetry: dropped a bad payload on pss\/v1\/acme\/gw-1\/telemetry: /);
    now = 10_000;
    await ingest.ingest(TOPIC, 42);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain('(and 5 more since the last report)');
    // A good batch after all that is taken.
    expect(await ingest.ingest(TOPIC, parsed(batch(1)))).toEqual({ kind: 'stored', samples: 1 });
  });
});
