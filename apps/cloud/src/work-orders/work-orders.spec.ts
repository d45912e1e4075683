// Work orders: dispatch, progress over MQTT and HTTP with its refusals, failure, cancellation, and the webhook
// (a real HTTP server that fails the first deliveries), on PGlite and a real Mosquitto broker.
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { ProgressReport, SCHEMAS } from '@pss/protocol';
import { RunningMosquitto, startMosquitto } from '@pss/test-servers';
import { Database, ObservedReliability, WorkOrder, WorkOrderHistoryEntry, runMigrations } from '../persistence';
import { Backend, startPgliteBackend } from '../persistence/testing/backends';
import { MODEL_ID, assetId, seedElevatorFleet, triggerEvent } from '../triggers/testing/fixtures';
import { MqttProbe, PipelineApp, TENANT, startPipeline, waitUntil } from '../triggers/testing/pipeline-harness';
import type { TriggerEventView } from '../triggers/trigger-store';
import { WebhookBody, WebhookNotifier } from './webhook';
import { WorkOrderService } from './work-order.service';

jest.setTimeout(120_000);

const GW = 'gw-site-1';
const VIEWER = `${TENANT}:viewer`;
const PLANNER = `${TENANT}:planner`;

describe('work orders', () => {
  let backend: Backend;
  let db: Database;
  let broker: RunningMosquitto;
  let cloud: PipelineApp;
  let gateway: MqttProbe;
  let technicians: MqttProbe;
  let webhook: Server;
  const hooks: WebhookBody[] = [];
  let refusals = 2;
  let orders: WorkOrder[];
  let eventId: string;

  beforeAll(async () => {
    backend = await startPgliteBackend();
    db = await backend.open();
    await runMigrations(db);
    await seedElevatorFleet(db, { tenant: TENANT, gateway: GW, count: 2 });
    // The webhook receiver answers 503 twice, then takes everything.
    webhook = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        if (refusals > 0) {
          refusals--;
          response.writeHead(503).end();
          return;
        }
        hooks.push(JSON.parse(body) as WebhookBody);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    broker = await startMosquitto({ persistence: false });
    cloud = await startPipeline({
      db,
      mqttUrl: broker.url,
      config: { webhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks` },
      options: { webhookBackoffMs: 20 },
    });
    gateway = await MqttProbe.connect(broker.url, [`pss/v1/${TENANT}/${GW}/events/ack`, `pss/v1/${TENANT}/${GW}/commands/close`]);
    technicians = await MqttProbe.connect(broker.url, [`pss/v1/${TENANT}/workorders/+`]);

    const event = triggerEvent({ tenant: TENANT, gateway: GW, asset: assetId(1), trigger: 'ss.brake', time: Date.now() });
    eventId = event.id;
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, event);
    await waitUntil(async () => {
      orders = (await cloud.request<WorkOrder[]>('GET', `/api/work-orders?event=${encodeURIComponent(eventId)}`, VIEWER)).body;
      return orders.length > 0 && orders.every((o) => o.state === 'dispatched');
    }, 'the event\'s work orders dispatched');
    orders.sort((a, b) => a.startAt - b.startAt);
  });

  afterAll(async () => {
    await gateway?.close();
    await technicians?.close();
    await cloud?.close();
    await broker?.dispose();
    await backend?.dispose();
    await new Promise<void>((resolve) => (webhook ? webhook.close(() => resolve()) : resolve()));
  });

  const copies = (resource: string, id: string, version: number) =>
    technicians.where((m) => m.topic === `pss/v1/${TENANT}/workorders/${resource}` && m.payload.id === id && m.payload.version === version);
  const current = async (id: string) => (await cloud.request<{ order: WorkOrder; history: WorkOrderHistoryEntry[] }>('GET', `/api/work-orders/${id}`, VIEWER)).body;

  it('shows a technician only the orders of its own resource', async () => {
    const resource = orders[0].resources[0];
    const mine = await cloud.request<WorkOrder[]>('GET', '/api/work-orders', `${TENANT}:technician:${resource}`);
    expect(mine.status).toBe(200);
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((o) => o.resources.includes(resource))).toBe(true);
    expect((await cloud.request('GET', '/api/work-orders?resource=pr.nobody', `${TENANT}:technician:${resource}`)).status).toBe(403);
    const other = orders.find((o) => !o.resources.includes('pr.liu'))!;
    expect((await cloud.request('GET', `/api/work-orders/${other.id}`, `${TENANT}:technician:pr.liu`)).status).toBe(404);
    expect((await cloud.request('GET', '/api/work-orders?state=bogus', VIEWER)).status).toBe(400);
  });

  it('refuses progress from a resource not on the order, and an invalid transition with the current order', async () => {
    const order = orders[0];
    const outsider = await cloud.request('POST', `/api/work-orders/${order.id}/progress`, `${TENANT}:technician:pr.liu`, { version: 1, from: 'assigned', to: 'accepted' });
    expect(outsider.status).toBe(order.resources.includes('pr.liu') ? 200 : 403);
    const viaMqtt = await cloud.get(WorkOrderService).onProgressReport({
      schema: SCHEMAS.progressReport,
      tenant: TENANT,
      workOrder: order.id,
      resource: 'pr.sun',
      version: 1,
      from: 'assigned',
      to: 'accepted',
      time: Date.now(),
    });
    expect(viaMqtt).toMatchObject({ ok: false, reason: 'not-assigned' });
    const skip = await cloud.request<{ error: string; order: WorkOrder }>('POST', `/api/work-orders/${order.id}/progress`, `${TENANT}:technician:${order.resources[0]}`, {
      version: 1,
      from: 'assigned',
      to: 'done',
    });
    expect(skip.status).toBe(409);
    expect(skip.body.order).toMatchObject({ id: order.id, version: 1, state: 'dispatched' });
    const bad = await cloud.request<{ issues: { path: string }[] }>('POST', `/api/work-orders/${order.id}/progress`, PLANNER, { version: 'one', from: 'planned', to: 'cancelled' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.path)).toEqual(['body.version', 'body.from', 'body.to']);
  });

  it('applies MQTT reports once, re-sends the order on a stale one, and counts a failure without closing the service', async () => {
    const order = orders[0];
    const resource = order.resources[0];
    const progress = (version: number, from: ProgressReport['from'], to: ProgressReport['to']): ProgressReport => ({
      schema: SCHEMAS.progressReport,
      tenant: TENANT,
      workOrder: order.id,
      resource,
      version,
      from,
      to,
      time: Date.now(),
    });
    const topic = `pss/v1/${TENANT}/workorders/${resource}/progress`;
    await technicians.publish(topic, progress(1, 'assigned', 'accepted'));
    await technicians.waitFor((m) => m.payload.id === order.id && m.payload.version === 2, 'v2 accepted');
    // Redelivered: nothing changes. Stale: the current version again.
    await technicians.publish(topic, progress(1, 'assigned', 'accepted'));
    await technicians.publish(topic, progress(1, 'assigned', 'failed'));
    await waitUntil(() => copies(resource, order.id, 2).length >= 2, 'v2 re-sent after the stale report');
    expect((await current(order.id)).order).toMatchObject({ version: 2, state: 'accepted' });

    await technicians.publish(topic, progress(2, 'accepted', 'failed'));
    await technicians.waitFor((m) => m.payload.id === order.id && m.payload.version === 3 && m.payload.state === 'failed', 'v3 failed');
    const { order: failed, history } = await current(order.id);
    expect(failed).toMatchObject({ state: 'failed', version: 3 });
    expect(history.map((h) => [h.version, h.to, h.actor])).toEqual([
      [0, 'planned', 'policy:knee'],
      [1, 'dispatched', 'system'],
      [2, 'accepted', resource],
      [3, 'failed', resource],
    ]);
    const observed = (await cloud.request<ObservedReliability>('GET', `/api/feedback/${MODEL_ID}`, VIEWER)).body;
    expect(observed.activities.find((a) => a.activity === order.activity)).toMatchObject({ failed: 1, executed: 1, reliability: 0 });
    expect((await cloud.request<TriggerEventView>('GET', `/api/triggers/${encodeURIComponent(eventId)}`, VIEWER)).body.state).toBe('planned');
  });

  it('lets a planner cancel the rest, tells their resources, and close the service by hand', async () => {
    const [, ...rest] = orders;
    const blocked = await cloud.request<{ workOrders: { id: string }[] }>('POST', `/api/triggers/${encodeURIComponent(eventId)}/close`, PLANNER);
    expect(blocked.status).toBe(409);
    expect(blocked.body.workOrders.map((o) => o.id).sort()).toEqual(rest.map((o) => o.id).sort());

    const [second, ...others] = rest;
    // A planner may report progress for any resource.
    const accepted = await cloud.request<WorkOrder>('POST', `/api/work-orders/${second.id}/progress`, PLANNER, { version: 1, from: 'assigned', to: 'accepted', note: 'by phone' });
    expect(accepted.body).toMatchObject({ state: 'accepted', version: 2, note: 'by phone' });
    expect((await cloud.request('POST', `/api/work-orders/${second.id}/cancel`, VIEWER, {})).status).toBe(403);
    expect((await cloud.request('POST', `/api/work-orders/${second.id}/cancel`, PLANNER, { version: 1 })).status).toBe(409);
    for (const order of [second, ...others]) {
      const cancelled = await cloud.request<WorkOrder>('POST', `/api/work-orders/${order.id}/cancel`, PLANNER, { note: 'parts not available' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.state).toBe('cancelled');
      for (const r of order.resources) {
        await technicians.waitFor((m) => m.topic.endsWith(`/${r}`) && m.payload.id === order.id && m.payload.state === 'cancelled', `the cancellation on ${r}`);
      }
    }
    expect((await cloud.request('POST', `/api/work-orders/${second.id}/cancel`, PLANNER, {})).status).toBe(409);
    const cancelledList = (await cloud.request<WorkOrder[]>('GET', '/api/work-orders?state=cancelled', VIEWER)).body;
    expect(cancelledList.map((o) => o.id).sort()).toEqual(rest.map((o) => o.id).sort());

    // Failed and cancelled orders leave the service to the planner, who closes it.
    const closed = await cloud.request<{ closed: boolean }>('POST', `/api/triggers/${encodeURIComponent(eventId)}/close`, PLANNER);
    expect(closed.body).toEqual({ closed: true, commandQueued: true });
    await gateway.waitFor((m) => m.topic.endsWith('/commands/close') && m.payload.event === eventId, 'the close command');
  });

  it('posts every change to the webhook, retrying the deliveries that failed', async () => {
    const notifier = cloud.get(WebhookNotifier);
    // dispatched ×n, cancelled ×(n-1), progress ×3 (the first accepted and failed, the second accepted)
    const expected = orders.length + (orders.length - 1) + 3;
    await waitUntil(() => hooks.length >= expected, `${expected} webhook deliveries`);
    expect(refusals).toBe(0);
    expect(notifier.stats.failed).toBe(0);
    const first = orders[0];
    const ofFirst = hooks.filter((h) => h.order.id === first.id).map((h) => [h.order.version, h.action]).sort();
    expect(ofFirst).toEqual([
      [1, 'dispatched'],
      [2, 'progress'],
      [3, 'progress'],
    ]);
    expect(hooks.every((h) => h.type === 'work-order' && h.tenant === TENANT)).toBe(true);
  });
});
