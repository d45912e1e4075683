// The issue's integration test: a gateway's trigger event through the whole pipeline and back to the edge, on a
// real Mosquitto broker, with PGlite and with a real PostgreSQL server.
import { GatewayStatus, ProgressReport, SCHEMAS, TriggerEvent, WorkOrderMessage } from '@pss/protocol';
import { startMosquitto, RunningMosquitto } from '@pss/test-servers';
import { ActivityRecord, Database, ObservedReliability, WorkOrder, runMigrations } from '../persistence';
import { BACKENDS, Backend } from '../persistence/testing/backends';
import { Registry } from 'prom-client';
import { METRICS } from '../platform/tokens';
import { FeedbackService } from '../feedback/feedback.service';
import { InboundMessages } from '../triggers/inbound';
import { HOUR, MODEL_ID, assetId, elevatorModel, seedElevatorFleet, triggerEvent } from '../triggers/testing/fixtures';
import { MqttProbe, PipelineApp, TENANT, startPipeline, waitUntil } from '../triggers/testing/pipeline-harness';
import type { TriggerEventView } from '../triggers/trigger-store';
import type { RunSummary } from '../triggers/live-events';
import type { RunDetail } from './configuration.service';

jest.setTimeout(180_000);

const GW = 'gw-site-1';
const VIEWER = `${TENANT}:viewer`;
const model = elevatorModel();

function birth(session: string): GatewayStatus {
  const now = Date.now();
  return { schema: SCHEMAS.gatewayStatus, tenant: TENANT, gateway: GW, state: 'online', session, version: '0.4.0', startedAt: now, time: now, spoolDepth: 0 };
}

describe.each(BACKENDS)('the pipeline on %s', (_name, startBackend) => {
  let backend: Backend;
  let db: Database;
  let broker: RunningMosquitto;
  let cloud: PipelineApp;
  let gateway: MqttProbe;
  let technicians: MqttProbe;

  beforeAll(async () => {
    backend = await startBackend();
    db = await backend.open();
    await runMigrations(db);
    await seedElevatorFleet(db, { tenant: TENANT, gateway: GW, count: 5 });
    broker = await startMosquitto({ persistence: false });
    cloud = await startPipeline({ db, mqttUrl: broker.url });
    gateway = await MqttProbe.connect(broker.url, [`pss/v1/${TENANT}/${GW}/events/ack`, `pss/v1/${TENANT}/${GW}/commands/close`]);
    technicians = await MqttProbe.connect(broker.url, [`pss/v1/${TENANT}/workorders/+`]);
  });

  afterAll(async () => {
    await gateway?.close();
    await technicians?.close();
    await cloud?.close();
    await broker?.dispose();
    await backend?.dispose();
  });

  const ackedIds = (): string[] => gateway.where((m) => m.topic.endsWith('/events/ack')).flatMap((m) => m.payload.ids as string[]);
  const closesOf = (eventId: string) => gateway.where((m) => m.topic.endsWith('/commands/close') && m.payload.event === eventId);
  const copies = (resource: string, order: string, version: number) =>
    technicians.where((m) => m.topic === `pss/v1/${TENANT}/workorders/${resource}` && m.payload.id === order && m.payload.version === version);

  async function runFor(eventId: string): Promise<RunDetail> {
    let found: RunDetail | undefined;
    await waitUntil(
      async () => {
        const runs = (await cloud.request<RunSummary[]>('GET', '/api/runs', VIEWER)).body;
        for (const r of runs.filter((x) => x.state === 'approved')) {
          const detail = (await cloud.request<RunDetail>('GET', `/api/runs/${r.id}?include=problem`, VIEWER)).body;
          if (detail.gantt?.rows.some((row) => row.eventId === eventId)) found = detail;
        }
        return found !== undefined;
      },
      `an approved run planning ${eventId}`,
    );
    return found!;
  }

  async function report(order: WorkOrder, resource: string, from: ProgressReport['from'], to: ProgressReport['to'], version: number): Promise<void> {
    const progress: ProgressReport = { schema: SCHEMAS.progressReport, tenant: TENANT, workOrder: order.id, resource, version, from, to, time: Date.now() };
    await technicians.publish(`pss/v1/${TENANT}/workorders/${resource}/progress`, progress);
    await technicians.waitFor((m) => m.payload.id === order.id && m.payload.version === version + 1, `${order.id} v${version + 1} (${to}) on ${resource}'s topic`);
  }

  it('plans a gateway event, dispatches its work orders, takes progress, feeds the next problem back, and unlatches the edge', async () => {
    await gateway.publish(`pss/v1/${TENANT}/${GW}/status`, birth(`${GW}.1`));
    const event: TriggerEvent = triggerEvent({ tenant: TENANT, gateway: GW, asset: assetId(1), trigger: 'ss.doors', time: Date.now() });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, event);

    // Stored, then acknowledged.
    await waitUntil(() => ackedIds().includes(event.id), 'the event ack');
    const stored = (await cloud.request<TriggerEventView>('GET', `/api/triggers/${encodeURIComponent(event.id)}`, VIEWER)).body;
    expect(stored).toMatchObject({ eventId: event.id, asset: assetId(1), source: 'edge', issue: null });

    // A run with a non-empty front, its knee chosen and approved, with the Gantt in epoch ms.
    const run = await runFor(event.id);
    expect(run.front!.solutions.length).toBeGreaterThan(0);
    expect(run).toMatchObject({ state: 'approved', policy: 'knee', approvedBy: 'policy:knee' });
    expect(run.explanation).toMatchObject({ policy: 'knee', chosenIndex: run.chosenIndex, plan: { timeUnit: 'h' } });
    const origin = (run.stats as { plan: { originMs: number } }).plan.originMs;
    expect(run.gantt!.rows.every((r) => r.start >= origin && r.end > r.start && r.start < event.window.deadline)).toBe(true);

    // Its work orders, each to the topic of each of its resources, version 1, assigned.
    // (They are created with the approval, and dispatched right after its commit.)
    let orders: WorkOrder[] = [];
    await waitUntil(async () => {
      orders = (await cloud.request<WorkOrder[]>('GET', `/api/work-orders?event=${encodeURIComponent(event.id)}`, VIEWER)).body;
      return orders.length > 0 && orders.every((o) => o.state === 'dispatched');
    }, 'the work orders dispatched');
    expect(orders.map((o) => o.activity).sort()).toEqual(run.gantt!.rows.map((r) => r.activity).sort());
    for (const order of orders) {
      for (const resource of order.resources) {
        expect(model.assignable.some((a) => a.resource === resource && a.activity === order.activity)).toBe(true);
        const message = await technicians.waitFor((m) => m.topic === `pss/v1/${TENANT}/workorders/${resource}` && m.payload.id === order.id, `${order.id} on ${resource}`);
        expect(message.payload as unknown as WorkOrderMessage).toMatchObject({ version: 1, state: 'assigned', asset: assetId(1), trigger: 'ss.doors', event: event.id, activity: order.activity });
      }
    }

    // Technicians move them on: the first over MQTT, the others over HTTP.
    const [first, ...rest] = orders;
    const worker = first.resources[0];
    await report(first, worker, 'assigned', 'accepted', 1);
    await report(first, worker, 'accepted', 'in_progress', 2);
    expect((await cloud.request<{ order: WorkOrder }>('GET', `/api/work-orders/${first.id}`, VIEWER)).body.order.state).toBe('in_progress');
    await report(first, worker, 'in_progress', 'done', 3);
    for (const order of rest) {
      const as = `${TENANT}:technician:${order.resources[0]}`;
      const steps: [string, string][] = [['assigned', 'accepted'], ['accepted', 'in_progress'], ['in_progress', 'done']];
      for (const [i, [from, to]] of steps.entries()) {
        const answer = await cloud.request<WorkOrder>('POST', `/api/work-orders/${order.id}/progress`, as, { version: i + 1, from, to });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ state: to, version: i + 2 });
      }
    }
    // A stale report: 409 with the current order, which is also re-sent over MQTT.
    const last = orders[orders.length - 1];
    const stale = await cloud.request<{ error: string; order: WorkOrder }>('POST', `/api/work-orders/${last.id}/progress`, `${TENANT}:technician:${last.resources[0]}`, { version: 1, from: 'assigned', to: 'accepted' });
    expect(stale.status).toBe(409);
    expect(stale.body.order).toMatchObject({ id: last.id, state: 'done', version: 4 });
    await waitUntil(() => copies(last.resources[0], last.id, 4).length >= 2, 'the current order re-sent after the stale report');

    // Feedback: every finished order counted.
    const observed = (await cloud.request<ObservedReliability>('GET', `/api/feedback/${MODEL_ID}`, VIEWER)).body;
    for (const order of orders) expect(observed.activities.find((a) => a.activity === order.activity)).toMatchObject({ completed: 1, failed: 0 });

    // The service is closed, and the gateway told to unlatch, again and again until it acknowledges.
    await waitUntil(async () => (await cloud.request<TriggerEventView>('GET', `/api/triggers/${encodeURIComponent(event.id)}`, VIEWER)).body.state === 'closed', 'the event closed');
    await waitUntil(() => closesOf(event.id).length >= 2, 'the close command, re-sent');
    expect(closesOf(event.id)[0].payload).toMatchObject({ schema: SCHEMAS.closeCommand, gateway: GW, asset: assetId(1), trigger: 'ss.doors' });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/commands/close/ack`, { schema: SCHEMAS.closeAck, tenant: TENANT, gateway: GW, ids: [event.id], time: Date.now() });
    await waitUntil(async () => (await db.query<{ acked_at: number | null }>('SELECT acked_at FROM pending_closes WHERE event_id = $1', [event.id]))[0].acked_at !== null, 'the close ack recorded');
    const feedback = cloud.get(FeedbackService);
    expect(await feedback.resendDue()).toBe(0);
    const passes = feedback.passes;
    await waitUntil(() => feedback.passes >= passes + 2, 'two re-send passes');
    const closes = closesOf(event.id).length;
    await waitUntil(() => feedback.passes >= passes + 4, 'two more re-send passes');
    expect(closesOf(event.id)).toHaveLength(closes);

    // The next problem carries what the finished orders showed.
    const next = triggerEvent({ tenant: TENANT, gateway: GW, asset: assetId(2), trigger: 'ss.doors', time: Date.now() });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, next);
    const nextRun = await runFor(next.id);
    const problem = nextRun.problem as { model: { activities: { id: string; reliability: number }[]; assignable: { resource: string; activity: string; theta: number }[] } };
    const seen = observed.activities.filter((a: ActivityRecord) => a.executed > 0);
    expect(seen.length).toBeGreaterThan(0);
    for (const a of seen) expect(problem.model.activities.find((x) => x.id === a.activity)!.reliability).toBe(a.reliability);
    for (const r of observed.resources.filter((x) => x.total > 0 && x.resource.startsWith('pr.'))) {
      expect(problem.model.assignable.find((e) => e.resource === r.resource && e.activity === r.activity)!.theta).toBe(r.theta);
    }
    expect((nextRun.explanation as { feedback: unknown[] }).feedback.length).toBeGreaterThan(0);
  });

  it('stores a redelivered event once and acknowledges it every time', async () => {
    const event = triggerEvent({ tenant: TENANT, gateway: GW, asset: assetId(3), trigger: 'ss.brake', time: Date.now() - 60_000 });
    const before = ackedIds().filter((id) => id === event.id).length;
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, event);
    await waitUntil(() => ackedIds().filter((id) => id === event.id).length === before + 1, 'the first ack');
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, event);
    await waitUntil(() => ackedIds().filter((id) => id === event.id).length === before + 2, 'the second ack');
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM trigger_events WHERE tenant = $1 AND event_id = $2', [TENANT, event.id]);
    expect(rows[0].n).toBe(1);
    await runFor(event.id);
    const orders = await db.query<{ n: number; runs: number }>('SELECT count(*)::int AS n, count(DISTINCT run_id)::int AS runs FROM work_orders WHERE tenant = $1 AND event_id = $2', [TENANT, event.id]);
    expect(orders[0].runs).toBe(1);
    expect(orders[0].n).toBeGreaterThan(0);
  });

  it('counts malformed payloads by cause, drops them, and keeps working', async () => {
    const inbound = cloud.get(InboundMessages);
    const before = inbound.invalidCount('trigger-event');
    const topic = `pss/v1/${TENANT}/${GW}/events/trigger`;
    const good = triggerEvent({ tenant: TENANT, gateway: GW, asset: assetId(4), trigger: 'ss.ropes', time: Date.now() });
    await gateway.publish(topic, 'not json at all');
    await gateway.publish(topic, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    await gateway.publish(topic, { ...good, tenant: 'other' });
    await gateway.publish(topic, { ...good, window: { start: good.time, deadline: good.time - HOUR } });
    await gateway.publish(topic, { pattern: 'x', data: good });
    await waitUntil(() => inbound.invalidCount('trigger-event') === before + 5, 'five invalid trigger events counted');
    expect(Object.keys(inbound.invalidCounts()).filter((k) => k.startsWith('trigger-event|')).length).toBeGreaterThanOrEqual(4);
    const exposed = await cloud.app.get<Registry>(METRICS).getSingleMetricAsString('pss_messages_invalid_total');
    expect(exposed).toMatch(/pss_messages_invalid_total\{kind="trigger-event",cause="[^"]+"\} \d+/);
    await gateway.publish(topic, good);
    await waitUntil(() => ackedIds().includes(good.id), 'the valid event after the bad ones acknowledged');
    const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM trigger_events WHERE tenant = $1 AND asset = $2', [TENANT, assetId(4)]);
    expect(stored[0].n).toBe(1);
  });
});
