// Test fixtures for the gateway: a configuration file in a temporary directory (elevator model, MQTT bindings on the
// embedded broker), a fake-free "cloud" that listens on a real broker and acknowledges trigger events, and helpers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt, { MqttClient } from 'mqtt';
import { EventAck, SCHEMAS, TriggerEvent, decode, encode, filter, topic } from '@pss/protocol';

export const MODEL_FILE = resolve(__dirname, '../../../../examples/elevator-fleet.model.yaml');
export const TENANT = 'acme';
export const DEVICE = { username: 'lift', password: 'lift-secret' };

export interface TestConfigOptions {
  gateway?: string;
  uplinkUrl: string;
  assets?: string;
  embeddedPort?: number;
  extra?: string;
}

/** Writes a gateway configuration and returns its path and directory (remove it with `cleanup`). */
export function writeTestConfig(o: TestConfigOptions): { dir: string; file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pss-gw-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    `tenant: ${TENANT}
gateway: ${o.gateway ?? 'gw-test'}
model: ${MODEL_FILE}
dataDir: ${join(dir, 'data')}
http: { host: 127.0.0.1, port: 0 }
uplink: { url: ${o.uplinkUrl}, ackTimeoutMs: 1000, maxAckTimeoutMs: 2000, reconnectPeriodMs: 200, keepaliveS: 5 }
telemetry: { method: raw, flushMs: 100 }
tickMs: 100
snapshotMs: 500
lateToleranceMs: 60000
rejectLogIntervalMs: 60000
embeddedBroker:
  host: 127.0.0.1
  port: ${o.embeddedPort ?? 0}
  ignoreTopics: ["lifts/+/status"]
  devices:
    - { username: ${DEVICE.username}, password: ${DEVICE.password}, publish: ["lifts/+/data", "lifts/+/status"] }
assets:
  - id: ${o.assets ?? 'lift-{01..20}'}
    mqtt:
      - topic: lifts/{asset}/data
        time: $.t
        valuesObject: $.v
${o.extra ?? ''}`,
  );
  return { dir, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The cloud's side of the protocol, on a real broker: receives trigger events (persistent session, so events
 * published while it is away are queued), acknowledges each after "committing" it (recording it), and can send
 * close commands. Records every delivery, duplicates included.
 */
export class TestCloud {
  readonly deliveries: TriggerEvent[] = [];
  readonly closeAcks: string[] = [];
  readonly telemetrySeqs: number[] = [];
  private client: MqttClient | null = null;

  constructor(private readonly url: string, private readonly ack = true) {}

  async connect(): Promise<void> {
    const client = mqtt.connect(this.url, { clientId: 'test-cloud', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 600 }, reconnectPeriod: 200 });
    this.client = client;
    client.on('message', (t, payload) => {
      const decoded = decode(t, payload);
      if (!decoded.ok) return;
      const m = decoded.value;
      if (m.schema === SCHEMAS.triggerEvent) {
        this.deliveries.push(m);
        if (this.ack) {
          const ack: EventAck = { schema: SCHEMAS.eventAck, tenant: m.tenant, gateway: m.gateway, ids: [m.id], time: Date.now() };
          client.publish(topic({ kind: 'event-ack', tenant: m.tenant, gateway: m.gateway }), Buffer.from(encode(ack)), { qos: 1 });
        }
      } else if (m.schema === SCHEMAS.closeAck) this.closeAcks.push(...m.ids);
      else if (m.schema === SCHEMAS.telemetryBatch) this.telemetrySeqs.push(m.seq);
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync([filter('trigger-event', { tenant: TENANT }), filter('close-ack', { tenant: TENANT }), filter('telemetry', { tenant: TENANT })], { qos: 1 });
  }

  uniqueIds(): Set<string> {
    return new Set(this.deliveries.map((d) => d.id));
  }

  close(event: TriggerEvent): void {
    const command = { schema: SCHEMAS.closeCommand, tenant: event.tenant, gateway: event.gateway, event: event.id, asset: event.asset, trigger: event.trigger, time: Date.now() } as const;
    this.client!.publish(topic({ kind: 'close-command', tenant: event.tenant, gateway: event.gateway }), Buffer.from(encode({ ...command })), { qos: 1 });
  }

  async end(): Promise<void> {
    await this.client?.endAsync(true);
  }
}

/** Polls until `check` returns true or the time is up (then fails with `what`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A device publishing lift statuses to the embedded broker over MQTT (mqtt.js, authenticated). */
export async function connectDevice(port: number): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: DEVICE.username, password: DEVICE.password, clientId: `dev-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0 });
}

export function liftPayload(time: number, values: Record<string, number>): string {
  return JSON.stringify({ t: time, v: values });
}
