// The gateway in process, end to end over real brokers: devices publish to its embedded aedes broker, the uplink goes
// to a real Mosquitto that is stopped and restarted mid-test, and a test cloud acknowledges events on that broker.
import { execFile } from 'node:child_process';
import { RunningMosquitto, startMosquitto } from '@pss/test-servers';
import { loadConfig } from './config/load';
import { Gateway } from './gateway';
import { EmbeddedBroker } from './mqtt';
import { Logger } from './sources/types';
import { DEVICE, TestCloud, connectDevice, liftPayload, waitFor, writeTestConfig } from './testing/fixtures';

jest.setTimeout(60_000);

class RecordingLogger implements Logger {
  readonly lines: { level: string; msg: string }[] = [];
  info(_o: object, msg = ''): void {
    this.lines.push({ level: 'info', msg });
  }
  warn(_o: object, msg = ''): void {
    this.lines.push({ level: 'warn', msg });
  }
  error(_o: object, msg = ''): void {
    this.lines.push({ level: 'error', msg });
  }
  debug(_o: object, msg = ''): void {
    this.lines.push({ level: 'debug', msg });
  }
}

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

describe('gateway (embedded broker in, Mosquitto uplink out)', () => {
  let mosquitto: RunningMosquitto;
  let gateway: Gateway | null = null;
  let cloud: TestCloud | null = null;
  let cleanup: () => void = () => undefined;

  beforeEach(async () => {
    mosquitto = await startMosquitto();
  });

  afterEach(async () => {
    await gateway?.stop();
    await cloud?.end();
    await mosquitto.dispose();
    cleanup();
    gateway = null;
    cloud = null;
  });

  async function startGateway(logger: Logger = new RecordingLogger()): Promise<{ gateway: Gateway; port: number }> {
    const written = writeTestConfig({ uplinkUrl: mosquitto.url });
    cleanup = written.cleanup;
    const { config } = loadConfig(written.file);
    gateway = await Gateway.start({ config, logger, version: 'test' });
    const broker = gateway.activeSources.find((s): s is EmbeddedBroker => s instanceof EmbeddedBroker)!;
    return { gateway, port: broker.port };
  }

  it('loses no trigger event and, after de-duplication by id, duplicates none while the uplink broker is down and restarted', async () => {
    cloud = new TestCloud(mosquitto.url);
    await cloud.connect();
    const { gateway: gw, port } = await startGateway();
    const device = await connectDevice(port);
    const lifts = Array.from({ length: 20 }, (_, i) => `lift-${String(i + 1).padStart(2, '0')}`);
    // Phase 1 (broker up): lifts 1-10 wear out their brakes.
    for (const [i, lift] of lifts.slice(0, 10).entries()) {
      await device.publishAsync(`lifts/${lift}/data`, liftPayload(T0 + i, { 'p.brake.brake_wear': 20 }), { qos: 1 });
      await device.publishAsync(`lifts/${lift}/data`, liftPayload(T0 + 1000 + i, { 'p.brake.brake_wear': 75 }), { qos: 1 });
    }
    await waitFor('10 events at the cloud', () => cloud!.uniqueIds().size === 10);
    await waitFor('their acks to empty the event spool', () => gw.spoolMetrics.classes.event.depthRecords === 0);

    // Phase 2: the uplink broker goes away; lifts 11-20 fire while it is down (into the spool).
    await mosquitto.stop();
    for (const [i, lift] of lifts.slice(10).entries()) {
      await device.publishAsync(`lifts/${lift}/data`, liftPayload(T0 + 2000 + i, { 'p.brake.brake_wear': 90 }), { qos: 1 });
    }
    await waitFor('20 firings', () => gw.engine.stats().fired === 20);
    await waitFor('10 events in the spool', () => gw.spoolMetrics.classes.event.depthRecords === 10);
    expect(gw.health().status).toBe('degraded');

    // Phase 3: back up; everything still in the spool is delivered and acknowledged.
    await mosquitto.restart();
    await waitFor('20 distinct events at the cloud', () => cloud!.uniqueIds().size === 20, 30_000);
    await waitFor('an empty event spool', () => gw.spoolMetrics.classes.event.depthRecords === 0, 30_000);
    const ids = cloud.uniqueIds();
    expect(ids.size).toBe(20);
    expect(new Set(cloud.deliveries.map((d) => d.asset))).toEqual(new Set(lifts));
    for (const d of cloud.deliveries) {
      expect(d.trigger).toBe('ss.brake');
      expect(d.values['p.brake.brake_wear']).toBeGreaterThanOrEqual(70);
      expect(d.window.deadline - d.window.start).toBe(8 * 3600_000);
    }
    // Each trigger fired once per lift: no second firing under another id.
    expect(gw.engine.stats().fired).toBe(20);
    await device.endAsync();
  });

  it('unlatches a trigger on a close command, acknowledges the close, and fires again on a new rising edge', async () => {
    cloud = new TestCloud(mosquitto.url);
    await cloud.connect();
    const { gateway: gw, port } = await startGateway();
    const device = await connectDevice(port);
    await device.publishAsync('lifts/lift-01/data', liftPayload(T0, { 'p.brake.brake_wear': 80 }), { qos: 1 });
    await waitFor('the first event', () => cloud!.deliveries.length >= 1);
    const first = cloud.deliveries[0];
    expect(gw.engine.matrix('lift-01')[1]).toBe(1);

    cloud.close(first);
    await waitFor('the close ack', () => cloud!.closeAcks.includes(first.id));
    // Still worn: the condition holds, the trigger stays latched although the service is closed.
    expect(gw.engine.matrix('lift-01')[1]).toBe(1);
    await device.publishAsync('lifts/lift-01/data', liftPayload(T0 + 1000, { 'p.brake.brake_wear': 5 }), { qos: 1 });
    await waitFor('unlatched', () => gw.engine.matrix('lift-01')[1] === 0);
    await device.publishAsync('lifts/lift-01/data', liftPayload(T0 + 2000, { 'p.brake.brake_wear': 72 }), { qos: 1 });
    await waitFor('a second event', () => cloud!.uniqueIds().size === 2);
    expect(cloud.deliveries.map((d) => d.time)).toEqual([T0, T0 + 2000]);
    await device.endAsync();
  });

  it('counts bad input from a foreign client (mosquitto_pub) by cause, logs each cause once, and keeps working', async () => {
    const logger = new RecordingLogger();
    cloud = new TestCloud(mosquitto.url);
    await cloud.connect();
    const { gateway: gw, port } = await startGateway(logger);
    // Asynchronous: the broker runs in this process, a synchronous spawn would block it.
    const pub = (t: string, m: string, password = DEVICE.password) =>
      new Promise<number>((resolve) => {
        const child = execFile('/usr/bin/mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-u', DEVICE.username, '-P', password, '-t', t, '-m', m, '-q', '1'], { timeout: 8000 });
        child.on('exit', (code) => resolve(code ?? -1));
      });
    for (let i = 0; i < 3; i++) expect(await pub('lifts/lift-02/data', '{not json')).toBe(0);
    expect(await pub('lifts/lift-02/data', liftPayload(T0, { 'p.brake.brake_wear': Number.NaN }))).toBe(0); // JSON null
    expect(await pub('lifts/lift-02/data', liftPayload(T0, { 'p.brake.brake_wear': 500 }))).toBe(0); // out of range
    expect(await pub('lifts/lift-02/data', liftPayload(T0, { 'p.nope.x': 1 }))).toBe(0);
    expect(await pub('lifts/lift-99/data', liftPayload(T0, { 'p.brake.brake_wear': 1 }))).toBe(0); // ACL allows, no binding
    expect(await pub('lifts/lift-02/status', 'online')).toBe(0); // ignored: allowed, carries no statuses, not counted
    expect(await pub('lifts/lift-02/data', liftPayload(T0, { 'p.brake.brake_wear': 1 }), 'wrong')).not.toBe(0);
    expect(await pub('lifts/lift-02/data', liftPayload(T0 + 1, { 'p.brake.brake_wear': 77 }))).toBe(0);
    await waitFor('the good sample to fire', () => cloud!.deliveries.length === 1);

    const res = await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`);
    const text = await res.text();
    expect(text).toContain('pss_gateway_input_rejected_total{source="mqtt:embedded",cause="malformed-payload"} 3');
    expect(text).toContain('pss_gateway_input_rejected_total{source="mqtt:embedded",cause="unknown-topic"} 1');
    expect(text).toContain('pss_gateway_input_rejected_total{source="mqtt:embedded",cause="unknown-status"} 1');
    expect(text).toMatch(/pss_gateway_samples_total\{source="mqtt:embedded",outcome="out-of-range"\} 1/);
    expect(text).toMatch(/pss_gateway_triggers_fired_total\{trigger="ss.brake"\} 1/);
    expect(text).toMatch(/pss_gateway_uplink_connected 1/);
    // The null value: a missing number is not a sample.
    expect(text).toMatch(/cause="not-a-number"\} 1|cause="missing-value"\} 1/);
    const malformedLogs = logger.lines.filter((l) => l.msg.includes('malformed-payload'));
    expect(malformedLogs).toHaveLength(1);

    const health = await (await fetch(`http://127.0.0.1:${gw.httpPort}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', gateway: 'gw-test', uplink: { connected: true } });
    const matrix = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/api/matrix`)).json()) as { triggers: string[]; assets: Record<string, number[]> };
    expect(matrix.triggers).toEqual(['ss.traction', 'ss.brake', 'ss.doors', 'ss.ropes', 'ss.controller']);
    expect(matrix.assets['lift-02']).toEqual([0, 1, 0, 0, 0]);
  });
});
