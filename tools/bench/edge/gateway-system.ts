// ============================================================================================================
//  THE EDGE GATEWAY AS A SYSTEM UNDER TEST: the lead's plug-in point (registered in systems.ts as "gateway").
//  Everything gateway-specific of the benchmark is in this file: its configuration, its model, its output
//  events, its processed-samples counter and the cloud stand-in that re-arms its triggers.
// ============================================================================================================
//
// The gateway runs as `node --import tsx apps/edge-gateway/src/main.ts --config <yaml> --log-level warn` (what
// `tsx --tsconfig tsconfig.base.json apps/edge-gateway/src/main.ts ...` runs, minus tsx's wrapper process;
// logging at warn like Node-RED's). It subscribes to every asset's `vehicles/<asset>/telemetry` on the input broker (an external broker, as
// Node-RED's mqtt in node does: the embedded broker is off), runs one trigger `p.axle.vibration_rms > threshold`
// and publishes its `pss.trigger-event/v1` events to `pss/v1/bench/gw-bench/events/trigger` on the output broker
// (its uplink). Telemetry is off: Node-RED's flow forwards nothing but events either.
//
// A trigger latches after firing until the cloud closes the service (MODEL.md section 6), so a stand-in for the
// cloud (CloudStub below, in the driver process) acknowledges every event (`events/ack`, so the spool empties) and
// closes it at once (`commands/close`); the asset's next crossing, seconds later, is a new rising edge.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MqttClient, connectAsync } from 'mqtt';
import { stringify } from 'yaml';
import { PssModel, readPssModel } from '@pss/model';
import { CloseCommand, EventAck, SCHEMAS, decode, encode, topic } from '@pss/protocol';
import { freePort } from '@pss/test-servers';
import type { OutputMatch, StartContext, SystemUnderTest } from './system';
import { VIBRATION, vehiclePayload, vehicleTopic } from './system';
import { REPO_ROOT, TsChild, spawnTs } from './ts-child';

export const GATEWAY_MAIN = join(REPO_ROOT, 'apps/edge-gateway/src/main.ts');
const TENANT = 'bench';
const GATEWAY = 'gw-bench';
const TRIGGER = 'ss.vibration';

/** The smallest valid model with the benchmark's trigger: one part, one status, one activity to serve it. */
export function benchModel(threshold: number): PssModel {
  const model = {
    apiVersion: 'pss/v1',
    kind: 'PssModel',
    name: 'edge-bench',
    timeUnit: 'h',
    interactionWeights: { spatial: 0.25, energy: 0.25, information: 0.25, material: 0.25 },
    parts: [{ id: 'p.axle', statuses: [{ key: 'vibration_rms', min: 0, max: 50 }] }],
    partLinks: [],
    resourceKinds: [{ id: 'kr.mechanic', name: 'Mechanic', category: 'personnel' }],
    resources: [{ id: 'pr.mechanic-01', name: 'Mechanic 1', kind: 'kr.mechanic', costRate: 50 }],
    triggers: [{ id: TRIGGER, monitors: ['p.axle'], condition: `${VIBRATION} > ${threshold}`, window: { start: 0, deadline: 24 }, clear: 0 }],
    activities: [{ id: 'sa.axle.inspect', name: 'Axle inspection', time: 1, cost: 100, reliability: 0.95, objects: ['p.axle'], demands: [{ kind: 'kr.mechanic', qty: 1 }] }],
    assignable: [{ resource: 'pr.mechanic-01', activity: 'sa.axle.inspect', theta: 0.8 }],
    flows: [{ trigger: TRIGGER, body: 'sa.axle.inspect' }],
  };
  const read = readPssModel(model);
  if (!read.ok) throw new Error(`the benchmark's model is invalid: ${read.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return read.value;
}

/**
 * The gateway's configuration file for one run (the YAML shape apps/edge-gateway/src/config/load.ts reads): the
 * input broker as an external broker, one entry per asset with its JSON binding, the output broker as the uplink.
 */
export function gatewayConfig(ctx: StartContext, files: { modelFile: string; dataDir: string }, httpPort: number): Record<string, unknown> {
  return {
    tenant: TENANT,
    gateway: GATEWAY,
    model: files.modelFile,
    dataDir: files.dataDir,
    uplink: { url: ctx.outputUrl, clientId: `${GATEWAY}-uplink` },
    telemetry: { enabled: false },
    http: { host: '127.0.0.1', port: httpPort },
    // MQTT 3.1.1 on the input side, as Node-RED's mqtt-broker node is configured.
    brokers: [{ name: 'input', url: ctx.inputUrl, clientId: `${GATEWAY}-input`, protocolVersion: 4 }],
    assets: ctx.assets.map((id) => ({
      id,
      mqtt: [{ broker: 'input', topic: vehicleTopic('{asset}'), time: '$.time', values: { [VIBRATION]: `$.values['${VIBRATION}']` } }],
    })),
  };
}

/** Sum of a Prometheus counter's series (with or without labels) in a text exposition; null when absent. */
export function prometheusCounter(text: string, name: string): number | null {
  let total: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue; // another metric with this prefix
    const value = Number(rest.slice(rest.lastIndexOf('}') + 1).trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/**
 * The cloud's part in the event cycle, reduced to what the gateway needs to keep firing: every trigger event is
 * acknowledged (batched every 50 ms, up to 1000 ids per ack) and its service closed at once.
 */
export class CloudStub {
  private pending: { id: string; asset: string }[] = [];
  private timer: NodeJS.Timeout | null = null;
  rejected = 0;

  private constructor(private readonly client: MqttClient) {}

  static async start(url: string): Promise<CloudStub> {
    const client = await connectAsync(url, { clientId: `bench-cloud-stub-${process.pid}`, clean: true, protocolVersion: 5 });
    const stub = new CloudStub(client);
    client.on('message', (name, payload) => {
      const message = decode(name, payload);
      if (!message.ok || message.value.schema !== SCHEMAS.triggerEvent) {
        stub.rejected++;
        return;
      }
      stub.pending.push({ id: message.value.id, asset: message.value.asset });
    });
    await client.subscribeAsync(topic({ kind: 'trigger-event', tenant: TENANT, gateway: GATEWAY }), { qos: 1 });
    stub.timer = setInterval(() => stub.flush(), 50);
    return stub;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, 1000);
    const time = Date.now();
    const ack: EventAck = { schema: SCHEMAS.eventAck, tenant: TENANT, gateway: GATEWAY, ids: batch.map((e) => e.id), time };
    void this.client.publishAsync(topic({ kind: 'event-ack', tenant: TENANT, gateway: GATEWAY }), Buffer.from(encode(ack)), { qos: 1 });
    const closeTopic = topic({ kind: 'close-command', tenant: TENANT, gateway: GATEWAY });
    for (const event of batch) {
      const close: CloseCommand = { schema: SCHEMAS.closeCommand, tenant: TENANT, gateway: GATEWAY, event: event.id, asset: event.asset, trigger: TRIGGER, time };
      void this.client.publishAsync(closeTopic, Buffer.from(encode(close)), { qos: 1 });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client.endAsync();
  }
}

async function waitForHttp(url: string, proc: TsChild, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`the gateway exited while starting\n${proc.log()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the gateway's ${url} did not answer within ${timeoutMs} ms\n${proc.log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function createGatewaySystem(): SystemUnderTest {
  let proc: TsChild | null = null;
  let stub: CloudStub | null = null;
  let metricsUrl = '';
  return {
    name: 'gateway',
    async start(ctx) {
      if (!existsSync(GATEWAY_MAIN)) throw new Error(`${GATEWAY_MAIN} does not exist yet: the gateway cannot be benchmarked`);
      const modelFile = join(ctx.workDir, 'model.json');
      const dataDir = join(ctx.workDir, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(modelFile, JSON.stringify(benchModel(ctx.threshold), null, 2));
      const httpPort = await freePort();
      const configFile = join(ctx.workDir, 'gateway.yaml');
      writeFileSync(configFile, stringify(gatewayConfig(ctx, { modelFile, dataDir }, httpPort)));
      metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
      stub = await CloudStub.start(ctx.outputUrl);
      proc = spawnTs(GATEWAY_MAIN, ['--config', configFile, '--log-level', 'warn']);
      await waitForHttp(metricsUrl, proc, 60_000);
    },
    inputTopic: vehicleTopic,
    payload: vehiclePayload,
    outputFilter: topic({ kind: 'trigger-event', tenant: TENANT, gateway: GATEWAY }),
    parseOutput(name: string, payload: Buffer): OutputMatch | null {
      const message = decode(name, payload);
      if (!message.ok || message.value.schema !== SCHEMAS.triggerEvent) return null;
      return { asset: message.value.asset, time: message.value.time };
    },
    async processed() {
      const response = await fetch(metricsUrl);
      if (!response.ok) throw new Error(`${metricsUrl} answered HTTP ${response.status}`);
      return prometheusCounter(await response.text(), 'pss_gateway_samples_total');
    },
    pid: () => proc?.child.pid,
    async stop() {
      await proc?.stop(10_000);
      proc = null;
      await stub?.stop();
      stub = null;
    },
  };
}
