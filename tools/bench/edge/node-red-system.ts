// Node-RED (from npm, embedded in its own process: node-red-runner.ts) running the flow equivalent to the gateway's
// job in this benchmark: mqtt in (input broker, `vehicles/+/telemetry`, QoS 0, payload parsed as JSON by the node)
// → switch (msg.payload.values["p.axle.vibration_rms"] > threshold) → function (a small event: asset, sample time,
// seq, value; topic per asset) → mqtt out (output broker, QoS 1 like the gateway's trigger events).
// Node-RED cannot tell how many samples it has processed without a counting node in the path, which would change
// the flow measured: processed() is null, and falling behind shows as event latency or lost events.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputMatch, StartContext, SystemUnderTest } from './system';
import { VIBRATION, vehiclePayload, vehicleTopic } from './system';
import { TsChild, spawnTs, waitForMessage } from './ts-child';

export const NODE_RED_EVENT_PREFIX = 'bench/node-red/events';

/** host and port of an mqtt:// URL, as Node-RED's mqtt-broker config node takes them. */
function brokerAddress(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mqtt:') throw new Error(`the Node-RED flow takes mqtt:// brokers, got ${url}`);
  return { host: parsed.hostname, port: Number(parsed.port || 1883) };
}

function brokerNode(id: string, name: string, url: string): Record<string, unknown> {
  const { host, port } = brokerAddress(url);
  return {
    id,
    type: 'mqtt-broker',
    name,
    broker: host,
    port: String(port),
    clientid: '',
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
    autoUnsubscribe: true,
    birthTopic: '',
    closeTopic: '',
    willTopic: '',
  };
}

/** The flow file: one tab, two broker config nodes, four nodes in a line. */
export function nodeRedFlow(ctx: Pick<StartContext, 'inputUrl' | 'outputUrl' | 'threshold'>): Record<string, unknown>[] {
  const buildEvent = [
    'const s = msg.payload;',
    `msg.topic = '${NODE_RED_EVENT_PREFIX}/' + s.vehicle;`,
    `msg.payload = { asset: s.vehicle, time: s.time, seq: s.seq, value: s.values['${VIBRATION}'] };`,
    'return msg;',
  ].join('\n');
  return [
    { id: 'bench.tab', type: 'tab', label: 'edge benchmark', disabled: false, info: '' },
    brokerNode('bench.broker.in', 'input broker', ctx.inputUrl),
    brokerNode('bench.broker.out', 'output broker', ctx.outputUrl),
    {
      id: 'bench.in',
      type: 'mqtt in',
      z: 'bench.tab',
      name: 'samples',
      topic: 'vehicles/+/telemetry',
      qos: '0',
      datatype: 'json',
      broker: 'bench.broker.in',
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [['bench.switch']],
    },
    {
      id: 'bench.switch',
      type: 'switch',
      z: 'bench.tab',
      name: 'over threshold',
      property: `payload.values["${VIBRATION}"]`,
      propertyType: 'msg',
      rules: [{ t: 'gt', v: String(ctx.threshold), vt: 'num' }],
      checkall: 'true',
      repair: false,
      outputs: 1,
      wires: [['bench.event']],
    },
    {
      id: 'bench.event',
      type: 'function',
      z: 'bench.tab',
      name: 'event',
      func: buildEvent,
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      wires: [['bench.out']],
    },
    {
      id: 'bench.out',
      type: 'mqtt out',
      z: 'bench.tab',
      name: 'events',
      topic: '',
      qos: '1',
      retain: 'false',
      respTopic: '',
      contentType: '',
      userProps: '',
      correl: '',
      expiry: '',
      broker: 'bench.broker.out',
      wires: [],
    },
  ];
}

export function createNodeRedSystem(): SystemUnderTest {
  let proc: TsChild | null = null;
  return {
    name: 'node-red',
    async start(ctx) {
      const flowFile = join(ctx.workDir, 'flows.json');
      writeFileSync(flowFile, JSON.stringify(nodeRedFlow(ctx), null, 2));
      proc = spawnTs(join(__dirname, 'node-red-runner.ts'), [ctx.workDir, flowFile], { ipc: true });
      await waitForMessage(proc, 'node-red', (m) => ((m as { type?: unknown }).type === 'ready' ? true : undefined), 60_000);
    },
    inputTopic: vehicleTopic,
    payload: vehiclePayload,
    outputFilter: `${NODE_RED_EVENT_PREFIX}/+`,
    parseOutput(_topic: string, payload: Buffer): OutputMatch | null {
      try {
        const event = JSON.parse(payload.toString('utf8')) as { asset?: unknown; time?: unknown };
        return typeof event.asset === 'string' && typeof event.time === 'number' ? { asset: event.asset, time: event.time } : null;
      } catch {
        return null; // counted as unparsed by the collector
      }
    },
    processed: async () => null,
    pid: () => proc?.child.pid,
    async stop() {
      await proc?.stop(10_000);
      proc = null;
    },
  };
}
