// Reads the gateway's YAML (or JSON) configuration into a GatewayConfig: defaults applied, environment variables
// substituted, asset ranges and templates expanded, every binding checked against the PSS model. Every problem is
// reported at once, each with its path (`assets[3].opcua.endpoint: unknown OPC UA endpoint "simm" (known: sim)`),
// before anything connects.
import { dirname, isAbsolute, resolve } from 'node:path';
import { readRaw } from '@pss/documents';
import { DocReader, IssueCollector, PssModel, ValidationError, ValidationIssue, isRecord, joinPath, readPssModel } from '@pss/model';
import { checkSegment, hasControlCharacter } from '@pss/protocol';
import { EMBEDDED_BROKER } from '../mqtt/embedded-broker';
import { topicFilterProblem } from '../mqtt/topic-filter';
import { compileJsonPath } from '../mqtt/json-path';
import { expandIdPattern, fillTemplate, substituteEnv } from './expand';
import {
  AssetConfig,
  BrokerConnectionConfig,
  DeviceCredentials,
  EmbeddedBrokerConfig,
  ExternalBrokerConfig,
  GatewayConfig,
  HttpConfig,
  MqttBinding,
  OpcUaBinding,
  OpcUaEndpointConfig,
  OpcUaSecurityMode,
  OpcUaSecurityPolicy,
  OpcUaUserIdentity,
  SpoolConfig,
  TelemetryConfig,
  TlsConfig,
  UplinkConfig,
} from './types';

const SECURITY_MODES: readonly OpcUaSecurityMode[] = ['None', 'Sign', 'SignAndEncrypt'];
const SECURITY_POLICIES: readonly OpcUaSecurityPolicy[] = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'];
const TELEMETRY_METHODS = ['raw', 'avg', 'min', 'max', 'last'] as const;

export interface LoadConfigOptions {
  /** Environment for `${env:NAME}` (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides applied after reading (the CLI's --data-dir, --http-port, tests' free ports). */
  overrides?: (raw: Record<string, unknown>) => void;
}

export interface LoadedConfig {
  config: GatewayConfig;
  warnings: ValidationIssue[];
}

/** Loads and validates a configuration file; throws ValidationError (naming the file) with every problem. */
export function loadConfig(file: string, options: LoadConfigOptions = {}): LoadedConfig {
  const absolute = resolve(file);
  const raw = readRaw(absolute);
  if (!raw.ok) throw new ValidationError(raw.issues, absolute);
  const envProblems: ValidationIssue[] = [];
  const value = substituteEnv(raw.value, options.env ?? process.env, '', envProblems);
  if (isRecord(value)) options.overrides?.(value);
  const result = readGatewayConfig(value, absolute);
  const issues = [...envProblems, ...result.issues.issues];
  if (issues.length > 0) throw new ValidationError(issues, absolute, result.issues.warnings);
  return { config: result.config!, warnings: result.issues.warnings };
}

/** One status of the model, found by its reference `<part>.<status>` (part ids may contain dots). */
interface StatusRef {
  part: string;
  status: string;
}

export function modelStatusRefs(model: PssModel): Map<string, StatusRef> {
  const refs = new Map<string, StatusRef>();
  for (const part of model.parts) for (const s of part.statuses) refs.set(`${part.id}.${s.key}`, { part: part.id, status: s.key });
  return refs;
}

/** Reads an already parsed configuration; `file` is where relative paths start from. */
export function readGatewayConfig(raw: unknown, file: string): { config?: GatewayConfig; issues: IssueCollector } {
  const issues = new IssueCollector();
  const r = new DocReader(issues);
  const base = dirname(file);
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const doc = r.object(raw, '');
  if (!doc) return { issues };
  r.knownKeys(doc, '', [
    'tenant', 'gateway', 'model', 'dataDir', 'uplink', 'spool', 'telemetry', 'http', 'lateToleranceMs', 'tickMs', 'snapshotMs',
    'rejectLogIntervalMs', 'embeddedBroker', 'brokers', 'opcua', 'assets',
  ]);

  const tenant = segment(r, doc, 'tenant', '');
  const gateway = segment(r, doc, 'gateway', '');

  const modelPath = r.string(doc, 'model', '');
  const modelFile = modelPath ? abs(modelPath) : '';
  let model: PssModel | undefined;
  if (modelFile) {
    const modelRaw = readRaw(modelFile);
    if (!modelRaw.ok) for (const i of modelRaw.issues) issues.add(i.path ? `model (${modelPath}).${i.path}` : 'model', i.message);
    else {
      const read = readPssModel(modelRaw.value);
      if (!read.ok) for (const i of read.issues) issues.add(i.path ? `model (${modelPath}).${i.path}` : `model (${modelPath})`, i.message);
      else model = read.value;
    }
  }

  const dataDir = abs(r.optionalString(doc, 'dataDir', '') ?? `data/${gateway || 'gateway'}`);
  const uplink = readUplink(r, doc.uplink, 'uplink', gateway, abs);
  const spool = readSpool(r, doc.spool, 'spool', dataDir);
  const telemetry = readTelemetry(r, doc.telemetry, 'telemetry');
  const http = readHttp(r, doc.http, 'http');
  const lateToleranceMs = r.number(doc, 'lateToleranceMs', '', { min: 0 }, 5000);
  const tickMs = r.number(doc, 'tickMs', '', { min: 10, integer: true }, 1000);
  const snapshotMs = r.number(doc, 'snapshotMs', '', { min: 100, integer: true }, 10_000);
  const rejectLogIntervalMs = r.number(doc, 'rejectLogIntervalMs', '', { min: 0, integer: true }, 60_000);

  const embeddedBroker = doc.embeddedBroker === undefined ? undefined : readEmbeddedBroker(r, doc.embeddedBroker, 'embeddedBroker');
  const brokers = r.list(doc, 'brokers', '', false).map((b, i) => readExternalBroker(r, b, joinPath('brokers', i), gateway, abs));
  uniqueNames(issues, brokers, 'brokers');
  for (const [i, b] of brokers.entries()) if (b.name === EMBEDDED_BROKER) issues.add(`brokers[${i}].name`, `"${EMBEDDED_BROKER}" is reserved for the embedded broker`);
  const opcuaEndpoints = r.list(doc, 'opcua', '', false).map((e, i) => readOpcUaEndpoint(r, e, joinPath('opcua', i), dataDir, abs));
  uniqueNames(issues, opcuaEndpoints, 'opcua');

  const assets: AssetConfig[] = [];
  const opcua: OpcUaBinding[] = [];
  const mqtt: MqttBinding[] = [];
  const context: AssetContext = {
    refs: model ? modelStatusRefs(model) : new Map(),
    triggers: new Set(model?.triggers.map((t) => t.id) ?? []),
    endpoints: new Map(opcuaEndpoints.map((e) => [e.name, e])),
    brokers: new Set([...(embeddedBroker ? [EMBEDDED_BROKER] : []), ...brokers.map((b) => b.name).filter((n) => n !== EMBEDDED_BROKER)]),
    modelLoaded: model !== undefined,
  };
  const assetIndex = new Map<string, string>();
  r.list(doc, 'assets', '', true).forEach((entry, i) => {
    const path = joinPath('assets', i);
    for (const read of readAssetEntry(r, entry, path, context)) {
      const first = assetIndex.get(read.asset.id);
      if (first !== undefined) {
        issues.add(`${path}.id`, `asset "${read.asset.id}" is already configured at ${first}`);
        continue;
      }
      assetIndex.set(read.asset.id, path);
      assets.push(read.asset);
      opcua.push(...read.opcua);
      mqtt.push(...read.mqtt);
    }
  });
  checkBindingConflicts(issues, opcua, mqtt);

  if (!issues.ok || !model) return { issues };
  return {
    issues,
    config: {
      file, tenant, gateway, modelFile, model, dataDir, uplink, spool, telemetry, http, lateToleranceMs, tickMs, snapshotMs, rejectLogIntervalMs,
      ...(embeddedBroker && { embeddedBroker }), brokers, opcuaEndpoints, assets, opcua, mqtt,
    },
  };
}

// ---- sections ----------------------------------------------------------------------------------------------------

function segment(r: DocReader, obj: Record<string, unknown>, key: 'tenant' | 'gateway', path: string): string {
  const value = r.string(obj, key, path);
  if (value) {
    const problem = checkSegment(key, value);
    if (problem) r.issues.add(joinPath(path, key), problem);
  }
  return value;
}

function section(r: DocReader, value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  const obj = r.object(value, path) ?? {};
  r.knownKeys(obj, path, keys);
  return obj;
}

function uniqueNames(issues: IssueCollector, items: readonly { name: string }[], path: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.name);
    if (first !== undefined) issues.add(`${path}[${i}].name`, `duplicate name "${item.name}" (first at ${path}[${first}])`);
    else seen.set(item.name, i);
  });
}

const CONNECTION_KEYS = ['url', 'clientId', 'username', 'password', 'tls', 'keepaliveS', 'protocolVersion', 'reconnectPeriodMs'];

function readConnection(r: DocReader, obj: Record<string, unknown>, path: string, defaultClientId: string, abs: (p: string) => string): BrokerConnectionConfig {
  const url = r.string(obj, 'url', path);
  if (url && !/^(mqtts?|wss?):\/\/[^/]+/.test(url)) r.issues.add(joinPath(path, 'url'), `must be an mqtt://, mqtts://, ws:// or wss:// URL, got "${url}"`);
  const username = r.optionalString(obj, 'username', path);
  const password = obj.password === undefined ? undefined : typeof obj.password === 'string' ? obj.password : (r.issues.add(joinPath(path, 'password'), 'must be text'), undefined);
  const protocolVersion = r.number(obj, 'protocolVersion', path, { integer: true }, 5);
  if (protocolVersion !== 4 && protocolVersion !== 5) r.issues.add(joinPath(path, 'protocolVersion'), `must be 4 (MQTT 3.1.1) or 5, got ${protocolVersion}`);
  const tls = obj.tls === undefined ? undefined : readTls(r, obj.tls, joinPath(path, 'tls'), abs);
  return {
    url,
    clientId: r.optionalString(obj, 'clientId', path) ?? defaultClientId,
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    ...(tls && { tls }),
    keepaliveS: r.number(obj, 'keepaliveS', path, { min: 0, max: 65535, integer: true }, 30),
    protocolVersion: protocolVersion === 4 ? 4 : 5,
    reconnectPeriodMs: r.number(obj, 'reconnectPeriodMs', path, { min: 100, integer: true }, 1000),
  };
}

function readTls(r: DocReader, value: unknown, path: string, abs: (p: string) => string): TlsConfig {
  const obj = section(r, value, path, ['ca', 'cert', 'key', 'rejectUnauthorized']);
  const file = (key: string): string | undefined => {
    const p = r.optionalString(obj, key, path);
    return p === undefined ? undefined : abs(p);
  };
  const caFile = file('ca');
  const certFile = file('cert');
  const keyFile = file('key');
  if ((certFile === undefined) !== (keyFile === undefined)) r.issues.add(path, 'cert and key go together (client certificate authentication needs both)');
  return {
    ...(caFile && { caFile }),
    ...(certFile && { certFile }),
    ...(keyFile && { keyFile }),
    rejectUnauthorized: r.boolean(obj, 'rejectUnauthorized', path, true),
  };
}

function readUplink(r: DocReader, value: unknown, path: string, gateway: string, abs: (p: string) => string): UplinkConfig {
  if (value === undefined) r.issues.add(path, 'is required (the broker the cloud listens on)');
  const obj = section(r, value ?? {}, path, [...CONNECTION_KEYS, 'ackTimeoutMs', 'maxAckTimeoutMs', 'maxInflight', 'sessionExpiryS']);
  if (value === undefined) return { ...readConnectionDefaults(gateway), ackTimeoutMs: 30_000, maxAckTimeoutMs: 600_000, maxInflight: 100, sessionExpiryS: 86_400 };
  const connection = readConnection(r, obj, path, gateway || 'pss-gateway', abs);
  const ackTimeoutMs = r.number(obj, 'ackTimeoutMs', path, { min: 100, integer: true }, 30_000);
  const maxAckTimeoutMs = r.number(obj, 'maxAckTimeoutMs', path, { min: 100, integer: true }, 600_000);
  if (maxAckTimeoutMs < ackTimeoutMs) r.issues.add(joinPath(path, 'maxAckTimeoutMs'), `must be >= ackTimeoutMs (${ackTimeoutMs})`);
  return {
    ...connection,
    ackTimeoutMs,
    maxAckTimeoutMs,
    maxInflight: r.number(obj, 'maxInflight', path, { min: 1, max: 65535, integer: true }, 100),
    sessionExpiryS: r.number(obj, 'sessionExpiryS', path, { min: 0, integer: true }, 86_400),
  };
}

function readConnectionDefaults(gateway: string): BrokerConnectionConfig {
  return { url: '', clientId: gateway, keepaliveS: 30, protocolVersion: 5, reconnectPeriodMs: 1000 };
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)?$/;
const UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** A byte count: a number, or text such as "256MiB". */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNIT[m[2] ?? 'B']);
  return bytes > 0 ? bytes : undefined;
}

function readSpool(r: DocReader, value: unknown, path: string, dataDir: string): SpoolConfig {
  const obj = section(r, value, path, ['maxBytes']);
  let maxBytes = 256 * 1024 * 1024;
  if (obj.maxBytes !== undefined) {
    const parsed = parseSize(obj.maxBytes);
    if (parsed === undefined || parsed < 64 * 1024) r.issues.add(joinPath(path, 'maxBytes'), `must be a size of at least 64KiB (a number of bytes or text like "256MiB"), got ${JSON.stringify(obj.maxBytes)}`);
    else maxBytes = parsed;
  }
  return { dir: resolve(dataDir, 'spool'), maxBytes };
}

function readTelemetry(r: DocReader, value: unknown, path: string): TelemetryConfig {
  const obj = section(r, value, path, ['enabled', 'method', 'intervalMs', 'flushMs', 'qos']);
  const qos = r.number(obj, 'qos', path, { integer: true, min: 0, max: 1 }, 1);
  return {
    enabled: r.boolean(obj, 'enabled', path, true),
    method: r.oneOf(obj, 'method', path, TELEMETRY_METHODS, 'avg'),
    intervalMs: r.number(obj, 'intervalMs', path, { min: 1, integer: true }, 10_000),
    flushMs: r.number(obj, 'flushMs', path, { min: 10, integer: true }, 1000),
    qos: qos === 0 ? 0 : 1,
  };
}

function readHttp(r: DocReader, value: unknown, path: string): HttpConfig {
  const obj = section(r, value, path, ['host', 'port']);
  return {
    host: r.optionalString(obj, 'host', path) ?? '127.0.0.1',
    port: r.number(obj, 'port', path, { min: 0, max: 65535, integer: true }, 9464),
  };
}

function readEmbeddedBroker(r: DocReader, value: unknown, path: string): EmbeddedBrokerConfig {
  const obj = section(r, value, path, ['host', 'port', 'devices', 'allowAnonymous', 'ignoreTopics']);
  const ignoreTopics = r.stringList(obj, 'ignoreTopics', path, false);
  ignoreTopics.forEach((f, j) => {
    const problem = topicFilterProblem(f);
    if (problem) r.issues.add(`${path}.ignoreTopics[${j}]`, problem);
  });
  const devices = r.list(obj, 'devices', path, false).map((d, i): DeviceCredentials => {
    const at = joinPath(joinPath(path, 'devices'), i);
    const dev = section(r, d, at, ['username', 'password', 'publish', 'subscribe']);
    const filters = (key: string): string[] => {
      const list = r.stringList(dev, key, at, false);
      list.forEach((f, j) => {
        const problem = topicFilterProblem(f);
        if (problem) r.issues.add(`${at}.${key}[${j}]`, problem);
      });
      return list;
    };
    return { username: r.string(dev, 'username', at), password: r.string(dev, 'password', at), publish: filters('publish'), subscribe: filters('subscribe') };
  });
  const seen = new Map<string, number>();
  devices.forEach((d, i) => {
    if (seen.has(d.username)) r.issues.add(`${path}.devices[${i}].username`, `duplicate username "${d.username}" (first at ${path}.devices[${seen.get(d.username)}])`);
    else seen.set(d.username, i);
  });
  return {
    host: r.optionalString(obj, 'host', path) ?? '0.0.0.0',
    port: r.number(obj, 'port', path, { min: 0, max: 65535, integer: true }, 1883),
    devices,
    allowAnonymous: r.boolean(obj, 'allowAnonymous', path, false),
    ignoreTopics,
  };
}

function readExternalBroker(r: DocReader, value: unknown, path: string, gateway: string, abs: (p: string) => string): ExternalBrokerConfig {
  const obj = section(r, value, path, ['name', ...CONNECTION_KEYS]);
  const name = r.string(obj, 'name', path);
  return { name, ...readConnection(r, obj, path, `${gateway || 'pss-gateway'}-${name}`, abs) };
}

function readOpcUaEndpoint(r: DocReader, value: unknown, path: string, dataDir: string, abs: (p: string) => string): OpcUaEndpointConfig {
  const obj = section(r, value, path, [
    'name', 'url', 'securityMode', 'securityPolicy', 'user', 'publishingIntervalMs', 'maxItemsPerSubscription', 'maxItemsPerCreateCall',
    'pkiDir', 'trustUnknownServerCertificate', 'reconnectInitialDelayMs', 'reconnectMaxDelayMs',
  ]);
  const name = r.string(obj, 'name', path);
  const url = r.string(obj, 'url', path);
  if (url && !url.startsWith('opc.tcp://')) r.issues.add(joinPath(path, 'url'), `must be an opc.tcp:// URL, got "${url}"`);
  const securityMode = r.oneOf(obj, 'securityMode', path, SECURITY_MODES, 'None');
  const securityPolicy = r.oneOf(obj, 'securityPolicy', path, SECURITY_POLICIES, securityMode === 'None' ? 'None' : 'Basic256Sha256');
  if ((securityMode === 'None') !== (securityPolicy === 'None')) {
    r.issues.add(joinPath(path, 'securityPolicy'), `securityMode ${securityMode} needs ${securityMode === 'None' ? 'securityPolicy None' : 'a securityPolicy other than None'}`);
  }
  const pki = r.optionalString(obj, 'pkiDir', path);
  const initial = r.number(obj, 'reconnectInitialDelayMs', path, { min: 10, integer: true }, 1000);
  const max = r.number(obj, 'reconnectMaxDelayMs', path, { min: 10, integer: true }, 30_000);
  if (max < initial) r.issues.add(joinPath(path, 'reconnectMaxDelayMs'), `must be >= reconnectInitialDelayMs (${initial})`);
  return {
    name,
    url,
    securityMode,
    securityPolicy,
    user: readOpcUaUser(r, obj.user, joinPath(path, 'user'), abs),
    publishingIntervalMs: r.number(obj, 'publishingIntervalMs', path, { min: 10, integer: true }, 1000),
    maxItemsPerSubscription: r.number(obj, 'maxItemsPerSubscription', path, { min: 1, integer: true }, 5000),
    maxItemsPerCreateCall: r.number(obj, 'maxItemsPerCreateCall', path, { min: 1, integer: true }, 1000),
    pkiDir: pki ? abs(pki) : resolve(dataDir, 'pki', name || 'opcua'),
    trustUnknownServerCertificate: r.boolean(obj, 'trustUnknownServerCertificate', path, securityMode === 'None'),
    reconnectInitialDelayMs: initial,
    reconnectMaxDelayMs: max,
  };
}

function readOpcUaUser(r: DocReader, value: unknown, path: string, abs: (p: string) => string): OpcUaUserIdentity {
  if (value === undefined) return { type: 'anonymous' };
  const obj = section(r, value, path, ['username', 'password', 'certificate', 'privateKey']);
  if (obj.certificate !== undefined || obj.privateKey !== undefined) {
    return { type: 'certificate', certificateFile: abs(r.string(obj, 'certificate', path)), privateKeyFile: abs(r.string(obj, 'privateKey', path)) };
  }
  const password = typeof obj.password === 'string' ? obj.password : (r.issues.add(joinPath(path, 'password'), obj.password === undefined ? 'is required with a username' : 'must be text'), '');
  return { type: 'username', username: r.string(obj, 'username', path), password };
}

// ---- assets and their bindings -----------------------------------------------------------------------------------

interface AssetContext {
  refs: Map<string, StatusRef>;
  triggers: Set<string>;
  endpoints: Map<string, OpcUaEndpointConfig>;
  brokers: Set<string>;
  modelLoaded: boolean;
}

interface AssetRead {
  asset: AssetConfig;
  opcua: OpcUaBinding[];
  mqtt: MqttBinding[];
}

function readAssetEntry(r: DocReader, value: unknown, path: string, ctx: AssetContext): AssetRead[] {
  const obj = r.object(value, path);
  if (!obj) return [];
  r.knownKeys(obj, path, ['id', 'triggers', 'opcua', 'mqtt']);
  const pattern = r.string(obj, 'id', path);
  if (!pattern) return [];
  let ids: string[];
  try {
    ids = expandIdPattern(pattern);
  } catch (e) {
    r.issues.add(`${path}.id`, (e as Error).message);
    return [];
  }
  const badId = ids.find((id) => id.length > 128 || hasControlCharacter(id) || id.trim() !== id);
  if (badId !== undefined) r.issues.add(`${path}.id`, `asset id "${badId}" must have 1 to 128 characters, no control characters and no surrounding white space`);

  let triggers: string[] | undefined;
  if (obj.triggers !== undefined) {
    triggers = r.stringList(obj, 'triggers', path);
    triggers.forEach((t, i) => {
      if (ctx.modelLoaded && !ctx.triggers.has(t)) r.issues.add(`${path}.triggers[${i}]`, `unknown trigger "${t}" (the model has: ${[...ctx.triggers].join(', ')})`);
    });
  }
  if (obj.opcua === undefined && obj.mqtt === undefined) r.issues.add(path, 'needs opcua or mqtt bindings (where its statuses come from)');

  const opcuaSpec = obj.opcua === undefined ? undefined : readOpcUaSpec(r, obj.opcua, `${path}.opcua`, ctx, ids[0]);
  const mqttSpecs = obj.mqtt === undefined ? [] : r.list(obj, 'mqtt', path).map((m, i) => readMqttSpec(r, m, `${path}.mqtt[${i}]`, ctx));

  return ids.map((id) => ({
    asset: { id, ...(triggers && { triggers }) },
    opcua: opcuaSpec ? expandOpcUa(r, opcuaSpec, id, `${path}.opcua`, ctx) : [],
    mqtt: mqttSpecs.flatMap((spec) => (spec ? [expandMqtt(spec, id)] : [])),
  }));
}

interface OpcUaSpec {
  /** The first asset of the entry's range: entry-level problems are reported with it only. */
  firstAsset: string;
  endpoint: string;
  samplingIntervalMs: number;
  nodeIdTemplate?: string;
  statuses: string[];
  nodes: Record<string, string>;
}

function readStatusRef(r: DocReader, ref: string, at: string, ctx: AssetContext): boolean {
  if (!ctx.modelLoaded || ctx.refs.has(ref)) return true;
  r.issues.add(at, `unknown status "${ref}" (write <part id>.<status key> of the model, e.g. ${[...ctx.refs.keys()][0] ?? 'p.part.status'})`);
  return false;
}

function readOpcUaSpec(r: DocReader, value: unknown, path: string, ctx: AssetContext, firstAsset: string): OpcUaSpec | undefined {
  const obj = section(r, value, path, ['endpoint', 'samplingIntervalMs', 'nodeId', 'statuses', 'nodes']);
  const endpoint = r.string(obj, 'endpoint', path);
  if (endpoint && !ctx.endpoints.has(endpoint)) r.issues.add(`${path}.endpoint`, `unknown OPC UA endpoint "${endpoint}" (known: ${[...ctx.endpoints.keys()].join(', ') || 'none: add one under opcua'})`);
  const nodeIdTemplate = r.optionalString(obj, 'nodeId', path);
  const statuses = obj.statuses === undefined ? [...ctx.refs.keys()] : r.stringList(obj, 'statuses', path).filter((ref, i) => readStatusRef(r, ref, `${path}.statuses[${i}]`, ctx));
  const nodes: Record<string, string> = {};
  if (obj.nodes !== undefined) {
    const map = r.object(obj.nodes, `${path}.nodes`) ?? {};
    for (const [ref, node] of Object.entries(map)) {
      if (!readStatusRef(r, ref, `${path}.nodes.${ref}`, ctx)) continue;
      if (typeof node !== 'string' || node.trim() === '') r.issues.add(`${path}.nodes.${ref}`, 'must be a node id such as "ns=1;s=elevator-01/p.brake/brake_wear"');
      else nodes[ref] = node;
    }
  }
  if (nodeIdTemplate === undefined && Object.keys(nodes).length === 0) r.issues.add(path, 'needs nodeId (a template such as "ns=1;s={asset}/{part}/{status}") or nodes (status → node id)');
  return { firstAsset, endpoint, samplingIntervalMs: r.number(obj, 'samplingIntervalMs', path, { min: 0, integer: true }, 1000), ...(nodeIdTemplate && { nodeIdTemplate }), statuses, nodes };
}

function expandOpcUa(r: DocReader, spec: OpcUaSpec, asset: string, path: string, ctx: AssetContext): OpcUaBinding[] {
  const bindings: OpcUaBinding[] = [];
  const refs = spec.nodeIdTemplate === undefined ? Object.keys(spec.nodes) : [...new Set([...spec.statuses, ...Object.keys(spec.nodes)])];
  if (spec.nodeIdTemplate !== undefined && !(spec.nodeIdTemplate.includes('{part}') && spec.nodeIdTemplate.includes('{status}')) && refs.length > 1) {
    // Reported once per entry (not once per asset, nor as a conflict per status).
    if (asset === spec.firstAsset) r.issues.add(`${path}.nodeId`, 'a template for several statuses needs {part} and {status} (else every status reads the same node)');
    return [];
  }
  for (const ref of refs) {
    const at = ctx.refs.get(ref);
    if (!at) continue;
    const template = spec.nodes[ref] ?? spec.nodeIdTemplate!;
    const nodeId = fillTemplate(template, { asset, part: at.part, status: at.status });
    bindings.push({ asset, part: at.part, status: at.status, endpoint: spec.endpoint, nodeId, samplingIntervalMs: spec.samplingIntervalMs });
  }
  return bindings;
}

type MqttSpec =
  | { format: 'json'; broker: string; topic: string; timePath?: string; values: Record<string, string>; valuesObjectPath?: string }
  | { format: 'sparkplug'; broker: string; group: string; node: string; device: string; metrics: Record<string, string> };

function readMqttSpec(r: DocReader, value: unknown, path: string, ctx: AssetContext): MqttSpec | undefined {
  const obj = section(r, value, path, ['broker', 'topic', 'time', 'values', 'valuesObject', 'sparkplug']);
  const broker = r.optionalString(obj, 'broker', path) ?? EMBEDDED_BROKER;
  if (!ctx.brokers.has(broker)) {
    r.issues.add(`${path}.broker`, broker === EMBEDDED_BROKER
      ? 'the embedded broker is not configured (add embeddedBroker, or name an external broker)'
      : `unknown broker "${broker}" (known: ${[...ctx.brokers].join(', ') || 'none'})`);
  }
  const jsonPath = (text: string, at: string): string | undefined => {
    try {
      compileJsonPath(text);
      return text;
    } catch (e) {
      r.issues.add(at, (e as Error).message);
      return undefined;
    }
  };
  if (obj.sparkplug !== undefined) {
    for (const key of ['topic', 'time', 'values', 'valuesObject']) if (obj[key] !== undefined) r.issues.add(`${path}.${key}`, 'does not apply to Sparkplug B bindings (their topics and metrics are named by the sparkplug section)');
    const sp = section(r, obj.sparkplug, `${path}.sparkplug`, ['group', 'node', 'device', 'metrics']);
    const metrics: Record<string, string> = {};
    if (sp.metrics !== undefined) {
      for (const [ref, metric] of Object.entries(r.object(sp.metrics, `${path}.sparkplug.metrics`) ?? {})) {
        if (!readStatusRef(r, ref, `${path}.sparkplug.metrics.${ref}`, ctx)) continue;
        if (typeof metric !== 'string' || metric === '') r.issues.add(`${path}.sparkplug.metrics.${ref}`, 'must be a metric name');
        else metrics[ref] = metric;
      }
    }
    const id = (key: string): string => {
      const v = r.string(sp, key, `${path}.sparkplug`);
      if (v && /[/+#]/.test(fillTemplate(v, { asset: 'x' }))) r.issues.add(`${path}.sparkplug.${key}`, `must not contain "/", "+" or "#", got "${v}"`);
      return v;
    };
    return { format: 'sparkplug', broker, group: id('group'), node: id('node'), device: id('device'), metrics };
  }
  const topic = r.string(obj, 'topic', path);
  if (topic) {
    if (/[+#]/.test(topic)) r.issues.add(`${path}.topic`, `must be an exact topic (use {asset} for per-asset topics), not a filter: "${topic}"`);
    if (/\{(part|status)\}/.test(topic)) r.issues.add(`${path}.topic`, 'may use {asset} only (one message carries several statuses)');
  }
  const timeText = r.optionalString(obj, 'time', path);
  const timePath = timeText === undefined ? undefined : jsonPath(timeText, `${path}.time`);
  const values: Record<string, string> = {};
  if (obj.values !== undefined) {
    for (const [ref, p] of Object.entries(r.object(obj.values, `${path}.values`) ?? {})) {
      if (!readStatusRef(r, ref, `${path}.values.${ref}`, ctx)) continue;
      if (typeof p !== 'string') r.issues.add(`${path}.values.${ref}`, 'must be a JSON path such as "$.values.temp"');
      else if (jsonPath(p, `${path}.values.${ref}`) !== undefined) values[ref] = p;
    }
  }
  const objText = r.optionalString(obj, 'valuesObject', path);
  const valuesObjectPath = objText === undefined ? undefined : jsonPath(objText, `${path}.valuesObject`);
  if (Object.keys(values).length === 0 && objText === undefined) r.issues.add(path, 'needs values (status → JSON path) or valuesObject (a JSON path to an object keyed by status)');
  return { format: 'json', broker, topic, ...(timePath && { timePath }), values, ...(valuesObjectPath && { valuesObjectPath }) };
}

function expandMqtt(spec: MqttSpec, asset: string): MqttBinding {
  if (spec.format === 'sparkplug') {
    return { ...spec, asset, group: fillTemplate(spec.group, { asset }), node: fillTemplate(spec.node, { asset }), device: fillTemplate(spec.device, { asset }) };
  }
  return { ...spec, asset, topic: fillTemplate(spec.topic, { asset }) };
}

/** Two assets reading the same node or the same topic/device would mix their statuses: refuse it. */
function checkBindingConflicts(issues: IssueCollector, opcua: readonly OpcUaBinding[], mqtt: readonly MqttBinding[]): void {
  const nodes = new Map<string, OpcUaBinding>();
  for (const b of opcua) {
    const key = `${b.endpoint}\u0000${b.nodeId}`;
    const first = nodes.get(key);
    if (first && (first.asset !== b.asset || first.part !== b.part || first.status !== b.status)) {
      issues.add('assets', `node ${b.nodeId} on ${b.endpoint} is bound twice: ${first.asset} ${first.part}.${first.status} and ${b.asset} ${b.part}.${b.status}`);
    } else nodes.set(key, b);
  }
  const topics = new Map<string, string>();
  for (const b of mqtt) {
    const key = b.format === 'json' ? `${b.broker}\u0000${b.topic}` : `${b.broker}\u0000spBv1.0/${b.group}/${b.node}/${b.device}`;
    const first = topics.get(key);
    if (first !== undefined && first !== b.asset) issues.add('assets', `${b.format === 'json' ? `topic ${b.topic}` : `Sparkplug device ${b.group}/${b.node}/${b.device}`} on broker ${b.broker} is bound to two assets: ${first} and ${b.asset}`);
    else topics.set(key, b.asset);
  }
}
