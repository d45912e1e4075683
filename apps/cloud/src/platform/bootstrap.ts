// Turning a created Nest application into the running service: pino as Nest's logger, the HTTP pipeline, the
// OpenAPI docs, the MQTT transport on the same broker as the publisher, then listen. main.ts and the tests that
// build the app with Test.createTestingModule use the same steps.
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { redactPassword } from '../persistence';
import { ProtocolPayloadDeserializer } from '../triggers/mqtt-deserializer';
import { CloudConfig } from './config';
import { configureHttp } from './http';
import { PinoNestLogger } from './logger';
import { HTTP_METRICS, HttpMetrics } from './metrics';
import { setupOpenApi } from './openapi';
import { CLOUD_CONFIG, LOGGER, MQTT_CONNECTION, MqttConnection } from './tokens';

export interface RunningCloud {
  app: NestExpressApplication;
  httpPort: number;
  /** http://127.0.0.1:<port> */
  httpUrl: string;
  /** The broker gateways and technicians use: the embedded one (mqtt://127.0.0.1:<port>) or MQTT_URL (password redacted). */
  mqttUrl: string;
  /** Where the cloud's own clients connect (with the internal credential for the embedded broker). */
  mqtt: MqttConnection;
  config: CloudConfig;
  /** app.close(): stops HTTP and MQTT, then the platform closes the publisher, broker and database. */
  close(): Promise<void>;
}

/** Logger, HTTP pipeline and docs; before init, so the middleware is in front of the routes. */
export function configureCloudApp(app: NestExpressApplication): void {
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger.child({ module: 'nest' })));
  app.flushLogs();
  configureHttp(app, app.get<HttpMetrics>(HTTP_METRICS));
  setupOpenApi(app);
}

/**
 * The MQTT transport: @EventPattern handlers receive from the same broker the publisher sends to. Payloads reach
 * handlers whole (ProtocolPayloadDeserializer): Nest's default would take a trigger event's `id` for a request id
 * and answer on `<topic>/reply`.
 */
export function connectMqttTransport(app: NestExpressApplication): void {
  const connection = app.get<MqttConnection>(MQTT_CONNECTION);
  const config = app.get<CloudConfig>(CLOUD_CONFIG);
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.MQTT,
    options: {
      url: connection.url,
      ...(connection.username !== undefined ? { username: connection.username } : {}),
      ...(connection.password !== undefined ? { password: connection.password } : {}),
      clientId: `pss-cloud-${config.instanceId}-sub-${randomBytes(4).toString('hex')}`,
      subscribeOptions: { qos: 1 },
      reconnectPeriod: 1000,
      deserializer: new ProtocolPayloadDeserializer(),
    },
  });
}

/** Configures, connects the MQTT transport, starts it and listens. */
export async function startCloudApp(app: NestExpressApplication): Promise<RunningCloud> {
  configureCloudApp(app);
  connectMqttTransport(app);
  await app.startAllMicroservices();
  const config = app.get<CloudConfig>(CLOUD_CONFIG);
  await app.listen(config.httpPort, config.httpHost);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const mqtt = app.get<MqttConnection>(MQTT_CONNECTION);
  let closing: Promise<void> | undefined;
  return {
    app,
    httpPort,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    mqttUrl: redactPassword(mqtt.url),
    mqtt,
    config,
    close: () => (closing ??= app.close()),
  };
}
