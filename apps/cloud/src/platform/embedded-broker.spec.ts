// The embedded broker against real MQTT clients (mqtt.js) and API keys in a real database (PGlite): who may
// connect, publish and subscribe.
import { MqttClient, connect } from 'mqtt';
import pino from 'pino';
import { ApiKeyRepository, Database, PgliteDatabase, generateApiKeySecret, hashApiKey, runMigrations } from '../persistence';
import { ApiKeyAuthenticator } from './authenticator';
import { EmbeddedBroker } from './embedded-broker';
import { Role } from './tokens';

jest.setTimeout(60_000);

const ADMIN_KEY = 'pss_bootstrap_admin_for_broker_spec';

interface Received {
  topic: string;
  payload: string;
}

function connectClient(url: string, username: string | undefined, password: string | undefined): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = connect(url, { username, password, reconnectPeriod: 0, connectTimeout: 5000, clientId: `spec-${Math.random().toString(16).slice(2)}` });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** The CONNACK return code of a refused connection. */
async function refusalCode(url: string, username: string | undefined, password: string | undefined): Promise<number | undefined> {
  try {
    const client = await connectClient(url, username, password);
    await client.endAsync();
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}

/** The SUBACK code for one filter: the granted QoS, or 128 (refused; mqtt.js rejects then). */
async function grantedQos(client: MqttClient, topicFilter: string): Promise<number> {
  try {
    const granted = await client.subscribeAsync(topicFilter, { qos: 1 });
    return granted[0].qos;
  } catch (error) {
    const granted = (error as { packet?: { granted?: number[] } }).packet?.granted;
    if (granted === undefined) throw error;
    return granted[0];
  }
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

describe('embedded MQTT broker', () => {
  let db: Database;
  let broker: EmbeddedBroker;
  let url: string;
  let observer: MqttClient;
  const received: Received[] = [];
  const keys = new Map<string, { id: string; secret: string }>();
  const clients: MqttClient[] = [];

  async function addKey(name: string, role: Role, tenant = 'acme', resource: string | null = null): Promise<void> {
    const secret = generateApiKeySecret();
    const key = await new ApiKeyRepository(db).insert({ tenant, name, role, keyHash: hashApiKey(secret), resource, createdAt: Date.now() });
    keys.set(name, { id: key.id, secret });
  }

  async function client(name: string): Promise<MqttClient> {
    const c = await connectClient(url, name, keys.get(name)!.secret);
    clients.push(c);
    return c;
  }

  /** Publishes a sentinel as the cloud and waits for the observer to see it: what was refused before it never came. */
  async function drain(): Promise<void> {
    const marker = `sentinel-${received.length}-${Math.random()}`;
    const seen = new Promise<void>((resolve) => {
      const check = (topic: string, payload: Buffer): void => {
        if (payload.toString() === marker) {
          observer.off('message', check);
          resolve();
        }
      };
      observer.on('message', check);
    });
    await observer.publishAsync('pss/v1/acme/gw-sentinel/status', marker, { qos: 1 });
    await seen;
  }

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await runMigrations(db);
    await addKey('gw', 'gateway');
    await addKey('tech-li', 'technician', 'acme', 'pr.li');
    await addKey('viewer', 'viewer');
    await addKey('planner', 'planner');
    await addKey('admin', 'admin');
    await addKey('revoked', 'gateway');
    await new ApiKeyRepository(db).revoke('acme', keys.get('revoked')!.id, Date.now());
    broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', authenticator: new ApiKeyAuthenticator(db, ADMIN_KEY, 'acme'), logger: pino({ level: 'silent' }) });
    await broker.start();
    url = broker.localUrl;
    observer = await connectClient(url, broker.internalCredential.username, broker.internalCredential.password);
    observer.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    await observer.subscribeAsync('pss/v1/#', { qos: 1 });
  });

  afterAll(async () => {
    await Promise.all([...clients, observer].filter(Boolean).map((c) => c.endAsync(true)));
    await broker?.stop();
    await db?.close();
  });

  it('refuses viewers, planners, revoked and unknown keys, a wrong internal password and clients without a password', async () => {
    expect(await refusalCode(url, 'viewer', keys.get('viewer')!.secret)).toBe(5);
    expect(await refusalCode(url, 'planner', keys.get('planner')!.secret)).toBe(5);
    expect(await refusalCode(url, 'revoked', keys.get('revoked')!.secret)).toBe(4);
    expect(await refusalCode(url, 'x', 'pss_unknown')).toBe(4);
    expect(await refusalCode(url, broker.internalCredential.username, 'guess')).toBe(4);
    expect(await refusalCode(url, undefined, undefined)).toBe(5);
    expect(await refusalCode(url, 'bootstrap', ADMIN_KEY)).toBeUndefined();
    expect(broker.status().refused.connect).toBe(6);
  });

  it("delivers a gateway's trigger event on its own tenant's topic", async () => {
    const gw = await client('gw');
    await gw.publishAsync('pss/v1/acme/gw-1/events/trigger', '{"from":"gw"}', { qos: 1 });
    await drain();
    expect(received).toContainEqual({ topic: 'pss/v1/acme/gw-1/events/trigger', payload: '{"from":"gw"}' });
  });

  it("closes a gateway that publishes on another tenant's trigger topic, and delivers nothing", async () => {
    const gw = await client('gw');
    const gone = closed(gw);
    gw.publish('pss/v1/other/gw-1/events/trigger', '{"from":"intruder"}', { qos: 1 });
    await gone;
    await drain();
    expect(received.filter((m) => m.topic.startsWith('pss/v1/other/'))).toEqual([]);
    expect(broker.status().refused.publish).toBeGreaterThanOrEqual(1);
  });

  it('lets a technician report progress on its own work orders only', async () => {
    const tech = await client('tech-li');
    await tech.publishAsync('pss/v1/acme/workorders/pr.li/progress', '{"by":"li"}', { qos: 1 });
    await drain();
    expect(received).toContainEqual({ topic: 'pss/v1/acme/workorders/pr.li/progress', payload: '{"by":"li"}' });
    const gone = closed(tech);
    tech.publish('pss/v1/acme/workorders/pr.wang/progress', '{"by":"li as wang"}', { qos: 1 });
    await gone;
    await drain();
    expect(received.filter((m) => m.topic.includes('pr.wang'))).toEqual([]);
  });

  it('grants subscriptions by role: a gateway gets its acks and close commands, not other tenants or work orders', async () => {
    const gw = await client('gw');
    const filters = [
      'pss/v1/acme/gw-1/commands/close',
      'pss/v1/acme/gw-1/events/ack',
      'pss/v1/other/gw-1/commands/close',
      'pss/v1/acme/workorders/pr.li',
      'pss/v1/acme/#',
    ];
    const granted: [string, number][] = [];
    for (const f of filters) granted.push([f, await grantedQos(gw, f)]);
    expect(granted).toEqual([
      ['pss/v1/acme/gw-1/commands/close', 1],
      ['pss/v1/acme/gw-1/events/ack', 1],
      ['pss/v1/other/gw-1/commands/close', 128],
      ['pss/v1/acme/workorders/pr.li', 128],
      ['pss/v1/acme/#', 128],
    ]);
    const arrived = new Promise<string>((resolve) => gw.once('message', (_t, payload) => resolve(payload.toString())));
    await observer.publishAsync('pss/v1/acme/gw-1/commands/close', 'close it', { qos: 1 });
    expect(await arrived).toBe('close it');
  });

  it("takes the cloud's shared subscriptions as plain ones (aedes has no $share; one instance owns the broker)", async () => {
    const cloudSide = await connectClient(url, broker.internalCredential.username, broker.internalCredential.password);
    clients.push(cloudSide);
    expect(await grantedQos(cloudSide, '$share/pss-cloud/pss/v1/+/+/telemetry')).toBe(1);
    const arrived = new Promise<string>((resolve) => cloudSide.once('message', (topic) => resolve(topic)));
    const gw = await client('gw');
    await gw.publishAsync('pss/v1/acme/gw-1/telemetry', '{}', { qos: 1 });
    expect(await arrived).toBe('pss/v1/acme/gw-1/telemetry');
  });

  it('closes the connections of a revoked key', async () => {
    await addKey('soon-revoked', 'gateway');
    const gw = await client('soon-revoked');
    const gone = closed(gw);
    expect(broker.disconnectKey('acme', keys.get('soon-revoked')!.id)).toBe(1);
    await gone;
    expect(gw.connected).toBe(false);
  });
});
