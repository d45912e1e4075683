// The OPC UA face of the elevator fleet: a node-opcua server whose address space mirrors the PSS
// model (elevator -> part -> status), with values from the deterministic Fleet, updated on a timer.
//
// NodeId scheme (namespace index 1, the server's own namespace; string identifiers are stable
// across runs, fleet sizes and seeds, so the edge gateway's configuration can name them):
//   ns=1;s=Elevators                                  folder (Objects/Elevators)
//   ns=1;s=<elevator id>                              object per elevator, e.g. ns=1;s=elevator-01
//   ns=1;s=<elevator id>/<part id>                    object per part, e.g. ns=1;s=elevator-01/p.traction
//   ns=1;s=<elevator id>/<part id>/<status key>       AnalogItem (Double), e.g. ns=1;s=elevator-01/p.traction/vibration_rms
//   ns=1;s=<elevator id>/ActiveFaults                 String[]: the kinds of the faults acting now
//   ns=1;s=<elevator id>/InjectFault                  method (kind: String, durationSeconds: Double) -> message: String
//   ns=1;s=<elevator id>/ClearFaults                  method () -> cleared: UInt32
//   ns=1;s=Simulation/<name>                          SimulatedSeconds, SimulatedTime, TimeScale, Seed, StepSeconds
// Browse names are the ids themselves (namespace 1), so a client can also browse
// Objects/Elevators/elevator-01/p.traction/vibration_rms.
import { join } from 'path';
import { performance } from 'perf_hooks';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  VariantArrayType,
  makeEUInformation,
  type CallMethodResultOptions,
  type EUInformation,
  type ISessionContext,
  type Namespace,
  type UAObject,
  type UAVariable,
  type Variant,
} from 'node-opcua';
import type { PssModel } from '@pss/model';
import { FAULTS, FAULT_KINDS, Fleet, isFaultKind, type FaultEvent, type FleetStatus } from './fleet';
import { defaultPkiDir, resolveCredentials, type Credentials } from './settings';

export const RESOURCE_PATH = '/UA/PSS-Elevators';
export const APPLICATION_URI = 'urn:pss:sim-elevator-opcua';

export interface ElevatorServerOptions {
  model: PssModel;
  /** Number of elevators (default 10). */
  assets?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** TCP port (default 4840); 0 lets the OS pick a free one (tests). */
  port?: number;
  /** Hostname in the endpoint URL (default: node-opcua's, the machine's FQDN). */
  hostname?: string;
  /** Simulated seconds per real second (default 1). */
  timeScale?: number;
  /** Real milliseconds between value updates (default 1000). */
  updateIntervalMs?: number;
  /** Simulated seconds per fleet step (default 1): see Fleet. */
  stepSeconds?: number;
  faults?: readonly FaultEvent[];
  /**
   * Where node-opcua keeps certificates (own key and certificate, trusted and rejected peers).
   * Default: $SIM_ELEVATOR_PKI_DIR, else <os temp dir>/pss-sim-elevator-pki. Never the repository.
   */
  pkiDir?: string;
  /**
   * The one user/password login. null: none (anonymous only). Otherwise each missing part comes
   * from $SIM_ELEVATOR_USER / $SIM_ELEVATOR_PASSWORD, else the demo values (settings.ts).
   */
  credentials?: Partial<Credentials> | null;
  /** Whether anonymous sessions are allowed (default true). */
  allowAnonymous?: boolean;
  /**
   * Timestamps: 'simulated' (default) = start time + simulated seconds, so that a gateway's time
   * windows see simulated time; 'wall' = the real clock at publication. node-opcua's
   * setValueFromSource stamps the server timestamp with the same value as the source timestamp.
   */
  timestamps?: 'simulated' | 'wall';
  /** Epoch ms that simulated second 0 maps to (default: the moment the server is listening). */
  startTime?: number;
}

export interface ElevatorServer {
  readonly endpointUrl: string;
  readonly port: number;
  readonly pkiDir: string;
  readonly namespaceUri: string;
  readonly credentials: Credentials | null;
  readonly fleet: Fleet;
  readonly timeScale: number;
  readonly updateIntervalMs: number;
  /** The NodeId string of a status variable, e.g. ns=1;s=elevator-01/p.traction/vibration_rms. */
  nodeIdOf(asset: string, ref: string): string;
  /** Stops the timer and the server (waits delayMs first so clients are told; default 0). */
  shutdown(delayMs?: number): Promise<void>;
}

/** The NodeId string scheme, documented above. */
export function statusNodeId(asset: string, status: Pick<FleetStatus, 'part' | 'key'>): string {
  return `ns=1;s=${asset}/${status.part}/${status.key}`;
}

// Model units -> UN/CEFACT common codes (OPC UA Part 8 EUInformation.unitId). The displayName is
// the model's unit verbatim, so a gateway can check its configuration against the model.
const UNIT_CODES: Record<string, { code: string; name: string }> = {
  'mm/s': { code: 'C16', name: 'millimetre per second' },
  A: { code: 'AMP', name: 'ampere' },
  C: { code: 'CEL', name: 'degree Celsius' },
  '°C': { code: 'CEL', name: 'degree Celsius' },
  '%': { code: 'P1', name: 'percent' },
  ms: { code: 'C26', name: 'millisecond' },
  s: { code: 'SEC', name: 'second' },
  V: { code: 'VLT', name: 'volt' },
  count: { code: 'C62', name: 'one (count)' },
};

export function engineeringUnits(unit: string | undefined): EUInformation {
  const known = unit !== undefined ? UNIT_CODES[unit] : undefined;
  if (known) return makeEUInformation(known.code, unit!, known.name);
  // Unknown to us: unitId -1 is the standard "no code" value; keep the model's text.
  const eu = makeEUInformation('', unit ?? '', unit ?? 'no unit given in the model');
  eu.unitId = -1;
  return eu;
}

export async function startElevatorServer(options: ElevatorServerOptions): Promise<ElevatorServer> {
  const timeScale = options.timeScale ?? 1;
  const updateIntervalMs = options.updateIntervalMs ?? 1000;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`timeScale must be a finite number > 0, got ${options.timeScale}`);
  if (!(updateIntervalMs >= 10) || !Number.isFinite(updateIntervalMs)) throw new RangeError(`updateIntervalMs must be >= 10, got ${options.updateIntervalMs}`);
  const port = options.port ?? 4840;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer in 0..65535, got ${options.port}`);

  const fleet = new Fleet(options.model, { assets: options.assets ?? 10, seed: options.seed ?? 1, stepSeconds: options.stepSeconds, faults: options.faults });
  checkNodeIds(options.model, fleet);
  const credentials = resolveCredentials(options.credentials);
  const pkiDir = options.pkiDir ?? defaultPkiDir();
  const allowAnonymous = options.allowAnonymous ?? true;
  if (!allowAnonymous && !credentials) throw new Error('no way to log in: anonymous access is off and there are no credentials');

  // File watchers off: the simulator never needs to notice certificates dropped into the PKI
  // folder while running, and live watchers would keep test processes from exiting.
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: join(pkiDir, 'server'),
    // A simulator for demos and tests: trust any client certificate (a real server would not).
    automaticallyAcceptUnknownCertificate: true,
    disableFileWatchers: true,
  });
  const userCertificateManager = new OPCUACertificateManager({ rootFolder: join(pkiDir, 'user'), disableFileWatchers: true });

  const server = new OPCUAServer({
    port,
    hostname: options.hostname,
    resourcePath: RESOURCE_PATH,
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    allowAnonymous,
    userManager: {
      isValidUser: (user: string, password: string) => credentials !== null && user === credentials.user && password === credentials.password,
    },
    serverCertificateManager,
    userCertificateManager,
    serverInfo: { applicationUri: APPLICATION_URI, productUri: 'pss-sim-elevator-opcua', applicationName: { text: 'PSS elevator fleet simulator', locale: 'en' } },
    buildInfo: { productName: 'PSS elevator fleet simulator', manufacturerName: 'PSS platform', softwareVersion: '0.1.0' },
    // Up to one gateway, a UI client and a test or two at once.
    maxConnectionsPerEndpoint: 20,
    serverCapabilities: { maxSessions: 20 },
  });

  let startTime = options.startTime ?? Date.now();
  const simulatedDate = (): Date => new Date(startTime + fleet.time * 1000);
  const timestamp = options.timestamps === 'wall' ? (): Date => new Date() : simulatedDate;

  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  try {
    await server.initialize();
    const addressSpace = server.engine.addressSpace!;
    const namespace = addressSpace.getOwnNamespace();

    const folder = namespace.addObject({ nodeId: 's=Elevators', browseName: 'Elevators', organizedBy: addressSpace.rootFolder.objects, typeDefinition: 'FolderType' });
    const variables = new Map<string, UAVariable[]>();
    const faultVariables = new Map<string, UAVariable>();
    const lastFaults = new Map<string, string>();

    for (const asset of fleet.assets) {
      const elevator = namespace.addObject({ nodeId: `s=${asset}`, browseName: asset, organizedBy: folder, description: `Elevator ${asset} (model ${options.model.name})` });
      const parts = new Map<string, UAObject>();
      for (const part of options.model.parts) {
        parts.set(part.id, namespace.addObject({ nodeId: `s=${asset}/${part.id}`, browseName: part.id, componentOf: elevator, description: part.name ?? part.id }));
      }
      const readings = fleet.readingsView(asset);
      variables.set(
        asset,
        fleet.statuses.map((s, i) =>
          namespace.addAnalogDataItem({
            nodeId: `s=${asset}/${s.part}/${s.key}`,
            browseName: s.key,
            componentOf: parts.get(s.part)!,
            dataType: 'Double',
            engineeringUnits: engineeringUnits(s.unit),
            engineeringUnitsRange: { low: s.low, high: s.high },
            // The values change only when the timer publishes; 0 lets subscriptions be
            // exception-based (notified on change) instead of polling.
            minimumSamplingInterval: 0,
            value: { dataType: DataType.Double, value: readings[i] },
          }),
        ),
      );
      faultVariables.set(
        asset,
        namespace.addVariable({
          nodeId: `s=${asset}/ActiveFaults`,
          browseName: 'ActiveFaults',
          componentOf: elevator,
          dataType: 'String',
          valueRank: 1,
          minimumSamplingInterval: 0,
          value: { dataType: DataType.String, arrayType: VariantArrayType.Array, value: [] },
        }),
      );
      addFaultMethods(namespace, elevator, asset, fleet, () => publish());
    }

    const simulation = namespace.addObject({ nodeId: 's=Simulation', browseName: 'Simulation', organizedBy: addressSpace.rootFolder.objects });
    const simVar = (name: string, dataType: 'Double' | 'DateTime', value: () => Variant['value'], type: DataType): UAVariable =>
      namespace.addVariable({
        nodeId: `s=Simulation/${name}`,
        browseName: name,
        componentOf: simulation,
        dataType,
        minimumSamplingInterval: 0,
        value: { dataType: type, value: value() },
      });
    const simSeconds = simVar('SimulatedSeconds', 'Double', () => fleet.time, DataType.Double);
    const simTime = simVar('SimulatedTime', 'DateTime', () => simulatedDate(), DataType.DateTime);
    simVar('TimeScale', 'Double', () => timeScale, DataType.Double);
    simVar('Seed', 'Double', () => fleet.seed, DataType.Double);
    simVar('StepSeconds', 'Double', () => fleet.stepSeconds, DataType.Double);

    const publish = (): void => {
      const ts = timestamp();
      for (const asset of fleet.assets) {
        const readings = fleet.readingsView(asset);
        const vars = variables.get(asset)!;
        for (let i = 0; i < vars.length; i++) vars[i].setValueFromSource({ dataType: DataType.Double, value: readings[i] }, StatusCodes.Good, ts);
        const active = fleet.activeFaults(asset).map((f) => f.kind);
        const key = active.join(',');
        if (lastFaults.get(asset) !== key) {
          lastFaults.set(asset, key);
          faultVariables.get(asset)!.setValueFromSource({ dataType: DataType.String, arrayType: VariantArrayType.Array, value: active }, StatusCodes.Good, ts);
        }
      }
      simSeconds.setValueFromSource({ dataType: DataType.Double, value: fleet.time }, StatusCodes.Good, ts);
      simTime.setValueFromSource({ dataType: DataType.DateTime, value: simulatedDate() }, StatusCodes.Good, ts);
    };

    // Simulated time follows real time times the scale, in whole fleet steps. If the host cannot
    // keep up (or the process was suspended), the simulated clock slips instead of racing to
    // catch up: at most 10 ticks' worth of steps run per tick.
    let origin = 0;
    const maxStepsPerTick = Math.max(1, Math.ceil((timeScale * updateIntervalMs) / 1000 / fleet.stepSeconds) * 10);
    // The steps of a tick run in slices of about 15 ms with the event loop served in between: a
    // big fleet at a high time scale needs hundreds of ms of stepping per tick, and a blocked loop
    // would stall OPC UA requests and signals. (tsx, which `npm run sim:elevator` uses, SIGKILLs
    // a child that does not acknowledge a relayed Ctrl-C within about 60 ms.)
    let ticking = false;
    const tick = async (): Promise<void> => {
      if (ticking || stopped) return; // the previous tick is still stepping: it will catch up
      ticking = true;
      try {
        const target = ((performance.now() - origin) / 1000) * timeScale;
        const behind = target / fleet.stepSeconds - fleet.steps;
        if (behind > maxStepsPerTick) origin += ((behind - maxStepsPerTick) * fleet.stepSeconds * 1000) / timeScale;
        const targetSteps = Math.floor(Math.min(target / fleet.stepSeconds + 1e-9, fleet.steps + maxStepsPerTick));
        while (fleet.steps < targetSteps) {
          const sliceEnd = performance.now() + 15;
          do fleet.step();
          while (fleet.steps < targetSteps && performance.now() < sliceEnd);
          if (fleet.steps < targetSteps) await new Promise<void>((resolve) => setImmediate(resolve));
          if (stopped) return;
        }
        publish();
      } finally {
        ticking = false;
      }
    };
    publish();
    await server.start();
    // The clock starts now, not before initialization (certificates, address space: seconds),
    // so that a client connecting right away sees simulated time near 0.
    origin = performance.now();
    if (options.startTime === undefined) startTime = Date.now();
    publish();
    timer = setInterval(() => void tick(), updateIntervalMs);

    const actualPort = server.endpoints[0]?.port ?? port;
    const endpointUrl = server.getEndpointUrl();
    const namespaceUri = namespace.namespaceUri;
    return {
      endpointUrl,
      port: actualPort,
      pkiDir,
      namespaceUri,
      credentials,
      fleet,
      timeScale,
      updateIntervalMs,
      nodeIdOf: (asset, ref) => {
        const s = fleet.statuses.find((x) => x.ref === ref);
        if (!s || !fleet.hasAsset(asset)) throw new Error(`no variable for ${asset} ${ref}`);
        return statusNodeId(asset, s);
      },
      shutdown: async (delayMs = 0) => {
        if (stopped) return;
        stopped = true;
        if (timer) clearInterval(timer);
        await server.shutdown(delayMs);
        await Promise.all([serverCertificateManager.dispose(), userCertificateManager.dispose()]);
      },
    };
  } catch (error) {
    // A half-started server (port taken, certificate trouble) must not keep the process alive.
    if (timer) clearInterval(timer);
    await server.shutdown(0).catch(() => undefined);
    await Promise.all([serverCertificateManager.dispose(), userCertificateManager.dispose()]).catch(() => undefined);
    throw error;
  }
}

/** InjectFault and ClearFaults on one elevator. */
function addFaultMethods(namespace: Namespace, elevator: UAObject, asset: string, fleet: Fleet, publish: () => void): void {
  const inject = namespace.addMethod(elevator, {
    nodeId: `s=${asset}/InjectFault`,
    browseName: 'InjectFault',
    description: `Starts a fault on ${asset} now. Kinds: ${FAULT_KINDS.join(', ')}.`,
    inputArguments: [
      { name: 'kind', dataType: DataType.String, description: { text: `one of ${FAULT_KINDS.join(', ')}` } },
      { name: 'durationSeconds', dataType: DataType.Double, description: { text: 'simulated seconds; 0 = the kind default (wear: until ClearFaults)' } },
    ],
    outputArguments: [{ name: 'message', dataType: DataType.String, description: { text: 'what was injected and which trigger it fires when' } }],
  });
  // node-opcua tells promise handlers from callback ones by arity: a promise handler must
  // declare exactly two parameters (inputs, context), used or not.
  inject.bindMethod(async (inputArguments: Variant[], _context: ISessionContext): Promise<CallMethodResultOptions> => {
    const kind: unknown = inputArguments[0]?.value;
    const duration: unknown = inputArguments[1]?.value;
    const kindOk = isFaultKind(kind);
    const durationOk = typeof duration === 'number' && Number.isFinite(duration) && duration >= 0;
    if (!kindOk || !durationOk) {
      return {
        statusCode: StatusCodes.BadInvalidArgument,
        inputArgumentResults: [kindOk ? StatusCodes.Good : StatusCodes.BadInvalidArgument, durationOk ? StatusCodes.Good : StatusCodes.BadInvalidArgument],
      };
    }
    const fault = fleet.injectFault(asset, kind, duration);
    publish();
    const info = FAULTS[kind];
    const until = Number.isFinite(fault.end) ? `until t=${fault.end} s` : 'until ClearFaults';
    return {
      statusCode: StatusCodes.Good,
      outputArguments: [
        {
          dataType: DataType.String,
          value: `${kind} on ${asset} from simulated t=${fault.at} s ${until}; fires ${info.trigger} (${info.clause}) within ${info.firesWithinSeconds} simulated s`,
        },
      ],
    };
  });

  const clear = namespace.addMethod(elevator, {
    nodeId: `s=${asset}/ClearFaults`,
    browseName: 'ClearFaults',
    description: `Ends every active or pending fault of ${asset} now (the repair is done).`,
    inputArguments: [],
    outputArguments: [{ name: 'cleared', dataType: DataType.UInt32, description: { text: 'how many faults were ended' } }],
  });
  clear.bindMethod(async (_inputs: Variant[], _context: ISessionContext): Promise<CallMethodResultOptions> => {
    const n = fleet.clearFaults(asset);
    publish();
    return { statusCode: StatusCodes.Good, outputArguments: [{ dataType: DataType.UInt32, value: n }] };
  });
}

const ELEVATOR_MEMBERS = ['ActiveFaults', 'InjectFault', 'ClearFaults'];

/**
 * String NodeIds must be unique: ids containing '/' could collide (part "a/b" + key "c" vs part
 * "a" + key "b/c"), and a part may not take the name of an elevator's own members. Checked up
 * front so the error names the cause instead of node-opcua's "nodeId already exists".
 */
function checkNodeIds(model: PssModel, fleet: Fleet): void {
  const seen = new Set<string>(ELEVATOR_MEMBERS);
  for (const id of [...model.parts.map((p) => p.id), ...fleet.statuses.map((s) => `${s.part}/${s.key}`)]) {
    if (seen.has(id)) throw new Error(`two nodes of an elevator would get the NodeId ns=1;s=<elevator>/${id}: part ids and status keys must not contain '/' or be ${ELEVATOR_MEMBERS.join(', ')}`);
    seen.add(id);
  }
}
