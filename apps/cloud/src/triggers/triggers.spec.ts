// Trigger events in, the trigger API, parked events, and the manual selection policy, on PGlite and a real
// Mosquitto broker.
import { SCHEMAS } from '@pss/protocol';
import { RunningMosquitto, startMosquitto } from '@pss/test-servers';
import { Database, WorkOrder, repositories, runMigrations } from '../persistence';
import { Backend, startPgliteBackend } from '../persistence/testing/backends';
import type { RunDetail } from '../configuration/configuration.service';
import { LiveEvent, LiveEvents, RunSummary } from './live-events';
import type { MatrixRow } from './trigger.service';
import type { TriggerEventView } from './trigger-store';
import { HOUR, MODEL_ID, assetId, seedElevatorFleet, triggerEvent } from './testing/fixtures';
import { MqttProbe, PipelineApp, TENANT, startPipeline, waitUntil } from './testing/pipeline-harness';

jest.setTimeout(120_000);

const GW = 'gw-site-1';
const VIEWER = `${TENANT}:viewer`;
const PLANNER = `${TENANT}:planner`;

describe('trigger events and the trigger API (manual selection policy)', () => {
  let backend: Backend;
  let db: Database;
  let broker: RunningMosquitto;
  let cloud: PipelineApp;
  let gateway: MqttProbe;
  const live: LiveEvent[] = [];

  beforeAll(async () => {
    backend = await startPgliteBackend();
    db = await backend.open();
    await runMigrations(db);
    await seedElevatorFleet(db, { tenant: TENANT, gateway: GW, count: 4 });
    // elevator-04's contract covers the doors only.
    await db.query(`UPDATE assets SET contract_triggers = ARRAY['ss.doors'] WHERE tenant = $1 AND id = $2`, [TENANT, assetId(4)]);
    broker = await startMosquitto({ persistence: false });
    cloud = await startPipeline({ db, mqttUrl: broker.url, config: { selectionPolicy: 'manual' } });
    cloud.get(LiveEvents).all$.subscribe((e) => live.push(e));
    gateway = await MqttProbe.connect(broker.url, [`pss/v1/${TENANT}/${GW}/events/ack`, `pss/v1/${TENANT}/${GW}/commands/close`]);
  });

  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
    await broker?.dispose();
    await backend?.dispose();
  });

  const acked = (id: string): boolean => gateway.messages.some((m) => m.topic.endsWith('/events/ack') && (m.payload.ids as string[]).includes(id));
  const get = async (id: string) => (await cloud.request<TriggerEventView>('GET', `/api/triggers/${encodeURIComponent(id)}`, VIEWER)).body;

  it('refuses manual triggers it cannot plan, naming the field, and only to planners', async () => {
    expect((await cloud.request('POST', '/api/triggers', VIEWER, { asset: assetId(1), trigger: 'ss.doors' })).status).toBe(403);
    const bad = await cloud.request<{ error: string; issues: { path: string; message: string }[] }>('POST', '/api/triggers', PLANNER, { asset: 7, deadline: -1, extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.path).sort()).toEqual(['body.asset', 'body.deadline', 'body.extra', 'body.trigger']);
    expect((await cloud.request('POST', '/api/triggers', PLANNER, { asset: 'elevator-99', trigger: 'ss.doors' })).status).toBe(404);
    const unknownTrigger = await cloud.request<{ issues: { path: string; message: string }[] }>('POST', '/api/triggers', PLANNER, { asset: assetId(1), trigger: 'ss.nope' });
    expect(unknownTrigger.status).toBe(400);
    expect(unknownTrigger.body.issues[0]).toEqual({ path: 'body.trigger', message: expect.stringContaining('is not a trigger of model elevator-fleet v1') });
    const contract = await cloud.request<{ issues: { path: string; message: string }[] }>('POST', '/api/triggers', PLANNER, { asset: assetId(4), trigger: 'ss.brake' });
    expect(contract.status).toBe(400);
    expect(contract.body.issues[0].message).toMatch(/not covered by the contract of asset "elevator-04"/);
  });

  it('plans a manual trigger once a planner approves a solution, and refuses a second open one', async () => {
    const deadline = Date.now() + 20 * HOUR;
    const created = await cloud.request<TriggerEventView>('POST', '/api/triggers', PLANNER, { asset: assetId(1), trigger: 'ss.traction', deadline });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ source: 'manual', asset: assetId(1), trigger: 'ss.traction', deadline, gateway: GW, state: 'open' });
    expect(created.body.eventId).toMatch(/^manual:/);
    const again = await cloud.request<{ openEvent: string }>('POST', '/api/triggers', PLANNER, { asset: assetId(1), trigger: 'ss.traction' });
    expect(again.status).toBe(409);
    expect(again.body.openEvent).toBe(created.body.eventId);

    // The manual policy solves and waits.
    let run: RunSummary | undefined;
    await waitUntil(async () => (run = (await cloud.request<RunSummary[]>('GET', '/api/runs', VIEWER)).body.find((r) => r.state === 'solved')) !== undefined, 'a solved run');
    expect(run!).toMatchObject({ policy: 'manual', chosenIndex: null, events: 1 });
    const detail = (await cloud.request<RunDetail>('GET', `/api/runs/${run!.id}`, VIEWER)).body;
    expect(detail.gantt).toBeNull();
    expect(detail.explanation).toMatchObject({ policy: 'manual', chosenIndex: null, suggestedIndex: expect.any(Number) });
    const preview = (await cloud.request<RunDetail>('GET', `/api/runs/${run!.id}?solution=0`, VIEWER)).body;
    expect(preview.gantt!.rows.every((r) => r.eventId === created.body.eventId && r.end <= deadline)).toBe(true);
    expect((await get(created.body.eventId)).state).toBe('open');

    const size = detail.front!.solutions.length;
    expect((await cloud.request('POST', `/api/runs/${run!.id}/approve`, PLANNER, {})).status).toBe(400);
    expect((await cloud.request('POST', `/api/runs/${run!.id}/approve`, PLANNER, { index: size })).status).toBe(400);
    expect((await cloud.request('POST', `/api/runs/${run!.id}/approve`, VIEWER, { index: 0 })).status).toBe(403);
    const index = size - 1;
    const approved = await cloud.request<{ run: RunSummary; workOrders: number }>('POST', `/api/runs/${run!.id}/approve`, PLANNER, { index });
    expect(approved.status).toBe(200);
    expect(approved.body.run).toMatchObject({ state: 'approved', chosenIndex: index });
    expect(approved.body.workOrders).toBeGreaterThan(0);
    expect((await cloud.request('POST', `/api/runs/${run!.id}/approve`, PLANNER, { index: 0 })).status).toBe(409);
    const after = (await cloud.request<RunDetail>('GET', `/api/runs/${run!.id}`, VIEWER)).body;
    expect(after.explanation).toMatchObject({ policy: 'manual', chosenIndex: index });
    expect(after.gantt!.solution).toBe(index);
    expect((await get(created.body.eventId)).state).toBe('planned');
    const orders = (await cloud.request<WorkOrder[]>('GET', `/api/work-orders?run=${run!.id}`, VIEWER)).body;
    expect(orders).toHaveLength(approved.body.workOrders);
    expect(live.some((e) => e.type === 'run' && e.action === 'approved' && e.run.id === run!.id)).toBe(true);
  });

  it('stores and acknowledges an event for an unknown asset, parks it with the reason, and re-plans it once registered', async () => {
    const event = triggerEvent({ tenant: TENANT, gateway: GW, asset: 'elevator-77', trigger: 'ss.doors', time: Date.now() });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, event);
    await waitUntil(() => acked(event.id), 'the ack of the unknown asset\'s event');
    const parked = await get(event.id);
    expect(parked).toMatchObject({ state: 'unplanned', issue: 'asset "elevator-77" is not registered', batchId: null });
    const listed = (await cloud.request<TriggerEventView[]>('GET', '/api/triggers?state=unplanned', VIEWER)).body;
    expect(listed.map((e) => e.eventId)).toContain(event.id);
    const matrix = (await cloud.request<MatrixRow[]>('GET', '/api/matrix', VIEWER)).body;
    expect(matrix.find((r) => r.asset === 'elevator-77')).toMatchObject({ modelId: null, triggers: ['ss.doors'], vector: [1], issue: 'asset "elevator-77" is not registered' });

    const early = await cloud.request<{ error: string }>('POST', `/api/triggers/${encodeURIComponent(event.id)}/replan`, PLANNER);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatch(/still cannot be planned: asset "elevator-77" is not registered/);
    await repositories(db).assets.upsert({ tenant: TENANT, id: 'elevator-77', modelId: MODEL_ID, modelVersion: 1, gateway: GW, contractTriggers: null, createdAt: Date.now() });
    const replanned = await cloud.request<TriggerEventView>('POST', `/api/triggers/${encodeURIComponent(event.id)}/replan`, PLANNER);
    expect(replanned.status).toBe(200);
    expect(replanned.body).toMatchObject({ state: 'open', issue: null });
    await waitUntil(async () => (await get(event.id)).batchId !== null, 'the re-planned event in a batch');
  });

  it('parks an event its asset\'s contract does not cover; a planner closes it and the gateway is told', async () => {
    const event = triggerEvent({ tenant: TENANT, gateway: GW, asset: assetId(4), trigger: 'ss.brake', time: Date.now() });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, event);
    await waitUntil(() => acked(event.id), 'the ack');
    expect(await get(event.id)).toMatchObject({ state: 'unplanned', issue: expect.stringContaining('not covered by the contract') });
    const row = (await cloud.request<MatrixRow[]>('GET', '/api/matrix', VIEWER)).body.find((r) => r.asset === assetId(4))!;
    expect(row.triggers).toEqual(['ss.traction', 'ss.brake', 'ss.doors', 'ss.ropes', 'ss.controller']);
    expect(row.vector).toEqual([0, 1, 0, 0, 0]);

    expect((await cloud.request('POST', `/api/triggers/${encodeURIComponent(event.id)}/close`, VIEWER)).status).toBe(403);
    const closed = await cloud.request<{ closed: boolean; commandQueued: boolean }>('POST', `/api/triggers/${encodeURIComponent(event.id)}/close`, PLANNER);
    expect(closed.body).toEqual({ closed: true, commandQueued: true });
    const command = await gateway.waitFor((m) => m.topic.endsWith('/commands/close') && m.payload.event === event.id, 'the close command');
    expect(command.payload).toMatchObject({ schema: SCHEMAS.closeCommand, asset: assetId(4), trigger: 'ss.brake' });
    expect((await cloud.request('POST', `/api/triggers/${encodeURIComponent(event.id)}/close`, PLANNER)).status).toBe(409);
    expect((await get(event.id)).state).toBe('closed');
  });

  it('does not store a second firing while the asset\'s service is open, and does not acknowledge it', async () => {
    const open = (await cloud.request<TriggerEventView[]>('GET', '/api/triggers?state=planned', VIEWER)).body.find((e) => e.asset === assetId(1))!;
    const event = triggerEvent({ tenant: TENANT, gateway: GW, asset: assetId(1), trigger: open.trigger, time: Date.now() });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, event);
    // A valid event published after it is acknowledged: the deferred one was handled (in order) without an ack.
    const marker = triggerEvent({ tenant: TENANT, gateway: GW, asset: assetId(2), trigger: 'ss.ropes', time: Date.now() });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, marker);
    await waitUntil(() => acked(marker.id), 'the marker event acknowledged');
    expect(acked(event.id)).toBe(false);
    expect((await cloud.request('GET', `/api/triggers/${encodeURIComponent(event.id)}`, VIEWER)).status).toBe(404);
  });

  it('lists events by state and validates the query', async () => {
    const active = (await cloud.request<TriggerEventView[]>('GET', '/api/triggers', VIEWER)).body;
    expect(active.every((e) => e.state !== 'closed')).toBe(true);
    const closed = (await cloud.request<TriggerEventView[]>('GET', '/api/triggers?state=closed', VIEWER)).body;
    expect(closed.length).toBeGreaterThan(0);
    expect(closed.every((e) => e.state === 'closed')).toBe(true);
    expect((await cloud.request('GET', '/api/triggers?state=bogus', VIEWER)).status).toBe(400);
    expect((await cloud.request('GET', '/api/triggers?limit=0', VIEWER)).status).toBe(400);
    expect((await cloud.request('GET', '/api/triggers/no-such-event', VIEWER)).status).toBe(404);
  });
});
