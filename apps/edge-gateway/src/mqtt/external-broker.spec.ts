// ExternalBrokerSource against a real Mosquitto: down at start (not an error), samples through it, a broker restart
// without persistence (the session is gone: the source must reconnect and subscribe again), and TLS from files.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttClient, connectAsync } from 'mqtt';
import { RunningMosquitto, freePort, startMosquitto } from '@pss/test-servers';
import type { ExternalBrokerConfig, MqttBinding } from '../config/types';
import { ExternalBrokerSource } from './external-broker';
import { MqttRouter } from './router';
import { encodeSparkplugPayload } from './sparkplug';
import { ModelPart } from './status-catalog';
import { RecordingLogger, RecordingSink, waitFor } from './test-support';

jest.setTimeout(25_000);

const PARTS: ModelPart[] = [{ id: 'p.axle', statuses: [{ key: 'temperature' }] }];
const BINDINGS: MqttBinding[] = [
  { format: 'json', asset: 'press-1', broker: 'plant', topic: 'plant/press-1/state', timePath: '$.t', values: { 'p.axle.temperature': '$.temp' } },
  { format: 'sparkplug', asset: 'car-0005', broker: 'plant', group: 'pss', node: 'car-0005', device: 'vehicle', metrics: {} },
];
const T0 = Date.UTC(2025, 0, 6, 8);

const config = (port: number, extra: Partial<ExternalBrokerConfig> = {}): ExternalBrokerConfig => ({
  name: 'plant',
  url: `mqtt://127.0.0.1:${port}`,
  clientId: `gw-test-${port}`,
  keepaliveS: 10,
  protocolVersion: 5,
  reconnectPeriodMs: 200,
  ...extra,
});

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function source(cfg: ExternalBrokerConfig, sink: RecordingSink, logger = new RecordingLogger()): ExternalBrokerSource {
  const router = new MqttRouter(BINDINGS, PARTS);
  const s = new ExternalBrokerSource({ config: cfg, router, topics: router.topics('plant'), sink, logger });
  cleanups.push(() => s.stop());
  return s;
}

async function publisher(url: string, options: Parameters<typeof connectAsync>[1] = {}): Promise<MqttClient> {
  const client = await connectAsync(url, { clientId: `dev-${Date.now()}`, protocolVersion: 4, reconnectPeriod: 200, ...options });
  cleanups.push(() => client.endAsync(true));
  return client;
}

async function mosquitto(options: Parameters<typeof startMosquitto>[0]): Promise<RunningMosquitto> {
  const m = await startMosquitto(options);
  cleanups.push(() => m.dispose());
  return m;
}

describe('ExternalBrokerSource', () => {
  it('starts with the broker down, connects when it comes, reads JSON and Sparkplug, and survives a restart', async () => {
    const port = await freePort();
    const sink = new RecordingSink();
    const logger = new RecordingLogger();
    const src = source(config(port), sink, logger);
    await src.start();
    expect(src.status()).toMatchObject({ name: 'mqtt:plant', kind: 'mqtt-external', state: 'connecting', reconnects: 0, items: 0 });
    await waitFor('a connection error', () => src.status().lastError);
    expect(src.status().state).not.toBe('connected');

    // No persistence: a restart loses the session, so samples after it prove the source subscribed again.
    const broker = await mosquitto({ port, persistence: false });
    await waitFor('the source to connect and subscribe', () => src.status().state === 'connected' && src.status().items === 7);
    expect(src.status().reconnects).toBe(0);

    const dev = await publisher(broker.url);
    await dev.publishAsync('plant/press-1/state', JSON.stringify({ t: T0, temp: 40 }), { qos: 1 });
    await dev.publishAsync('spBv1.0/pss/NBIRTH/car-0005', encodeSparkplugPayload({ timestamp: T0, seq: 0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] }), { qos: 1 });
    await dev.publishAsync('spBv1.0/pss/DBIRTH/car-0005/vehicle', encodeSparkplugPayload({ timestamp: T0, seq: 1, metrics: [{ name: 'p.axle/temperature', type: 'Double', value: 70, timestamp: T0 }] }), { qos: 1 });
    await waitFor('two samples', () => sink.samples.length >= 2);
    expect(sink.samples).toEqual([
      { asset: 'press-1', part: 'p.axle', status: 'temperature', time: T0, value: 40, source: 'mqtt:plant' },
      { asset: 'car-0005', part: 'p.axle', status: 'temperature', time: T0, value: 70, source: 'mqtt:plant' },
    ]);
    expect(sink.rejects).toEqual([]);

    await broker.restart();
    await waitFor('a reconnection', () => src.status().reconnects >= 1 && src.status().state === 'connected');
    // The publisher reconnects on its own schedule, and the source's SUBSCRIBE may still be in flight: publish
    // until a sample comes through (QoS 0 on a fresh session is not queued for anyone).
    let n = 0;
    await waitFor('a sample after the restart', () => {
      if (dev.connected && n++ % 10 === 0) dev.publish('plant/press-1/state', JSON.stringify({ t: T0 + 1000, temp: 41 }), { qos: 1 });
      return sink.samples.some((s) => s.value === 41);
    });
    expect(src.status()).toMatchObject({ state: 'connected', items: 7 });
    expect(src.status().reconnects).toBeGreaterThanOrEqual(1);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg === 'MQTT connection lost, reconnecting')).toBe(true);

    await src.stop();
    expect(src.status().state).toBe('stopped');
    await src.stop();
  });

  it('resumes its persistent session on a broker that kept it (MQTT 3.1.1, persistent Mosquitto)', async () => {
    const broker = await mosquitto({ persistence: true });
    const sink = new RecordingSink();
    const logger = new RecordingLogger();
    const src = source(config(broker.port, { protocolVersion: 4, clientId: 'gw-persistent' }), sink, logger);
    await src.start();
    await waitFor('the first connection', () => src.status().state === 'connected' && src.status().items === 7);
    await broker.restart();
    await waitFor('a reconnection', () => src.status().reconnects >= 1 && src.status().state === 'connected');
    const resumed = logger.lines.filter((l) => l.msg === 'MQTT connected').map((l) => (l.obj as { sessionPresent: boolean }).sessionPresent);
    expect(resumed).toEqual([false, true]);
    expect(src.status().items).toBe(7);
    const dev = await publisher(broker.url);
    await dev.publishAsync('plant/press-1/state', JSON.stringify({ t: T0, temp: 33 }), { qos: 1 });
    await waitFor('a sample through the kept subscriptions', () => sink.samples.some((s) => s.value === 33));
  });

  it('connects over TLS with a CA file, and refuses a server it cannot verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pss-gw-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pki = makePki(dir);
    const tlsPort = await freePort();
    const broker = await mosquitto({ persistence: false, extraConfig: [`listener ${tlsPort} 127.0.0.1`, `cafile ${pki.ca}`, `certfile ${pki.cert}`, `keyfile ${pki.key}`] });

    const sink = new RecordingSink();
    const src = source(config(tlsPort, { url: `mqtts://127.0.0.1:${tlsPort}`, clientId: 'gw-tls', tls: { caFile: pki.ca, rejectUnauthorized: true } }), sink);
    await src.start();
    await waitFor('the TLS connection', () => src.status().state === 'connected' && src.status().items === 7);
    const dev = await publisher(broker.url);
    await dev.publishAsync('plant/press-1/state', JSON.stringify({ t: T0, temp: 12.5 }), { qos: 1 });
    await waitFor('a sample over TLS', () => sink.samples.length === 1);
    expect(sink.samples[0]).toMatchObject({ asset: 'press-1', value: 12.5 });

    const untrusting = source(config(tlsPort, { url: `mqtts://127.0.0.1:${tlsPort}`, clientId: 'gw-tls-2', tls: { rejectUnauthorized: true } }), new RecordingSink());
    await untrusting.start();
    const error = await waitFor('a certificate error', () => untrusting.status().lastError);
    expect(error).toMatch(/certificate/i);
    expect(untrusting.status().state).not.toBe('connected');
  });

  it('fails to start on an unreadable certificate file, and on an invalid topic filter', async () => {
    const src = source(config(1, { tls: { caFile: '/nonexistent/ca.pem', rejectUnauthorized: true } }), new RecordingSink());
    await expect(src.start()).rejects.toThrow('mqtt:plant: cannot read the TLS CA file /nonexistent/ca.pem');
    expect(src.status().state).toBe('stopped');
    const router = new MqttRouter(BINDINGS, PARTS);
    expect(() => new ExternalBrokerSource({ config: config(1), router, topics: ['a/#/b'], sink: new RecordingSink(), logger: new RecordingLogger() })).toThrow('"#" must be a whole level');
  });
});

/** A CA and a server certificate for 127.0.0.1 (EC P-256: quick to make), readable by a Mosquitto that dropped root. */
function makePki(dir: string): { ca: string; cert: string; key: string } {
  chmodSync(dir, 0o755);
  const at = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  openssl(['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '1', '-subj', '/CN=pss-test-ca']);
  openssl(['req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.crt'), '-days', '1', '-extfile', at('ext.cnf')]);
  for (const f of ['ca.crt', 'server.crt', 'server.key']) chmodSync(at(f), 0o644);
  return { ca: at('ca.crt'), cert: at('server.crt'), key: at('server.key') };
}
