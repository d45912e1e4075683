// The embedded broker against real clients: mosquitto_pub (a foreign client, as a child process) and mqtt.js.
// Credentials, ACLs on publish and subscribe, bad input counted while the broker keeps serving, devices talking to
// each other through it, and Sparkplug B births and data.
import { spawn } from 'node:child_process';
import { MqttClient, connectAsync } from 'mqtt';
import type { DeviceCredentials, MqttBinding } from '../config/types';
import { EmbeddedBroker } from './embedded-broker';
import { MqttRouter } from './router';
import { encodeSparkplugPayload } from './sparkplug';
import { ModelPart } from './status-catalog';
import { RecordingLogger, RecordingSink, waitFor } from './test-support';

jest.setTimeout(25_000);

const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';

const PARTS: ModelPart[] = [
  { id: 'p.axle', statuses: [{ key: 'vibration_rms' }, { key: 'temperature' }] },
  { id: 'p.brake-front', statuses: [{ key: 'wear' }] },
];

const telemetry = (vehicle: string): MqttBinding => ({ format: 'json', asset: vehicle, broker: 'embedded', topic: `vehicles/${vehicle}/telemetry`, timePath: '$.time', values: {}, valuesObjectPath: '$.values' });

const BINDINGS: MqttBinding[] = [
  telemetry('car-0001'),
  telemetry('car-0002'),
  { format: 'sparkplug', asset: 'car-0005', broker: 'embedded', group: 'pss', node: 'car-0005', device: 'vehicle', metrics: {} },
];

const vehicle = (username: string): DeviceCredentials => ({ username, password: `pw-${username}`, publish: ['vehicles/{username}/#'], subscribe: ['vehicles/+/status'] });

const DEVICES: DeviceCredentials[] = [
  vehicle('car-0001'),
  vehicle('car-0002'),
  { username: 'car-0005', password: 'pw-car-0005', publish: ['spBv1.0/pss/+/{username}', 'spBv1.0/pss/+/{username}/#'], subscribe: ['spBv1.0/pss/NCMD/{username}'] },
];

const T0 = Date.UTC(2025, 0, 6, 8);

let broker: EmbeddedBroker;
const sink = new RecordingSink();
const logger = new RecordingLogger();
const clients: MqttClient[] = [];
let cleanupBlocker: (() => Promise<void>) | undefined;

interface Exit {
  code: number | null;
  output: string;
}

/** Runs mosquitto_pub against the broker; killed after 8 s so that a hanging client fails the test, not jest. */
function mosquittoPub(args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(broker.port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const pub = (username: string, password: string, topic: string, message: string, qos = 1): Promise<Exit> =>
  mosquittoPub(['-i', `pub-${username}-${Date.now()}`, '-u', username, '-P', password, '-q', String(qos), '-t', topic, '-m', message]);

const telemetryMessage = (values: Record<string, unknown>, time = T0): string => JSON.stringify({ vehicle: 'x', model: 'm', time, seq: 0, values });

async function device(username: string, password: string, extra: Parameters<typeof connectAsync>[1] = {}): Promise<MqttClient> {
  const client = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: `mqttjs-${username}`, username, password, protocolVersion: 4, reconnectPeriod: 0, ...extra });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  broker = new EmbeddedBroker({ config: { host: '127.0.0.1', port: 0, devices: DEVICES, allowAnonymous: false, ignoreTopics: [] }, router: new MqttRouter(BINDINGS, PARTS), sink, logger });
  await broker.start();
});

afterAll(async () => {
  for (const c of clients) await c.endAsync(true);
  await broker?.stop();
  await cleanupBlocker?.();
});

describe('EmbeddedBroker', () => {
  it('listens on a free port and reports its status', () => {
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.status()).toMatchObject({ name: 'mqtt:embedded', kind: 'mqtt-embedded', state: 'listening', reconnects: 0, clients: 0 });
    // Two JSON topics and six Sparkplug births/data/deaths are read.
    expect(broker.status().items).toBe(8);
  });

  it('turns JSON published by mosquitto_pub with good credentials into samples', async () => {
    const r = await pub('car-0001', 'pw-car-0001', 'vehicles/car-0001/telemetry', telemetryMessage({ 'p.axle.temperature': 61.5, 'p.brake-front.wear': 0.2 }));
    expect(r).toEqual({ code: 0, output: '' });
    await waitFor('two samples of car-0001', () => sink.samples.filter((s) => s.asset === 'car-0001').length >= 2);
    expect(sink.samples.filter((s) => s.asset === 'car-0001')).toEqual([
      { asset: 'car-0001', part: 'p.axle', status: 'temperature', time: T0, value: 61.5, source: 'mqtt:embedded' },
      { asset: 'car-0001', part: 'p.brake-front', status: 'wear', time: T0, value: 0.2, source: 'mqtt:embedded' },
    ]);
    expect(sink.rejects).toEqual([]);
  });

  it('refuses a bad password and a client without credentials, and counts them', async () => {
    const bad = await pub('car-0002', 'wrong', 'vehicles/car-0002/telemetry', telemetryMessage({ 'p.axle.temperature': 1 }));
    expect(bad.code).not.toBe(0);
    const anonymous = await mosquittoPub(['-i', 'anon', '-t', 'vehicles/car-0002/telemetry', '-m', telemetryMessage({ 'p.axle.temperature': 1 })]);
    expect(anonymous.code).not.toBe(0);
    const unknown = await pub('nobody', 'pw-car-0002', 'vehicles/car-0002/telemetry', telemetryMessage({ 'p.axle.temperature': 1 }));
    expect(unknown.code).not.toBe(0);
    const stats = broker.stats();
    expect(stats.refused.auth).toBe(3);
    expect(stats.refusedByUsername['car-0002']).toEqual({ auth: 1, publish: 0, subscribe: 0 });
    expect(stats.refusedByUsername['(anonymous)']).toEqual({ auth: 1, publish: 0, subscribe: 0 });
    expect(stats.refusedByUsername['nobody']).toEqual({ auth: 1, publish: 0, subscribe: 0 });
    expect(sink.samples.filter((s) => s.asset === 'car-0002')).toEqual([]);
    const warned = logger.lines.filter((l) => l.level === 'warn' && (l.obj as { refused?: string }).refused === 'auth');
    expect(warned.map((l) => (l.obj as { username: string }).username)).toEqual(['car-0002', '(anonymous)', 'nobody']);
  });

  it('logs repeated refusals of one username at most once per interval, and still counts them', async () => {
    for (let i = 0; i < 2; i++) expect((await pub('car-0002', 'wrong-again', 'vehicles/car-0002/telemetry', '{}')).code).not.toBe(0);
    expect(broker.stats().refusedByUsername['car-0002'].auth).toBe(3);
    const warned = logger.lines.filter((l) => l.level === 'warn' && (l.obj as { username?: string }).username === 'car-0002');
    expect(warned).toHaveLength(1);
  });

  it('does not deliver a publication outside the device ACL, and counts it', async () => {
    await pub('car-0001', 'pw-car-0001', 'vehicles/car-0002/telemetry', telemetryMessage({ 'p.axle.temperature': 666 }), 0);
    await waitFor('the refused publication to be counted', () => broker.stats().refused.publish === 1);
    expect(broker.stats().refusedByUsername['car-0001'].publish).toBe(1);
    // The owner's own publication arrives, the forged one never did.
    await pub('car-0002', 'pw-car-0002', 'vehicles/car-0002/telemetry', telemetryMessage({ 'p.axle.temperature': 20 }));
    await waitFor('car-0002 sample', () => sink.samples.some((s) => s.asset === 'car-0002'));
    expect(sink.samples.filter((s) => s.asset === 'car-0002').map((s) => s.value)).toEqual([20]);
  });

  it('counts malformed JSON, unknown topics and non-numbers, keeps running, and a later good message arrives', async () => {
    sink.clear();
    await pub('car-0001', 'pw-car-0001', 'vehicles/car-0001/telemetry', '{"time": 1, "values": {');
    await pub('car-0001', 'pw-car-0001', 'vehicles/car-0001/elsewhere', telemetryMessage({ 'p.axle.temperature': 1 }));
    await pub('car-0001', 'pw-car-0001', 'vehicles/car-0001/telemetry', telemetryMessage({ 'p.axle.temperature': 'NaN', 'p.axle.vibration_rms': 'fast', 'p.axle.nothing': 1 }));
    await pub('car-0001', 'pw-car-0001', 'vehicles/car-0001/telemetry', telemetryMessage({ 'p.axle.temperature': 1 }, 42));
    await pub('car-0001', 'pw-car-0001', 'vehicles/car-0001/telemetry', JSON.stringify({ time: 'yesterday', values: { 'p.axle.temperature': 1 } }));
    await pub('car-0001', 'pw-car-0001', 'vehicles/car-0001/telemetry', telemetryMessage({ 'p.axle.vibration_rms': 3.3 }, T0 + 1000));
    await waitFor('the last good sample', () => sink.samples.some((s) => s.value === 3.3));
    expect(sink.causes().sort()).toEqual(['invalid-time', 'malformed-payload', 'not-a-number', 'not-a-number', 'unknown-status', 'unknown-topic']);
    expect(sink.rejects.find((r) => r.cause === 'unknown-topic')?.detail).toBe('topic "vehicles/car-0001/elsewhere" on broker "embedded": no binding reads it');
    expect(sink.samples.map((s) => [s.status, s.time, s.value])).toEqual([
      ['temperature', 42, 1],
      ['vibration_rms', T0 + 1000, 3.3],
    ]);
    expect(sink.rejects.every((r) => r.source === 'mqtt:embedded')).toBe(true);
    expect(broker.status().state).toBe('listening');
  });

  it('is a real broker: devices subscribe to each other within their ACL, refused filters get 0x80', async () => {
    const car2 = await device('car-0002', 'pw-car-0002');
    // mqtt.js reports a SUBACK with a refused filter as an error; the SUBACK itself has the return codes.
    const codes = await new Promise<unknown[]>((resolve, reject) =>
      car2.subscribe(['vehicles/+/status', 'vehicles/#'], { qos: 1 }, (err, _granted, suback) => (suback ? resolve(suback.granted) : reject(err ?? new Error('no SUBACK')))),
    );
    expect(codes).toEqual([1, 128]);
    expect(broker.stats().refused.subscribe).toBe(1);
    expect(broker.stats().refusedByUsername['car-0002'].subscribe).toBe(1);
    expect(broker.status().clients).toBe(1);
    const received = new Promise<[string, string]>((resolve) => car2.once('message', (topic, payload) => resolve([topic, payload.toString()])));
    sink.clear();
    expect((await pub('car-0001', 'pw-car-0001', 'vehicles/car-0001/status', '{"online":true}')).code).toBe(0);
    expect(await received).toEqual(['vehicles/car-0001/status', '{"online":true}']);
    // The gateway reads no status topic: it says so, and nothing about $SYS or the broker's own messages.
    await waitFor('the unknown-topic report', () => sink.rejects.length > 0);
    expect(sink.rejects.map((r) => [r.cause, r.detail.includes('vehicles/car-0001/status')])).toEqual([['unknown-topic', true]]);
  });

  it('reads Sparkplug B births and data from an mqtt.js device, by name and by alias', async () => {
    sink.clear();
    const node = await device('car-0005', 'pw-car-0005', {
      will: { topic: 'spBv1.0/pss/NDEATH/car-0005', payload: encodeSparkplugPayload({ metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] }), qos: 1, retain: false },
    });
    await node.publishAsync('spBv1.0/pss/NBIRTH/car-0005', encodeSparkplugPayload({ timestamp: T0, seq: 0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] }), { qos: 1 });
    await node.publishAsync(
      'spBv1.0/pss/DBIRTH/car-0005/vehicle',
      encodeSparkplugPayload({
        timestamp: T0,
        seq: 1,
        metrics: [
          { name: 'p.axle/temperature', alias: 1, type: 'Double', value: 55, timestamp: T0 },
          { name: 'p.brake-front/wear', alias: 2, type: 'UInt64', value: 2, timestamp: T0 },
        ],
      }),
      { qos: 1 },
    );
    await node.publishAsync('spBv1.0/pss/DDATA/car-0005/vehicle', encodeSparkplugPayload({ timestamp: T0 + 60_000, seq: 2, metrics: [{ alias: 1, type: 'Double', value: 56.5 }] }), { qos: 1 });
    await waitFor('three Sparkplug samples', () => sink.samples.filter((s) => s.asset === 'car-0005').length >= 3);
    expect(sink.samples.map((s) => [s.part, s.status, s.time, s.value])).toEqual([
      ['p.axle', 'temperature', T0, 55],
      ['p.brake-front', 'wear', T0, 2],
      ['p.axle', 'temperature', T0 + 60_000, 56.5],
    ]);
    expect(sink.rejects).toEqual([]);
    // A device may not publish as another edge node.
    await node.publishAsync('spBv1.0/pss/DDATA/car-0006/vehicle', Buffer.from('x'), { qos: 0 }).catch(() => undefined);
    await waitFor('the refused Sparkplug publication', () => broker.stats().refusedByUsername['car-0005']?.publish === 1);
  });

  it('stops with clients connected, closing them, and refuses new connections', async () => {
    const car1 = await device('car-0001', 'pw-car-0001');
    const closed = new Promise<void>((resolve) => car1.once('close', () => resolve()));
    const port = broker.port;
    await broker.stop();
    await closed;
    expect(broker.status()).toMatchObject({ state: 'stopped', clients: 0 });
    await broker.stop();
    const late = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'late', username: 'car-0001', password: 'pw-car-0001', reconnectPeriod: 0, connectTimeout: 2000 }).then(
      (c) => c.endAsync(true).then(() => 'connected'),
      (e: Error) => e.message,
    );
    expect(late).toMatch(/ECONNREFUSED/);
  });

  it('fails to start on a port in use, naming it', async () => {
    const blocker = new EmbeddedBroker({ config: { host: '127.0.0.1', port: 0, devices: [], allowAnonymous: true, ignoreTopics: [] }, router: new MqttRouter([], PARTS), sink, logger });
    await blocker.start();
    cleanupBlocker = () => blocker.stop();
    const second = new EmbeddedBroker({ config: { host: '127.0.0.1', port: blocker.port, devices: [], allowAnonymous: false, ignoreTopics: [] }, router: new MqttRouter([], PARTS), sink, logger });
    await expect(second.start()).rejects.toThrow(`embedded MQTT broker cannot listen on 127.0.0.1:${blocker.port}`);
    await second.stop();
  });
});
