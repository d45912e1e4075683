// Close commands owed to gateways: sent when a service closes, re-sent to gateways that are not offline and on
// every birth, until the gateway acknowledges them. The background loops are off: the test drives the passes.
import { GatewayStatus, SCHEMAS } from '@pss/protocol';
import { RunningMosquitto, startMosquitto } from '@pss/test-servers';
import { Database, runMigrations } from '../persistence';
import { Backend, startPgliteBackend } from '../persistence/testing/backends';
import { InboundMessages } from '../triggers/inbound';
import { LiveEvent, LiveEvents } from '../triggers/live-events';
import { seedElevatorFleet, triggerEvent } from '../triggers/testing/fixtures';
import { MqttProbe, PipelineApp, TENANT, startPipeline, waitUntil } from '../triggers/testing/pipeline-harness';
import { FeedbackService, serviceOutcome } from './feedback.service';

jest.setTimeout(120_000);

const GW = 'gw-depot-2';

function status(state: 'online' | 'offline', session: string): GatewayStatus {
  const now = Date.now();
  return state === 'online'
    ? { schema: SCHEMAS.gatewayStatus, tenant: TENANT, gateway: GW, state, session, version: '0.4.0', startedAt: now, time: now, spoolDepth: 0 }
    : { schema: SCHEMAS.gatewayStatus, tenant: TENANT, gateway: GW, state, session, version: '0.4.0', startedAt: now, time: now, reason: 'connection-lost' };
}

describe('serviceOutcome', () => {
  it('completes a service when its orders are final, none failed, one done', () => {
    expect(serviceOutcome([])).toBe('no-orders');
    expect(serviceOutcome([{ state: 'done' }, { state: 'in_progress' }])).toBe('in-progress');
    expect(serviceOutcome([{ state: 'done' }, { state: 'cancelled' }])).toBe('completed');
    expect(serviceOutcome([{ state: 'done' }, { state: 'failed' }])).toBe('failed');
    expect(serviceOutcome([{ state: 'cancelled' }])).toBe('cancelled');
  });
});

describe('close commands until acknowledged', () => {
  let backend: Backend;
  let db: Database;
  let broker: RunningMosquitto;
  let cloud: PipelineApp;
  let gateway: MqttProbe;
  let feedback: FeedbackService;
  const live: LiveEvent[] = [];

  beforeAll(async () => {
    backend = await startPgliteBackend();
    db = await backend.open();
    await runMigrations(db);
    await seedElevatorFleet(db, { tenant: TENANT, gateway: GW, count: 1 });
    broker = await startMosquitto({ persistence: false });
    cloud = await startPipeline({ db, mqttUrl: broker.url, options: { background: false } });
    cloud.get(LiveEvents).all$.subscribe((e) => live.push(e));
    feedback = cloud.get(FeedbackService);
    gateway = await MqttProbe.connect(broker.url, [`pss/v1/${TENANT}/${GW}/events/ack`, `pss/v1/${TENANT}/${GW}/commands/close`]);
  });

  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
    await broker?.dispose();
    await backend?.dispose();
  });

  const closes = (eventId: string) => gateway.where((m) => m.topic.endsWith('/commands/close') && m.payload.event === eventId);

  it('re-sends to an online gateway, waits for an offline one\'s birth, and stops at the ack', async () => {
    await gateway.publish(`pss/v1/${TENANT}/${GW}/status`, status('online', 's1'));
    await waitUntil(() => live.some((e) => e.type === 'gateway-status' && e.gateway.session === 's1'), 'the birth applied');

    // A parked event (its asset is unknown), closed by a planner.
    const event = triggerEvent({ tenant: TENANT, gateway: GW, asset: 'lift-x', trigger: 'ss.doors', time: Date.now() });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/events/trigger`, event);
    await gateway.waitFor((m) => m.topic.endsWith('/events/ack') && (m.payload.ids as string[]).includes(event.id), 'the ack');
    const closed = await cloud.request('POST', `/api/triggers/${encodeURIComponent(event.id)}/close`, `${TENANT}:planner`);
    expect(closed.body).toEqual({ closed: true, commandQueued: true });
    await waitUntil(() => closes(event.id).length === 1, 'the close command');

    // Online: every pass re-sends.
    expect(await feedback.resendDue()).toBe(1);
    await waitUntil(() => closes(event.id).length === 2, 'the re-sent close command');

    // Offline (its last will): passes leave it alone; its next birth gets everything owed at once.
    await gateway.publish(`pss/v1/${TENANT}/${GW}/status`, status('offline', 's1'));
    await waitUntil(() => live.some((e) => e.type === 'gateway-status' && e.gateway.state === 'offline'), 'the death applied');
    expect(await feedback.resendDue()).toBe(0);
    await gateway.publish(`pss/v1/${TENANT}/${GW}/status`, status('online', 's2'));
    await waitUntil(() => closes(event.id).length === 3, 'the close command re-sent on the birth');

    // Acknowledged (twice, with an unknown id): nothing more is sent.
    const ack = { schema: SCHEMAS.closeAck, tenant: TENANT, gateway: GW, ids: [event.id, 'never-sent'], time: Date.now() };
    await gateway.publish(`pss/v1/${TENANT}/${GW}/commands/close/ack`, ack);
    await gateway.publish(`pss/v1/${TENANT}/${GW}/commands/close/ack`, ack);
    await waitUntil(async () => (await db.query<{ acked_at: number | null }>('SELECT acked_at FROM pending_closes WHERE event_id = $1', [event.id]))[0].acked_at !== null, 'the ack recorded');
    expect(await feedback.resendDue()).toBe(0);
    expect(await feedback.resendForGateway(TENANT, GW)).toBe(0);
  });

  it('takes an empty retained status (a retired gateway) without counting it as invalid', async () => {
    const inbound = cloud.get(InboundMessages);
    const before = inbound.invalidCount('status');
    await gateway.publish(`pss/v1/${TENANT}/${GW}/status`, '', { retain: true });
    await gateway.publish(`pss/v1/${TENANT}/${GW}/status`, '{"schema":"pss.gateway-status/v1"}');
    // Delivered in order, and each handler checks its payload before it awaits anything: the empty one went first.
    await waitUntil(() => inbound.invalidCount('status') >= before + 1, 'the invalid status counted');
    expect(inbound.invalidCount('status')).toBe(before + 1);
    expect(Object.keys(inbound.invalidCounts()).filter((k) => k.startsWith('status|'))).toEqual([expect.stringMatching(/^status\|/)]);
  });
});
