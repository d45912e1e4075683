// The simulator over the wire: a real node-opcua server on a free port and real OPCUAClients
// (nothing mocked). Browse the fleet, read a status with its engineering units and range,
// subscribe to changes, inject a fault and watch the status cross its trigger threshold, clear
// it, and log in over Basic256Sha256 SignAndEncrypt with a user and password.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  AttributeIds,
  BrowseDirection,
  DataType,
  MessageSecurityMode,
  NodeClass,
  OPCUACertificateManager,
  OPCUAClient,
  Range,
  SecurityPolicy,
  StatusCodes,
  TimestampsToReturn,
  UserTokenType,
  Variant,
  makeEUInformation,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type ReferenceDescription,
} from 'node-opcua';
import { loadDocument } from '@pss/documents';
import type { PssModel } from '@pss/model';
import { RESOURCE_PATH, startElevatorServer, type ElevatorServer } from './server';

jest.setTimeout(30_000);

const MODEL_FILE = join(__dirname, '..', '..', '..', 'examples', 'elevator-fleet.model.yaml');
const TIME_SCALE = 120; // 2 simulated minutes per real second: bearing wear passes 7.1 mm/s within ~3 real s
const USER = { user: 'tester', password: 'secret-for-this-test' };

function loadModel(): PssModel {
  const { document } = loadDocument(MODEL_FILE);
  if (document.kind !== 'PssModel') throw new Error(`expected a PssModel, got ${document.kind}`);
  return document.value;
}

/** Resolves when check() returns a value other than undefined; polls every 50 ms. */
async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function children(session: ClientSession, nodeId: string): Promise<ReferenceDescription[]> {
  const result = await session.browse({ nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HierarchicalReferences', includeSubtypes: true, resultMask: 63 });
  expect(result.statusCode).toBe(StatusCodes.Good);
  return result.references ?? [];
}

async function readNumber(session: ClientSession, nodeId: string): Promise<number> {
  const dv = await session.read({ nodeId, attributeId: AttributeIds.Value });
  expect(dv.statusCode).toBe(StatusCodes.Good);
  expect(dv.value.dataType).toBe(DataType.Double);
  return dv.value.value as number;
}

function isEuInformation(v: unknown): v is { unitId: number; displayName: { text: string | null }; description: { text: string | null } } {
  return typeof v === 'object' && v !== null && 'unitId' in v && 'displayName' in v && 'description' in v;
}

describe('elevator fleet OPC UA server', () => {
  const model = loadModel();
  const dir = mkdtempSync(join(tmpdir(), 'pss-sim-elevator-test-'));
  let server: ElevatorServer | undefined;
  let clientCertificates: OPCUACertificateManager | undefined;
  const clients: OPCUAClient[] = [];
  let session: ClientSession;

  const newClient = (securityMode = MessageSecurityMode.None, securityPolicy = SecurityPolicy.None): OPCUAClient => {
    const client = OPCUAClient.create({
      applicationName: 'pss-sim-elevator-test',
      endpointMustExist: false,
      securityMode,
      securityPolicy,
      // Fail fast: a test waiting on reconnection backoff would only hide the error.
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      clientCertificateManager: clientCertificates,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startElevatorServer({
      model,
      assets: 5,
      seed: 7,
      port: 0,
      hostname: 'localhost',
      timeScale: TIME_SCALE,
      updateIntervalMs: 200,
      pkiDir: join(dir, 'pki'),
      credentials: USER,
    });
    clientCertificates = new OPCUACertificateManager({ rootFolder: join(dir, 'client-pki'), automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true });
    const client = newClient();
    await client.connect(server.endpointUrl);
    session = await client.createSession();
  });

  afterAll(async () => {
    // Everything is torn down whatever failed before: each step on its own.
    for (const client of clients) await client.disconnect().catch(() => undefined);
    await server?.shutdown().catch(() => undefined);
    await clientCertificates?.dispose().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on a free port at /UA/PSS-Elevators with None and Basic256Sha256 Sign/SignAndEncrypt endpoints', async () => {
    expect(server!.port).toBeGreaterThan(0);
    expect(server!.endpointUrl).toBe(`opc.tcp://localhost:${server!.port}${RESOURCE_PATH}`);
    expect(server!.pkiDir.startsWith(dir)).toBe(true);
    const endpoints = await clients[0].getEndpoints();
    const offered = endpoints.map((e) => `${MessageSecurityMode[e.securityMode]} ${(e.securityPolicyUri ?? '').split('#')[1]}`).sort();
    expect([...new Set(offered)]).toEqual(['None None', 'Sign Basic256Sha256', 'SignAndEncrypt Basic256Sha256']);
  });

  it('browses Objects/Elevators/<elevator>/<part>/<status> with the documented NodeIds', async () => {
    const objects = await children(session, 'ns=0;i=85');
    const folder = objects.find((r) => r.browseName.name === 'Elevators');
    expect(folder?.nodeId.toString()).toBe('ns=1;s=Elevators');

    const elevators = (await children(session, 'ns=1;s=Elevators')).filter((r) => r.nodeClass === NodeClass.Object);
    expect(elevators.map((r) => r.browseName.name)).toEqual(['elevator-01', 'elevator-02', 'elevator-03', 'elevator-04', 'elevator-05']);
    expect(elevators.map((r) => r.nodeId.toString())).toEqual(['ns=1;s=elevator-01', 'ns=1;s=elevator-02', 'ns=1;s=elevator-03', 'ns=1;s=elevator-04', 'ns=1;s=elevator-05']);

    const members = await children(session, 'ns=1;s=elevator-02');
    expect(members.filter((r) => r.nodeClass === NodeClass.Object).map((r) => r.browseName.name)).toEqual(model.parts.map((p) => p.id));
    expect(members.filter((r) => r.nodeClass === NodeClass.Method).map((r) => r.nodeId.toString())).toEqual(['ns=1;s=elevator-02/InjectFault', 'ns=1;s=elevator-02/ClearFaults']);
    expect(members.filter((r) => r.nodeClass === NodeClass.Variable).map((r) => r.nodeId.toString())).toEqual(['ns=1;s=elevator-02/ActiveFaults']);

    // Every status of every part, as the model lists them.
    for (const part of model.parts) {
      const vars = (await children(session, `ns=1;s=elevator-02/${part.id}`)).filter((r) => r.nodeClass === NodeClass.Variable);
      expect({ part: part.id, vars: vars.map((r) => r.nodeId.toString()) }).toEqual({ part: part.id, vars: part.statuses.map((s) => `ns=1;s=elevator-02/${part.id}/${s.key}`) });
    }
    expect(server!.nodeIdOf('elevator-02', 'p.traction.vibration_rms')).toBe('ns=1;s=elevator-02/p.traction/vibration_rms');
  });

  it('reads a status as an AnalogItem with EngineeringUnits from the model unit and EURange from its min/max', async () => {
    const nodeId = 'ns=1;s=elevator-01/p.traction/vibration_rms';
    const value = await readNumber(session, nodeId);
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(7.1);

    const props = await session.browse({ nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HasProperty', resultMask: 63 });
    const prop = (name: string): string => props.references!.find((r) => r.browseName.name === name)!.nodeId.toString();
    const type = await session.browse({ nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HasTypeDefinition', resultMask: 63 });
    expect(type.references![0].browseName.name).toBe('AnalogItemType');

    const [units, range] = await session.read([
      { nodeId: prop('EngineeringUnits'), attributeId: AttributeIds.Value },
      { nodeId: prop('EURange'), attributeId: AttributeIds.Value },
    ]);
    const eu: unknown = units.value.value;
    if (!isEuInformation(eu)) throw new Error(`EngineeringUnits is not an EUInformation: ${String(eu)}`);
    expect(eu.displayName.text).toBe('mm/s');
    expect(eu.unitId).toBe(makeEUInformation('C16', 'mm/s', '').unitId); // UN/CEFACT millimetre per second
    const eurange: unknown = range.value.value;
    expect(eurange).toBeInstanceOf(Range);
    expect({ low: (eurange as Range).low, high: (eurange as Range).high }).toEqual({ low: 0, high: 50 });

    // Another unit for good measure: % on the brake.
    const brakeProps = await session.browse({ nodeId: 'ns=1;s=elevator-01/p.brake/brake_wear', browseDirection: BrowseDirection.Forward, referenceTypeId: 'HasProperty', resultMask: 63 });
    const brakeEu = await session.read({ nodeId: brakeProps.references!.find((r) => r.browseName.name === 'EngineeringUnits')!.nodeId, attributeId: AttributeIds.Value });
    const brakeUnits: unknown = brakeEu.value.value;
    expect(isEuInformation(brakeUnits) && brakeUnits.displayName.text).toBe('%');
  });

  it('publishes changing values to a subscription, with simulated source timestamps', async () => {
    const subscription: ClientSubscription = await session.createSubscription2({
      requestedPublishingInterval: 100,
      requestedLifetimeCount: 600,
      requestedMaxKeepAliveCount: 20,
      maxNotificationsPerPublish: 100,
      publishingEnabled: true,
      priority: 1,
    });
    try {
      const seen: DataValue[] = [];
      const item = await subscription.monitor(
        { nodeId: 'ns=1;s=elevator-01/p.traction/vibration_rms', attributeId: AttributeIds.Value },
        { samplingInterval: 100, discardOldest: true, queueSize: 10 },
        TimestampsToReturn.Both,
      );
      item.on('changed', (dv: DataValue) => seen.push(dv));
      await waitFor('4 distinct vibration values', () => (new Set(seen.map((dv) => dv.value.value)).size >= 4 ? true : undefined));
      const times = seen.map((dv) => dv.sourceTimestamp!.getTime());
      times.slice(1).forEach((t, i) => expect(t).toBeGreaterThan(times[i]));
      // Simulated time runs TIME_SCALE times faster than the clock: consecutive updates ~24 s apart, not 0.2 s.
      expect(times[times.length - 1] - times[0]).toBeGreaterThan((times.length - 1) * 10_000);
    } finally {
      await subscription.terminate();
    }
  });

  it('InjectFault(bearing-wear) on elevator-03 drives vibration over 7.1 mm/s; ClearFaults brings it back', async () => {
    const nodeId = 'ns=1;s=elevator-03/p.traction/vibration_rms';
    const before = await readNumber(session, nodeId);
    expect(before).toBeLessThan(7.1);

    const result = await session.call({
      objectId: 'ns=1;s=elevator-03',
      methodId: 'ns=1;s=elevator-03/InjectFault',
      inputArguments: [new Variant({ dataType: DataType.String, value: 'bearing-wear' }), new Variant({ dataType: DataType.Double, value: 0 })],
    });
    expect(result.statusCode).toBe(StatusCodes.Good);
    expect(String(result.outputArguments![0].value)).toMatch(/^bearing-wear on elevator-03 from simulated t=\d+ s until ClearFaults; fires ss\.traction/);
    const active = await session.read({ nodeId: 'ns=1;s=elevator-03/ActiveFaults', attributeId: AttributeIds.Value });
    expect(active.value.value).toEqual(['bearing-wear']);

    // Watched through a subscription, as the edge gateway would.
    const subscription = await session.createSubscription2({ requestedPublishingInterval: 100, requestedLifetimeCount: 600, requestedMaxKeepAliveCount: 20, publishingEnabled: true, priority: 1 });
    try {
      let latest = before;
      const item = await subscription.monitor({ nodeId, attributeId: AttributeIds.Value }, { samplingInterval: 100, discardOldest: true, queueSize: 10 }, TimestampsToReturn.Both);
      item.on('changed', (dv: DataValue) => (latest = dv.value.value as number));
      const started = Date.now();
      // +2 mm/s per simulated minute: about 3 simulated minutes, 1.5 real seconds at 120x.
      await waitFor('vibration_rms > 7.1', () => (latest > 7.1 ? latest : undefined), 10_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      // The other elevators are untouched.
      expect(await readNumber(session, 'ns=1;s=elevator-04/p.traction/vibration_rms')).toBeLessThan(7.1);

      const cleared = await session.call({ objectId: 'ns=1;s=elevator-03', methodId: 'ns=1;s=elevator-03/ClearFaults', inputArguments: [] });
      expect(cleared.statusCode).toBe(StatusCodes.Good);
      expect(cleared.outputArguments![0].value).toBe(1);
      await waitFor('vibration_rms back under 7.1', async () => ((await readNumber(session, nodeId)) < 7.1 ? true : undefined));
      const after = await session.read({ nodeId: 'ns=1;s=elevator-03/ActiveFaults', attributeId: AttributeIds.Value });
      expect(after.value.value).toEqual([]);
    } finally {
      await subscription.terminate();
    }
  });

  it('InjectFault rejects an unknown kind and a negative duration', async () => {
    const call = (kind: string, duration: number) =>
      session.call({
        objectId: 'ns=1;s=elevator-01',
        methodId: 'ns=1;s=elevator-01/InjectFault',
        inputArguments: [new Variant({ dataType: DataType.String, value: kind }), new Variant({ dataType: DataType.Double, value: duration })],
      });
    const unknown = await call('melt-down', 0);
    expect(unknown.statusCode).toBe(StatusCodes.BadInvalidArgument);
    expect(unknown.inputArgumentResults).toEqual([StatusCodes.BadInvalidArgument, StatusCodes.Good]);
    const negative = await call('door-obstruction', -1);
    expect(negative.statusCode).toBe(StatusCodes.BadInvalidArgument);
    expect(negative.inputArgumentResults).toEqual([StatusCodes.Good, StatusCodes.BadInvalidArgument]);
    expect(server!.fleet.activeFaults('elevator-01')).toEqual([]);
  });

  it('accepts the user/password over Basic256Sha256 SignAndEncrypt and refuses a wrong password', async () => {
    const secure = newClient(MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256);
    await secure.connect(server!.endpointUrl);
    const ok = await secure.createSession({ type: UserTokenType.UserName, userName: USER.user, password: USER.password });
    try {
      expect(await readNumber(ok, 'ns=1;s=elevator-05/p.doors/door_cycles')).toBeGreaterThan(0);
    } finally {
      await ok.close();
    }
    await expect(secure.createSession({ type: UserTokenType.UserName, userName: USER.user, password: 'wrong' })).rejects.toThrow(/BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/);
  });

  it('advances simulated time at the time scale (Simulation/SimulatedSeconds)', async () => {
    const t0 = await readNumber(session, 'ns=1;s=Simulation/SimulatedSeconds');
    const real0 = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    const t1 = await readNumber(session, 'ns=1;s=Simulation/SimulatedSeconds');
    const expected = ((Date.now() - real0) / 1000) * TIME_SCALE;
    // Updates come every 200 ms (24 simulated s), and a loaded machine may slip a little.
    expect(t1 - t0).toBeGreaterThan(expected * 0.5);
    expect(t1 - t0).toBeLessThan(expected + 2 * 24 + 1);
    expect(await readNumber(session, 'ns=1;s=Simulation/TimeScale')).toBe(TIME_SCALE);
  });
});
