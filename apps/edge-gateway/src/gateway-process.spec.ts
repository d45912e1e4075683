// The gateway as a real process (npm run gateway's entry point under tsx): killed with SIGKILL while its uplink is
// down and its spool holds undelivered trigger events, then restarted on the same data directory.
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { RunningMosquitto, freePort, startMosquitto } from '@pss/test-servers';
import { TestCloud, connectDevice, liftPayload, waitFor, writeTestConfig } from './testing/fixtures';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../../..');
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/**
 * One process, as in production: tsx loaded into node itself (`node --import tsx`), not the tsx CLI, which runs the
 * program in a child process that a SIGKILL of the parent would leave running.
 */
function spawnMain(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'apps/edge-gateway/src/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TSX_TSCONFIG_PATH: resolve(ROOT, 'tsconfig.base.json') },
  });
}

interface GatewayProcess {
  child: ChildProcess;
  httpPort: number;
  output: () => string;
}

async function spawnGateway(configFile: string): Promise<GatewayProcess> {
  const child = spawnMain(['--config', configFile, '--log-level', 'warn']);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('the gateway to print READY', () => /READY http=\d+/.test(out) || child.exitCode !== null, 60_000);
  const m = /READY http=(\d+)/.exec(out);
  if (!m) throw new Error(`the gateway did not start:\n${out}`);
  return { child, httpPort: Number(m[1]), output: () => out };
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

describe('gateway process', () => {
  let mosquitto: RunningMosquitto;
  let cleanup: () => void = () => undefined;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await mosquitto?.dispose();
    cleanup();
  });

  it('keeps its spool and trigger state through SIGKILL: every event is delivered once its uplink is back, none fires twice', async () => {
    mosquitto = await startMosquitto();
    const embeddedPort = await freePort();
    const written = writeTestConfig({ uplinkUrl: mosquitto.url, embeddedPort, assets: 'lift-{01..12}' });
    cleanup = written.cleanup;

    // The cloud's persistent session exists before the outage, so what reaches the broker later is queued for it.
    const cloud = new TestCloud(mosquitto.url);
    await cloud.connect();
    await cloud.end();
    await mosquitto.stop();

    const first = await spawnGateway(written.file);
    children.push(first.child);
    const device = await connectDevice(embeddedPort);
    for (let i = 1; i <= 12; i++) {
      const lift = `lift-${String(i).padStart(2, '0')}`;
      await device.publishAsync(`lifts/${lift}/data`, liftPayload(T0 + i, { 'p.brake.brake_wear': 85 }), { qos: 1 });
    }
    await waitFor('12 firings', async () => (await metric(first.httpPort, 'pss_gateway_triggers_fired_total')) === 12);
    await waitFor('12 events in the spool', async () => (await metric(first.httpPort, 'pss_gateway_spool_depth_records{class="event"}')) === 12);
    await device.endAsync();
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    // Restarted on the same data directory, still without uplink: the state says every brake trigger is latched.
    const second = await spawnGateway(written.file);
    children.push(second.child);
    expect(await metric(second.httpPort, 'pss_gateway_spool_depth_records{class="event"}')).toBe(12);
    const matrix = (await (await fetch(`http://127.0.0.1:${second.httpPort}/api/matrix`)).json()) as { assets: Record<string, number[]> };
    expect(Object.values(matrix.assets).filter((row) => row[1] === 1)).toHaveLength(12);
    // The same condition again (still worn) must not fire a second event.
    const again = await connectDevice(embeddedPort);
    await again.publishAsync('lifts/lift-03/data', liftPayload(T0 + 1000, { 'p.brake.brake_wear': 86 }), { qos: 1 });
    await again.endAsync();

    await mosquitto.restart();
    const back = new TestCloud(mosquitto.url);
    await back.connect();
    await waitFor('12 distinct events at the cloud', () => back.uniqueIds().size === 12, 30_000);
    await waitFor('an empty event spool', async () => (await metric(second.httpPort, 'pss_gateway_spool_depth_records{class="event"}')) === 0, 30_000);
    expect(new Set(back.deliveries.map((d) => d.asset)).size).toBe(12);
    expect(await metric(second.httpPort, 'pss_gateway_triggers_fired_total')).toBe(0);
    await back.end();

    // A clean stop (SIGTERM) exits 0.
    second.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  });

  it('refuses an invalid configuration with every problem named, before connecting anything (exit 2)', async () => {
    mosquitto = await startMosquitto();
    const written = writeTestConfig({ uplinkUrl: 'http://nope', assets: 'lift-{9..1}', extra: '  - id: lift-x\n    triggers: [ss.nope]\n    mqtt: [{ topic: "a/+/b", values: { p.brake.wear: "$.x[" } }]\n' });
    cleanup = written.cleanup;
    const child = spawnMain(['--config', written.file]);
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toContain('uplink.url: must be an mqtt://, mqtts://, ws:// or wss:// URL, got "http://nope"');
    expect(err).toContain('assets[0].id: range {9..1} runs backwards');
    expect(err).toContain('assets[1].triggers[0]: unknown trigger "ss.nope"');
    expect(err).toContain('assets[1].mqtt[0].topic: must be an exact topic');
    expect(err).toContain('assets[1].mqtt[0].values.p.brake.wear: unknown status "p.brake.wear"');
  });
});
