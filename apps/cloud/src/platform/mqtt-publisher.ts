// The MqttPublisher port on mqtt.js: raw payloads (from @pss/protocol's toPublications), QoS 0 or 1, to the
// embedded broker or MQTT_URL. mqtt.js queues publications while it reconnects (its offline queue), so a
// publish during a broker restart resolves once the broker has it (QoS 1: after PUBACK).
import { randomBytes } from 'node:crypto';
import { MqttClient, connect } from 'mqtt';
import type { Logger } from 'pino';
import { MqttConnection, MqttPublisher } from './tokens';

export class MqttJsPublisher implements MqttPublisher {
  private constructor(
    private readonly client: MqttClient,
    readonly url: string,
  ) {}

  /**
   * Connects; resolves on the first CONNACK, or after `waitMs` without one (the client keeps trying, the health
   * endpoint says it is disconnected). Rejects at once when the broker refuses the credentials.
   */
  static async connect(connection: MqttConnection, clientIdPrefix: string, logger: Logger, waitMs = 10_000): Promise<MqttJsPublisher> {
    const client = connect(connection.url, {
      clientId: `${clientIdPrefix}-pub-${randomBytes(4).toString('hex')}`,
      ...(connection.username !== undefined ? { username: connection.username } : {}),
      ...(connection.password !== undefined ? { password: connection.password } : {}),
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      clean: true,
    });
    client.on('error', (err) => logger.warn({ err: err.message, url: connection.url }, 'MQTT publisher: connection error'));
    client.on('offline', () => logger.warn({ url: connection.url }, 'MQTT publisher: offline, reconnecting'));
    client.on('connect', () => logger.info({ url: connection.url }, 'MQTT publisher connected'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        logger.warn({ url: connection.url, waitMs }, 'MQTT publisher: broker not reachable yet, continuing (publications are queued)');
        resolve();
      }, waitMs);
      const onConnect = (): void => {
        cleanup();
        resolve();
      };
      const onError = (err: Error & { code?: number }): void => {
        // CONNACK 4 (bad credentials) or 5 (not authorized): retrying will not help.
        if (err.code === 4 || err.code === 5 || err.code === 134 || err.code === 135) {
          cleanup();
          client.end(true);
          reject(new Error(`MQTT broker ${connection.url} refused the cloud's credentials: ${err.message}`));
        }
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
      };
      client.on('connect', onConnect);
      client.on('error', onError);
    });
    return new MqttJsPublisher(client, connection.url);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: options.qos, retain: options.retain ?? false });
  }

  /** Waits up to `graceMs` for what is in flight, then disconnects. */
  async close(graceMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gentle = this.client.endAsync(false);
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const outcome = await Promise.race([gentle.then(() => 'ended' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.client.endAsync(true);
  }
}
