// The gateway and the OPC UA elevator simulator together: a brake fault injected at the simulator fires the brake
// trigger at the gateway, whose event reaches a cloud listening on a real Mosquitto — over SignAndEncrypt with a user.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { RunningMosquitto, startMosquitto } from '@pss/test-servers';
import { loadConfig } from './config/load';
import { Gateway } from './gateway';
import { Simulator } from './opcua/testing/simulator';
import { MODEL_FILE, TENANT, TestCloud, waitFor } from './testing/fixtures';

jest.setTimeout(120_000);

describe('gateway + OPC UA simulator', () => {
  let dir: string;
  let mosquitto: RunningMosquitto;
  let simulator: Simulator | null = null;
  let gateway: Gateway | null = null;
  let cloud: TestCloud | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pss-gw-opcua-'));
    mosquitto = await startMosquitto();
  });

  afterAll(async () => {
    await gateway?.stop();
    await cloud?.end();
    await simulator?.stop();
    await mosquitto.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires ss.brake for the elevator whose brake wears, and only for it, from OPC UA data changes', async () => {
    // 60 simulated seconds per real second: the brake fault at 5 s fires within 300 simulated s (5 real s).
    simulator = await Simulator.start({ assets: 3, pkiDir: join(dir, 'sim-pki'), intervalMs: 250, args: ['--time-scale', '60', '--fault', 'elevator-02:brake-wear@5', '--seed', '3'] });
    cloud = new TestCloud(mosquitto.url);
    await cloud.connect();
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      `tenant: ${TENANT}
gateway: gw-lifts
model: ${MODEL_FILE}
dataDir: ${join(dir, 'data')}
http: { host: 127.0.0.1, port: 0 }
uplink: { url: ${mosquitto.url} }
telemetry: { method: avg, intervalMs: 5000, flushMs: 200 }
lateToleranceMs: 60000
opcua:
  - name: sim
    url: ${simulator.endpointUrl}
    securityMode: SignAndEncrypt
    securityPolicy: Basic256Sha256
    user: { username: pss, password: pss-demo }
    trustUnknownServerCertificate: true
    publishingIntervalMs: 250
assets:
  - id: elevator-{01..03}
    opcua: { endpoint: sim, samplingIntervalMs: 250, nodeId: "ns=1;s={asset}/{part}/{status}" }
`,
    );
    const { config } = loadConfig(file);
    gateway = await Gateway.start({ config, logger: pino({ level: 'silent' }), version: 'test' });
    const gw = gateway;

    await waitFor('all 54 monitored items', () => gw.sourceStatuses()[0]?.items === 54, 60_000);
    await waitFor('a brake event', () => cloud!.deliveries.some((d) => d.trigger === 'ss.brake'), 60_000);
    const brake = cloud.deliveries.filter((d) => d.trigger === 'ss.brake');
    expect(brake.map((d) => d.asset)).toEqual(['elevator-02']);
    const e = brake[0];
    expect(e.gateway).toBe('gw-lifts');
    // The clause that made it true: release time over 500 ms within the hour, or wear at 70 % or more.
    expect((e.windowValues?.["max(p.brake.release_time, '1h')"] ?? 0) > 500 || (e.values['p.brake.brake_wear'] ?? 0) >= 70).toBe(true);
    expect(gw.health()).toMatchObject({ status: 'ok', sources: [{ name: 'opcua:sim', kind: 'opcua', state: 'connected', items: 54 }] });
    expect(gw.engine.assetIds().sort()).toEqual(['elevator-01', 'elevator-02', 'elevator-03']);
    await waitFor('telemetry at the cloud', () => cloud!.telemetrySeqs.length > 0, 30_000);
  });
});
