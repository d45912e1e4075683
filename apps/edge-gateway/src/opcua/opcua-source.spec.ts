// The OPC UA source against the real elevator fleet simulator (a child process): samples of several elevators with
// their asset/part/status and plausible times, nodes that cannot be monitored, values that are not numbers or not
// of good quality.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadDocument } from '@pss/documents';
import type { OpcUaBinding, OpcUaEndpointConfig } from '../config/types';
import { OpcUaSource } from './opcua-source';
import { ELEVATOR_MODEL, bindingsFor, elevatorIds, elevatorStatuses, endpointConfig } from './testing/fixtures';
import { RecordingLogger, RecordingSink, until } from './testing/recorder';
import { Simulator } from './testing/simulator';

// Starting the simulator loads node-opcua and creates its certificate: seconds on a busy machine.
jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), 'pss-edge-opcua-source-'));
let simulator: Simulator | undefined;
const sources: OpcUaSource[] = [];

beforeAll(async () => {
  simulator = await Simulator.start({ pkiDir: join(dir, 'server-pki'), assets: 3, intervalMs: 200 });
});

afterAll(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  await simulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function makeSource(bindings: OpcUaBinding[], overrides: Partial<OpcUaEndpointConfig> = {}) {
  const sink = new RecordingSink();
  const logger = new RecordingLogger();
  const endpoint = endpointConfig(simulator!.endpointUrl, join(dir, 'client-pki'), overrides);
  const source = new OpcUaSource({ endpoint, bindings, sink, logger });
  sources.push(source);
  return { source, sink, logger };
}

function binding(nodeId: string, asset = 'elevator-01', part = 'p.traction', status = 'vibration_rms'): OpcUaBinding {
  return { asset, part, status, endpoint: 'sim', nodeId, samplingIntervalMs: 100 };
}

/** The model's range of every status, `<part>.<status>` -> [min, max]. */
function statusRanges(): Map<string, [number, number]> {
  const loaded = loadDocument(ELEVATOR_MODEL);
  if (loaded.document.kind !== 'PssModel') throw new Error('not a model');
  const ranges = new Map<string, [number, number]>();
  for (const part of loaded.document.value.parts) {
    for (const s of part.statuses) ranges.set(`${part.id}.${s.key}`, [s.min ?? -Infinity, s.max ?? Infinity]);
  }
  return ranges;
}

test('delivers every bound status of several elevators; nodes that cannot be monitored are reported and the others run', async () => {
  const assets = elevatorIds(3);
  const statuses = elevatorStatuses();
  expect(statuses.length).toBeGreaterThanOrEqual(10);
  // Two sampling intervals and small limits: the items spread over 3 subscriptions and many CreateMonitoredItems calls.
  const good = bindingsFor('sim', assets, statuses, 100).map((b, i) => (i % 2 === 0 ? b : { ...b, samplingIntervalMs: 250 }));
  const missing = binding('ns=1;s=elevator-01/p.traction/no_such_status');
  const object = binding('ns=1;s=elevator-02', 'elevator-02'); // an object: it has no Value attribute
  const garbage = binding('this is not a NodeId', 'elevator-03');
  const otherEndpoint = { ...binding('ns=1;s=elevator-01/p.brake/brake_wear'), endpoint: 'another' };
  const { source, sink, logger } = makeSource([missing, ...good.slice(0, 20), object, ...good.slice(20), garbage, otherEndpoint], {
    maxItemsPerSubscription: 25,
    maxItemsPerCreateCall: 10,
  });
  expect(source.name).toBe('opcua:sim');
  expect(source.status().state).toBe('disconnected');

  const startedAt = Date.now();
  await source.start();
  const key = (b: { asset: string; part: string; status: string }) => `${b.asset}/${b.part}/${b.status}`;
  const missingSamples = () => good.filter((b) => sink.of(b.asset, b.part, b.status).length === 0).map(key);
  await until(() => missingSamples().length === 0 && source.status().state === 'connected', 30_000, () => `no samples yet for ${missingSamples().join(', ')}\n${logger.dump()}`);

  const status = source.status();
  expect(status).toMatchObject({ name: 'opcua:sim', kind: 'opcua', state: 'connected', reconnects: 0, items: good.length });
  expect(status.lastError).toMatch(new RegExp(`^3 of ${good.length + 3} monitored items failed`));
  expect(status.lastError).toContain('ns=1;s=elevator-01/p.traction/no_such_status (BadNodeIdUnknown');
  expect(status.lastError).toContain('ns=1;s=elevator-02 (BadAttributeIdInvalid');
  expect(status.lastError).toContain('this is not a NodeId (not a NodeId');

  // Each failure is logged once as an error naming the node and the reason.
  const failed = logger.errors().map((e) => e.obj as { node?: string; reason?: string });
  expect(failed).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ node: missing.nodeId, reason: expect.stringMatching(/BadNodeIdUnknown/) }),
      expect.objectContaining({ node: object.nodeId, reason: expect.stringMatching(/BadAttributeIdInvalid/) }),
      expect.objectContaining({ node: garbage.nodeId, reason: expect.stringMatching(/not a NodeId/) }),
    ]),
  );
  expect(failed.filter((f) => f.node === missing.nodeId)).toHaveLength(1);

  // Samples carry the binding's asset/part/status, a value within the status's range and a time near now
  // (the simulator stamps values with the wall clock here).
  const ranges = statusRanges();
  const valid = new Set(good.map(key));
  const now = Date.now();
  for (const s of sink.samples) {
    expect(s.source).toBe('opcua:sim');
    expect(valid.has(key(s))).toBe(true);
    const [min, max] = ranges.get(`${s.part}.${s.status}`)!;
    expect(s.value).toBeGreaterThanOrEqual(min);
    expect(s.value).toBeLessThanOrEqual(max);
    expect(s.time).toBeGreaterThan(startedAt - 10_000);
    expect(s.time).toBeLessThanOrEqual(now + 1000);
  }
  expect(sink.samples.some((s) => s.asset === 'elevator-01' && s.part === 'p.brake' && s.status === 'brake_wear' && s.source !== 'opcua:sim')).toBe(false);
  expect(sink.rejections).toEqual([]);

  // Values keep coming, not just the initial ones.
  const before = sink.samples.length;
  await until(() => sink.samples.length > before + good.length, 10_000, () => `only ${sink.samples.length - before} new samples`);

  await source.stop();
  await source.stop(); // idempotent
  expect(source.status()).toMatchObject({ state: 'stopped', items: 0 });
  const after = sink.samples.length;
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(sink.samples.length).toBe(after);
});

test('numbers of every type become samples; text, arrays and values of bad quality are rejected with the node named', async () => {
  const bindings: OpcUaBinding[] = [
    binding('ns=1;s=elevator-01/p.traction/vibration_rms'), // Double
    binding('ns=0;i=2259', 'server', 'p.server', 'state'), // ServerStatus/State: Int32 (an enumeration), 0 = Running
    binding('ns=0;i=2267', 'server', 'p.server', 'service_level'), // ServiceLevel: Byte
    binding('ns=0;i=2994', 'server', 'p.server', 'auditing'), // Auditing: Boolean
    binding('ns=0;i=2261', 'server', 'p.server', 'product_name'), // BuildInfo/ProductName: String
    binding('ns=1;s=elevator-01/ActiveFaults', 'elevator-01', 'p.controller', 'active_faults'), // String[]
    binding('ns=0;i=2257', 'server', 'p.server', 'start_time'), // ServerStatus/StartTime: DateTime
    // A method's InputArguments that node-opcua's server lets only privileged users read: BadUserAccessDenied.
    binding('ns=0;i=17367', 'server', 'p.server', 'denied'),
  ];
  const { source, sink, logger } = makeSource(bindings);
  await source.start();
  const rejected = (node: string) => sink.rejections.filter((r) => r.detail.includes(`OPC UA node ${node} `));
  const numeric = ['state', 'service_level', 'auditing', 'vibration_rms'];
  await until(
    () => numeric.every((st) => sink.samples.some((s) => s.status === st)) && ['ns=0;i=2261', 'ns=1;s=elevator-01/ActiveFaults', 'ns=0;i=2257', 'ns=0;i=17367'].every((n) => rejected(n).length > 0),
    20_000,
    () => `samples ${JSON.stringify(sink.samples.map((s) => s.status))}, rejections ${JSON.stringify(sink.rejections)}\n${logger.dump()}`,
  );

  const first = (st: string) => sink.samples.find((s) => s.status === st)!;
  expect(first('state')).toMatchObject({ asset: 'server', part: 'p.server', value: 0 });
  expect(first('service_level').value).toBeGreaterThanOrEqual(0);
  expect(first('service_level').value).toBeLessThanOrEqual(255);
  expect([0, 1]).toContain(first('auditing').value);

  expect(rejected('ns=0;i=2261')[0]).toMatchObject({ cause: 'not-a-number', source: 'opcua:sim' });
  expect(rejected('ns=0;i=2261')[0].detail).toBe('OPC UA node ns=0;i=2261 (server p.server.product_name): value of type String');
  expect(rejected('ns=1;s=elevator-01/ActiveFaults')[0]).toMatchObject({ cause: 'not-a-number', detail: expect.stringMatching(/String\[\]/) });
  expect(rejected('ns=0;i=2257')[0]).toMatchObject({ cause: 'not-a-number', detail: expect.stringMatching(/DateTime/) });
  expect(rejected('ns=0;i=17367')[0]).toMatchObject({ cause: 'bad-quality', detail: expect.stringMatching(/^OPC UA node ns=0;i=17367 \(server p\.server\.denied\): status BadUserAccessDenied/) });
  expect(sink.samples.some((s) => ['product_name', 'active_faults', 'start_time', 'denied'].includes(s.status))).toBe(false);
  expect(source.status()).toMatchObject({ state: 'connected', items: bindings.length, lastError: undefined });
  await source.stop();
});

test('many nodes that cannot be monitored (a wrong namespace, say): 50 logged one by one, then one line for the rest', async () => {
  const wrong = Array.from({ length: 70 }, (_, i) => binding(`ns=2;s=elevator-01/p.traction/s${i}`));
  const good = binding('ns=1;s=elevator-01/p.traction/vibration_rms');
  const { source, sink, logger } = makeSource([...wrong, good], { maxItemsPerCreateCall: 30 });
  await source.start();
  await until(() => source.status().state === 'connected' && sink.samples.length > 0, 20_000, () => logger.dump());
  const lastError = source.status().lastError!;
  expect(lastError).toMatch(/^70 of 71 monitored items failed: ns=2;s=elevator-01\/p\.traction\/s0 \(Bad\w+/);
  expect(lastError).toMatch(/ and 65 more$/);
  expect(logger.errors().filter((e) => (e.obj as { node?: string }).node?.startsWith('ns=2;'))).toHaveLength(50);
  expect(logger.errors().map((e) => e.msg)).toContain('20 more OPC UA nodes cannot be monitored (not logged one by one; status().lastError names a few)');
  expect(source.status().items).toBe(1);
  await source.stop();
});
