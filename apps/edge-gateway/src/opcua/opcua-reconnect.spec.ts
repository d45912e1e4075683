// Reconnection against the real simulator: a server that is down when the source starts, a server process killed
// (SIGKILL) and replaced by a new one on the same port, which knows nothing of the old session, and a network outage
// that the server survives (its session and subscriptions wait for the client).
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '@pss/test-servers';
import type { OpcUaEndpointConfig } from '../config/types';
import { OpcUaSource } from './opcua-source';
import { bindingsFor, elevatorIds, elevatorStatuses, endpointConfig } from './testing/fixtures';
import { RecordingLogger, RecordingSink, until } from './testing/recorder';
import { Simulator } from './testing/simulator';
import { TcpProxy } from './testing/tcp-proxy';

jest.setTimeout(90_000);

const dir = mkdtempSync(join(tmpdir(), 'pss-edge-opcua-reconnect-'));
const serverPki = join(dir, 'server-pki');
const clientPki = join(dir, 'client-pki');
const simulators: Simulator[] = [];
const sources: OpcUaSource[] = [];
const proxies: TcpProxy[] = [];

afterAll(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all(simulators.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const bindings = bindingsFor('sim', elevatorIds(2), elevatorStatuses(), 100);

function makeSource(url: string, overrides: Partial<OpcUaEndpointConfig> = {}) {
  const sink = new RecordingSink();
  const logger = new RecordingLogger();
  const source = new OpcUaSource({ endpoint: endpointConfig(url, clientPki, overrides), bindings, sink, logger });
  sources.push(source);
  return { source, sink, logger };
}

async function startSimulator(port: number): Promise<Simulator> {
  const simulator = await Simulator.start({ port, pkiDir: serverPki, assets: 2, intervalMs: 200 });
  simulators.push(simulator);
  return simulator;
}

let shared: Simulator | undefined;

/** One simulator for the tests that do not need a port of their own (a start costs seconds); running when returned. */
async function sharedSimulator(): Promise<Simulator> {
  if (!shared) shared = await startSimulator(await freePort());
  else if (!shared.running) await shared.restart();
  return shared;
}

/** Waits until every binding delivered a sample received at or after `since`, and the source is connected. */
async function expectAllItemsSince(since: number, source: OpcUaSource, sink: RecordingSink, logger: RecordingLogger): Promise<void> {
  const missing = () => bindings.filter((b) => sink.of(b.asset, b.part, b.status, since).length === 0).map((b) => b.nodeId);
  await until(
    () => missing().length === 0 && source.status().state === 'connected',
    40_000,
    () => `status ${JSON.stringify(source.status())}; no samples since ${new Date(since).toISOString()} for ${missing().length} items: ${missing().slice(0, 5).join(', ')}\n${logger.dump()}`,
  );
}

test('a server down at start is retried until it comes up; a killed and restarted server is reconnected to', async () => {
  const port = await freePort();
  const url = `opc.tcp://127.0.0.1:${port}/UA/PSS-Elevators`;
  const { source, sink, logger } = makeSource(url);

  // Nothing listens: start() still resolves, and the source keeps trying.
  await source.start();
  await until(() => source.status().lastError !== undefined, 10_000, () => logger.dump());
  expect(source.status()).toMatchObject({ state: 'connecting', items: 0, reconnects: 0 });
  expect(source.status().lastError).toBe(`cannot connect to ${url}: connect ECONNREFUSED 127.0.0.1:${port}`);

  const simulator = await startSimulator(port);
  await expectAllItemsSince(0, source, sink, logger);
  expect(source.status()).toMatchObject({ state: 'connected', items: bindings.length, reconnects: 0, lastError: undefined });

  // A crash: the server process dies without closing anything.
  await simulator.kill();
  await until(() => source.status().state === 'reconnecting', 10_000, () => `status ${JSON.stringify(source.status())}`);
  expect(source.status().items).toBe(0);

  // A new server process on the same port, without the old session or subscriptions.
  const restartedAt = Date.now();
  await simulator.restart();
  await expectAllItemsSince(restartedAt, source, sink, logger);
  const status = source.status();
  expect(status.reconnects).toBeGreaterThanOrEqual(1);
  expect(status).toMatchObject({ state: 'connected', items: bindings.length, lastError: undefined });

  // And it keeps delivering changes (of the statuses that change at every update: counters change seldom).
  const resumedAt = Date.now();
  await until(
    () => ['elevator-01', 'elevator-02'].every((a) => sink.of(a, 'p.traction', 'vibration_rms', resumedAt).length >= 3),
    10_000,
    () => `status ${JSON.stringify(source.status())}\n${logger.dump()}`,
  );
  await source.stop();
});

test('the same over Basic256Sha256 SignAndEncrypt with a user login', async () => {
  const simulator = await sharedSimulator();
  const { source, sink, logger } = makeSource(simulator.endpointUrl, {
    securityMode: 'SignAndEncrypt',
    securityPolicy: 'Basic256Sha256',
    user: { type: 'username', username: 'pss', password: 'pss-demo' },
  });
  await source.start();
  await expectAllItemsSince(0, source, sink, logger);

  await simulator.kill();
  const restartedAt = Date.now();
  await simulator.restart();
  await expectAllItemsSince(restartedAt, source, sink, logger);
  expect(source.status().reconnects).toBeGreaterThanOrEqual(1);
  expect(source.status()).toMatchObject({ state: 'connected', items: bindings.length });
  await source.stop();
});

test('a network outage the server survives: the source reconnects to its session and resumes', async () => {
  const simulator = await sharedSimulator();
  const proxy = await TcpProxy.start(simulator.port);
  proxies.push(proxy);
  const { source, sink, logger } = makeSource(`opc.tcp://127.0.0.1:${proxy.port}/UA/PSS-Elevators`);
  await source.start();
  await expectAllItemsSince(0, source, sink, logger);

  await proxy.cut();
  await until(() => source.status().state === 'reconnecting', 10_000, () => `status ${JSON.stringify(source.status())}`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const restoredAt = Date.now();
  await proxy.restore();
  const changing = ['elevator-01', 'elevator-02'];
  await until(
    () => source.status().state === 'connected' && changing.every((a) => sink.of(a, 'p.traction', 'vibration_rms', restoredAt).length >= 3),
    30_000,
    () => `status ${JSON.stringify(source.status())}\n${logger.dump()}`,
  );
  expect(source.status()).toMatchObject({ state: 'connected', items: bindings.length, lastError: undefined });
  expect(source.status().reconnects).toBeGreaterThanOrEqual(1);
  await source.stop();
});
