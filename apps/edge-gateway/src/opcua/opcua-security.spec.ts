// Security against the real simulator: Basic256Sha256 Sign and SignAndEncrypt with user/password, an X.509 user
// certificate, a wrong password, a server certificate not trusted yet, an unreadable user certificate.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { OPCUACertificateManager } from 'node-opcua';
import type { OpcUaBinding, OpcUaEndpointConfig } from '../config/types';
import { OpcUaSource } from './opcua-source';
import { OpcUaConfigError, pkiFolders } from './security';
import { bindingsFor, endpointConfig } from './testing/fixtures';
import { RecordingLogger, RecordingSink, until } from './testing/recorder';
import { Simulator } from './testing/simulator';

// Certificates are created here (the client's, a user's, the server's): seconds each on a busy machine.
jest.setTimeout(90_000);

const dir = mkdtempSync(join(tmpdir(), 'pss-edge-opcua-security-'));
const serverPki = join(dir, 'server-pki');
const userCertificateFile = join(dir, 'user', 'own', 'certs', 'gateway-user.pem');
const userKeyFile = join(dir, 'user', 'own', 'private', 'private_key.pem');
let simulator: Simulator | undefined;
const sources: OpcUaSource[] = [];

const bindings: OpcUaBinding[] = bindingsFor('sim', ['elevator-01', 'elevator-02'], [
  { part: 'p.traction', status: 'vibration_rms' },
  { part: 'p.doors', status: 'door_cycles' },
  { part: 'p.brake', status: 'release_time' },
], 100);

beforeAll(async () => {
  // A user certificate, trusted by the server's user certificate store before the server starts (it does not watch
  // its folders).
  const userPki = new OPCUACertificateManager({ rootFolder: join(dir, 'user'), disableFileWatchers: true });
  await userPki.initialize();
  await userPki.createSelfSignedCertificate({ subject: '/CN=pss-gateway-user', applicationUri: 'urn:pss:gateway-user', dns: [], validity: 30, startDate: new Date(), outputFile: userCertificateFile });
  await userPki.dispose();
  mkdirSync(join(serverPki, 'user', 'trusted', 'certs'), { recursive: true });
  copyFileSync(userCertificateFile, join(serverPki, 'user', 'trusted', 'certs', 'gateway-user.pem'));
  simulator = await Simulator.start({ pkiDir: serverPki, assets: 2, intervalMs: 200, args: ['--no-anonymous'] });
});

afterAll(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  await simulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function makeSource(overrides: Partial<OpcUaEndpointConfig>, clientPki = join(dir, 'client-pki')) {
  const sink = new RecordingSink();
  const logger = new RecordingLogger();
  const endpoint = endpointConfig(simulator!.endpointUrl, clientPki, { securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', ...overrides });
  const source = new OpcUaSource({ endpoint, bindings, sink, logger });
  sources.push(source);
  return { source, sink, logger };
}

async function expectSamplesFromAll(source: OpcUaSource, sink: RecordingSink, logger: RecordingLogger): Promise<void> {
  const missing = () => bindings.filter((b) => sink.of(b.asset, b.part, b.status).length === 0).map((b) => b.nodeId);
  await until(() => missing().length === 0, 30_000, () => `no samples for ${missing().join(', ')}; status ${JSON.stringify(source.status())}\n${logger.dump()}`);
  expect(source.status()).toMatchObject({ state: 'connected', items: bindings.length, lastError: undefined });
  expect(sink.rejections).toEqual([]);
}

const pss = { type: 'username' as const, username: 'pss', password: 'pss-demo' };

test('Basic256Sha256 Sign, then SignAndEncrypt, with user pss', async () => {
  // One after the other: the first creates the client's certificate in the shared PKI folder.
  const signed = makeSource({ securityMode: 'Sign', user: pss });
  await signed.source.start();
  await expectSamplesFromAll(signed.source, signed.sink, signed.logger);
  await signed.source.stop();

  const encrypted = makeSource({ securityMode: 'SignAndEncrypt', user: pss });
  await encrypted.source.start();
  await expectSamplesFromAll(encrypted.source, encrypted.sink, encrypted.logger);
  await encrypted.source.stop();
  expect(existsSync(join(dir, 'client-pki', 'own', 'certs'))).toBe(true);
});

test('an X.509 user certificate the server trusts', async () => {
  const { source, sink, logger } = makeSource({ user: { type: 'certificate', certificateFile: userCertificateFile, privateKeyFile: userKeyFile } });
  await source.start();
  await expectSamplesFromAll(source, sink, logger);
  await source.stop();
});

test('a wrong password is a clear error in status() and the log, retried without a crash', async () => {
  const { source, sink, logger } = makeSource({ user: { type: 'username', username: 'pss', password: 'wrong' } });
  await source.start();
  await until(() => source.status().lastError !== undefined, 20_000, () => logger.dump());
  const status = source.status();
  expect(status).toMatchObject({ state: 'connecting', items: 0, reconnects: 0 });
  expect(status.lastError).toMatch(/^the server opc\.tcp:\/\/127\.0\.0\.1:\d+\/UA\/PSS-Elevators refused user "pss" \(Bad\w+\): check the credentials of endpoint sim$/);
  expect(logger.errors().map((e) => e.msg)).toContain(`OPC UA source sim: ${status.lastError}`);
  // It keeps trying (the password may be fixed on the server's side), logging the same error only once.
  await until(() => logger.entries.filter((e) => e.msg === 'OPC UA source: still failing').length >= 2, 20_000, () => logger.dump());
  expect(logger.errors().filter((e) => e.msg === `OPC UA source sim: ${status.lastError}`)).toHaveLength(1);
  expect(sink.samples).toEqual([]);
  await source.stop();
  expect(source.status().state).toBe('stopped');
});

test('a server certificate not trusted yet: the error says which file to move where; once moved, it connects', async () => {
  const clientPki = join(dir, 'strict-client-pki');
  const { source, sink, logger } = makeSource({ securityMode: 'Sign', user: pss, trustUnknownServerCertificate: false, reconnectInitialDelayMs: 300, reconnectMaxDelayMs: 300 }, clientPki);
  await source.start();
  const folders = pkiFolders(clientPki);
  await until(() => source.status().lastError !== undefined && existsSync(folders.rejected) && readdirSync(folders.rejected).length > 0, 30_000, () => logger.dump());
  const lastError = source.status().lastError!;
  expect(lastError).toContain(`the certificate of the OPC UA server ${simulator!.endpointUrl} is not trusted`);
  expect(lastError).toContain(folders.rejected);
  expect(lastError).toContain(`move it (after checking its thumbprint with the server's administrator) to ${folders.trusted}`);
  expect(source.status()).toMatchObject({ state: 'connecting', items: 0 });

  // The operator trusts it: moves it (a certificate in both folders counts as rejected).
  for (const file of readdirSync(folders.rejected)) renameSync(join(folders.rejected, file), join(folders.trusted, file));
  await expectSamplesFromAll(source, sink, logger);
  await source.stop();
});

test('an unreadable user certificate fails start() with an error naming the file', async () => {
  const missing = join(dir, 'nowhere', 'user.pem');
  const { source } = makeSource({ user: { type: 'certificate', certificateFile: missing, privateKeyFile: userKeyFile } });
  await expect(source.start()).rejects.toThrow(OpcUaConfigError);
  await expect(source.start()).rejects.toThrow(`cannot read the user certificate ${missing}`);
  const wrongKey = { type: 'certificate' as const, certificateFile: userCertificateFile, privateKeyFile: join(serverPki, 'server', 'own', 'private', 'private_key.pem') };
  await expect(makeSource({ user: wrongKey }).source.start()).rejects.toThrow(`does not belong to the user certificate ${userCertificateFile}`);
  expect(source.status().state).toBe('disconnected');
});
