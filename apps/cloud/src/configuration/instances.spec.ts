// Two cloud instances (two Nest apps, each with its own connection pool) on one PostgreSQL database and one
// Mosquitto broker, sharing the inbound streams through MQTT shared subscriptions: 30 trigger events from three
// gateways, and every event's work orders are created, and dispatched, exactly once.
import { startMosquitto, RunningMosquitto } from '@pss/test-servers';
import { Database, runMigrations } from '../persistence';
import { Backend, startPostgresBackend } from '../persistence/testing/backends';
import { LiveEvents } from '../triggers/live-events';
import { assetId, seedElevatorFleet, triggerEvent } from '../triggers/testing/fixtures';
import { MqttProbe, PipelineApp, TENANT, startPipeline, waitUntil } from '../triggers/testing/pipeline-harness';

jest.setTimeout(300_000);

const GATEWAYS = ['gw-a', 'gw-b', 'gw-c'];
const TRIGGERS = ['ss.traction', 'ss.ropes', 'ss.controller', 'ss.doors', 'ss.brake'];
const EVENTS = 30;

describe('two instances on one PostgreSQL database and one broker', () => {
  let backend: Backend;
  let dbs: Database[];
  let broker: RunningMosquitto;
  let clouds: PipelineApp[];
  let gateways: MqttProbe;
  let technicians: MqttProbe;
  const received = [0, 0];

  beforeAll(async () => {
    backend = await startPostgresBackend();
    dbs = [await backend.open(), await backend.open()];
    await runMigrations(dbs[0]);
    await seedElevatorFleet(dbs[0], { tenant: TENANT, gateway: GATEWAYS[0], count: 0 });
    for (const [i, gateway] of GATEWAYS.entries()) {
      // Assets 1-10 behind gw-a, 11-20 behind gw-b, 21-30 behind gw-c.
      for (let n = i * 10 + 1; n <= i * 10 + 10; n++) {
        await dbs[0].query(
          `INSERT INTO assets (tenant, id, model_id, model_version, gateway, created_at) VALUES ($1, $2, 'elevator-fleet', 1, $3, 0)`,
          [TENANT, assetId(n), gateway],
        );
      }
    }
    broker = await startMosquitto({ persistence: false });
    clouds = [
      await startPipeline({ db: dbs[0], mqttUrl: broker.url, config: { instanceId: 'cloud-a', batchWindowMs: 400 } }),
      await startPipeline({ db: dbs[1], mqttUrl: broker.url, config: { instanceId: 'cloud-b', batchWindowMs: 400 } }),
    ];
    clouds.forEach((cloud, i) =>
      cloud.get(LiveEvents).all$.subscribe((e) => {
        if (e.type === 'trigger' && e.action === 'received') received[i]++;
      }),
    );
    gateways = await MqttProbe.connect(broker.url, [`pss/v1/${TENANT}/+/events/ack`]);
    technicians = await MqttProbe.connect(broker.url, [`pss/v1/${TENANT}/workorders/+`]);
  });

  afterAll(async () => {
    await gateways?.close();
    await technicians?.close();
    for (const cloud of clouds ?? []) await cloud.close();
    await broker?.dispose();
    await backend?.dispose();
  });

  it('creates and dispatches the work orders of each of 30 events exactly once', async () => {
    const now = Date.now();
    const events = Array.from({ length: EVENTS }, (_, i) => {
      const gateway = GATEWAYS[Math.floor(i / 10)];
      return triggerEvent({ tenant: TENANT, gateway, asset: assetId(i + 1), trigger: TRIGGERS[i % TRIGGERS.length], time: now - (EVENTS - i) * 1000 });
    });
    await Promise.all(events.map((e) => gateways.publish(`pss/v1/${TENANT}/${e.gateway}/events/trigger`, e)));

    const acked = (): Set<string> => new Set(gateways.messages.flatMap((m) => m.payload.ids as string[]));
    await waitUntil(() => events.every((e) => acked().has(e.id)), 'every event acknowledged');
    // The shared subscription split the deliveries: each event reached one instance, and both instances got some.
    expect(received[0] + received[1]).toBe(EVENTS);
    expect(received[0]).toBeGreaterThan(0);
    expect(received[1]).toBeGreaterThan(0);

    const db = dbs[0];
    await waitUntil(
      async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trigger_events WHERE tenant = $1 AND state = 'planned'`, [TENANT]))[0].n === EVENTS,
      'every event planned',
      240_000,
    );

    // One run per event, and per event exactly the orders of that run's approved solution.
    const perEvent = await db.query<{ event_id: string; runs: number; orders: number }>(
      'SELECT event_id, count(DISTINCT run_id)::int AS runs, count(*)::int AS orders FROM work_orders WHERE tenant = $1 GROUP BY event_id',
      [TENANT],
    );
    expect(perEvent).toHaveLength(EVENTS);
    expect(perEvent.every((r) => r.runs === 1)).toBe(true);
    const runs = await db.query<{ id: string; chosen_index: number; front: { solutions: { occurrences: { asset: string }[] }[] } }>(
      `SELECT id, chosen_index, front FROM configuration_runs WHERE tenant = $1 AND state = 'approved'`,
      [TENANT],
    );
    const expected = new Map<string, number>();
    for (const run of runs) for (const o of run.front.solutions[run.chosen_index].occurrences) expected.set(o.asset, (expected.get(o.asset) ?? 0) + 1);
    const assetOf = new Map(events.map((e) => [e.id, e.asset]));
    for (const r of perEvent) expect(r.orders).toBe(expected.get(assetOf.get(r.event_id)!));

    // Every batch was claimed once, every run belongs to one batch.
    const batches = await db.query<{ attempts: number }>('SELECT attempts FROM batches WHERE tenant = $1', [TENANT]);
    expect(batches.every((b) => b.attempts === 1)).toBe(true);

    // Each order dispatched once: one version-1 copy on the topic of each of its resources.
    const dispatched = async () => db.query<{ id: string; resources: string[]; version: number; state: string }>('SELECT id, resources, version, state FROM work_orders WHERE tenant = $1', [TENANT]);
    await waitUntil(async () => (await dispatched()).every((o) => o.state === 'dispatched'), 'every order dispatched');
    const orders = await dispatched();
    expect(orders.every((o) => o.version === 1)).toBe(true);
    const copies = orders.reduce((n, o) => n + o.resources.length, 0);
    await waitUntil(() => technicians.messages.length >= copies, `${copies} work order copies`);
    const seen = new Map<string, number>();
    for (const m of technicians.messages) {
      const key = `${m.topic} ${String(m.payload.id)} v${String(m.payload.version)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(seen.size).toBe(copies);
  });
});
