import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ValidationError } from '@pss/model';
import { expandIdPattern, fillTemplate, substituteEnv } from './expand';
import { loadConfig, parseSize } from './load';

const EXAMPLES = resolve(__dirname, '../../../../examples');
const MODEL = join(EXAMPLES, 'elevator-fleet.model.yaml');

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pss-gw-config-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string): string {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig(write(text), { env });
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    throw e;
  }
  return [];
}

const BASE = `tenant: acme
gateway: gw-1
model: ${MODEL}
uplink: { url: mqtt://127.0.0.1:1883 }
`;

describe('loadConfig', () => {
  it('reads the shipped examples', () => {
    const elevators = loadConfig(join(EXAMPLES, 'gateway/elevators-opcua.yaml'), { env: {} }).config;
    expect(elevators.assets).toHaveLength(10);
    expect(elevators.opcua).toHaveLength(10 * 18);
    expect(elevators.opcua[0]).toEqual({ asset: 'elevator-01', part: 'p.traction', status: 'vibration_rms', endpoint: 'sim', nodeId: 'ns=1;s=elevator-01/p.traction/vibration_rms', samplingIntervalMs: 1000 });
    expect(elevators.opcuaEndpoints[0]).toMatchObject({ securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', user: { type: 'username', username: 'pss', password: 'pss-demo' } });
    const vehicles = loadConfig(join(EXAMPLES, 'gateway/vehicles-mqtt.yaml'), { env: { PSS_DEVICE_PASSWORD: 's3cret' } }).config;
    expect(vehicles.embeddedBroker?.devices[0].password).toBe('s3cret');
    expect(vehicles.mqtt.filter((b) => b.asset === 'car-0007')).toEqual([
      { format: 'json', asset: 'car-0007', broker: 'embedded', topic: 'vehicles/car-0007/telemetry', timePath: '$.time', values: {}, valuesObjectPath: '$.values' },
      { format: 'sparkplug', asset: 'car-0007', broker: 'embedded', group: 'pss', node: 'car-0007', device: 'vehicle', metrics: {} },
    ]);
  });

  it('applies defaults and resolves paths from the configuration file', () => {
    const { config } = loadConfig(write(`${BASE}assets:\n  - { id: a1, opcua: { endpoint: e, nodes: { p.brake.brake_wear: "ns=1;s=x" } } }\nopcua: [{ name: e, url: "opc.tcp://h:4840" }]\n`), { env: {} });
    expect(config.dataDir).toBe(join(dir, 'data/gw-1'));
    expect(config.spool).toEqual({ dir: join(dir, 'data/gw-1/spool'), maxBytes: 256 * 1024 * 1024 });
    expect(config.telemetry).toEqual({ enabled: true, method: 'avg', intervalMs: 10_000, flushMs: 1000, qos: 1 });
    expect(config.uplink).toMatchObject({ clientId: 'gw-1', protocolVersion: 5, ackTimeoutMs: 30_000, maxInflight: 100 });
    expect(config.opcuaEndpoints[0]).toMatchObject({ securityMode: 'None', securityPolicy: 'None', user: { type: 'anonymous' }, pkiDir: join(dir, 'data/gw-1/pki/e'), trustUnknownServerCertificate: true });
    expect(config.opcua).toEqual([{ asset: 'a1', part: 'p.brake', status: 'brake_wear', endpoint: 'e', nodeId: 'ns=1;s=x', samplingIntervalMs: 1000 }]);
  });

  it('reports every problem at once, each at its path', () => {
    const found = problems(`tenant: "a/b"
gateway: workorders
model: ${MODEL}
uplink: { url: "tcp://x", protocolVersion: 3, ackTimeoutMs: 5000, maxAckTimeoutMs: 1000, password: "\${env:NOPE}" }
spool: { maxBytes: "12 parsecs" }
telemetry: { method: median }
opcua:
  - { name: e, url: "http://x", securityMode: Sign, securityPolicy: None }
  - { name: e, url: "opc.tcp://y" }
brokers: [{ name: embedded, url: "mqtt://z" }]
assets:
  - { id: "x-{1..3}-{4..5}", opcua: { endpoint: e, nodeId: "n" } }
  - { id: a, triggers: [ss.brake, ss.nope], opcua: { endpoint: f, nodeId: "ns=1;s={asset}" } }
  - { id: b, mqtt: [{ topic: "t/+", values: { p.brake.brake_wear: "$..x" } }] }
  - { id: c }
  - { id: a, mqtt: [{ broker: embedded, sparkplug: { group: g, node: "n/1", device: d, metrics: { p.no.such: m } } }] }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        'environment variable NOPE is not set (write ${env:NOPE:-default} for a default)'.replace(/^/, 'uplink.password: '),
        'tenant: must not contain "/" (the topic level separator), got "a/b"',
        expect.stringMatching(/^gateway: "workorders" is reserved/),
        'uplink.url: must be an mqtt://, mqtts://, ws:// or wss:// URL, got "tcp://x"',
        'uplink.protocolVersion: must be 4 (MQTT 3.1.1) or 5, got 3',
        'uplink.maxAckTimeoutMs: must be >= ackTimeoutMs (5000)',
        expect.stringMatching(/^spool.maxBytes: must be a size of at least 64KiB/),
        'telemetry.method: must be one of raw, avg, min, max, last, got the text "median"',
        'opcua[0].url: must be an opc.tcp:// URL, got "http://x"',
        'opcua[0].securityPolicy: securityMode Sign needs a securityPolicy other than None',
        'opcua[1].name: duplicate name "e" (first at opcua[0])',
        'brokers[0].name: "embedded" is reserved for the embedded broker',
        'assets[0].id: has 2 ranges; at most one {a..b} per pattern',
        'assets[1].triggers[1]: unknown trigger "ss.nope" (the model has: ss.traction, ss.brake, ss.doors, ss.ropes, ss.controller)',
        'assets[1].opcua.endpoint: unknown OPC UA endpoint "f" (known: e)',
        'assets[1].opcua.nodeId: a template for several statuses needs {part} and {status} (else every status reads the same node)',
        'assets[2].mqtt[0].broker: the embedded broker is not configured (add embeddedBroker, or name an external broker)',
        'assets[2].mqtt[0].topic: must be an exact topic (use {asset} for per-asset topics), not a filter: "t/+"',
        expect.stringMatching(/^assets\[2\]\.mqtt\[0\]\.values\.p\.brake\.brake_wear: /),
        'assets[3]: needs opcua or mqtt bindings (where its statuses come from)',
        'assets[4].id: asset "a" is already configured at assets[1]',
        'assets[4].mqtt[0].sparkplug.node: must not contain "/", "+" or "#", got "n/1"',
        expect.stringMatching(/^assets\[4\]\.mqtt\[0\]\.sparkplug\.metrics\.p\.no\.such: unknown status "p\.no\.such"/),
      ]),
    );
  });

  it('refuses two assets on one node or one topic', () => {
    const found = problems(`${BASE}embeddedBroker: { port: 0 }
opcua: [{ name: e, url: "opc.tcp://h" }]
assets:
  - { id: a, opcua: { endpoint: e, nodes: { p.brake.brake_wear: "ns=1;s=w" } }, mqtt: [{ topic: t, valuesObject: $.v }] }
  - { id: b, opcua: { endpoint: e, nodes: { p.brake.brake_wear: "ns=1;s=w" } }, mqtt: [{ topic: t, valuesObject: $.v }] }
`);
    expect(found).toEqual([
      'assets: node ns=1;s=w on e is bound twice: a p.brake.brake_wear and b p.brake.brake_wear',
      'assets: topic t on broker embedded is bound to two assets: a and b',
    ]);
  });

  it('names an unreadable model and a file that is not YAML', () => {
    expect(problems(`${BASE.replace(MODEL, 'nowhere.yaml')}assets: []`)).toEqual([expect.stringMatching(/^model: cannot read .*nowhere\.yaml: no such file/)]);
    expect(problems('tenant: [unclosed')[0]).toMatch(/line 1/);
  });
});

describe('expansions', () => {
  it('expands one numeric range, zero-padded like its first bound', () => {
    expect(expandIdPattern('lift-{08..11}')).toEqual(['lift-08', 'lift-09', 'lift-10', 'lift-11']);
    expect(expandIdPattern('car{1..3}x')).toEqual(['car1x', 'car2x', 'car3x']);
    expect(expandIdPattern('plain')).toEqual(['plain']);
    expect(() => expandIdPattern('a{0..100000}')).toThrow('over the limit');
  });

  it('fills templates and environment references', () => {
    expect(fillTemplate('ns=1;s={asset}/{part}/{status}', { asset: 'e1', part: 'p.a', status: 'x' })).toBe('ns=1;s=e1/p.a/x');
    const problems: { path: string; message: string }[] = [];
    expect(substituteEnv({ a: ['${env:X}', '${env:Y:-dflt}', 'k${env:X}k'], b: 1 }, { X: 'v' }, '', problems)).toEqual({ a: ['v', 'dflt', 'kvk'], b: 1 });
    expect(problems).toEqual([]);
  });

  it('parses sizes', () => {
    expect(parseSize('256MiB')).toBe(256 * 1024 * 1024);
    expect(parseSize('1.5 KiB')).toBe(1536);
    expect(parseSize(4096)).toBe(4096);
    expect(parseSize('lots')).toBeUndefined();
    expect(parseSize(-1)).toBeUndefined();
  });
});
