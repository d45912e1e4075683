// For the pipeline specs: a Nest app with the four pipeline modules on a small platform of the test's own (the
// real database it is given, an mqtt.js publisher to the real broker, a config, the wall clock, and an auth guard
// that reads `Authorization: Test <tenant>:<role>[:<resource>]`), the MQTT transport as the service connects it,
// MQTT clients that play gateways and technicians, and a polling wait.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { CanActivate, DynamicModule, ExecutionContext, ForbiddenException, Global, INestApplication, Inject, Injectable, Module, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { MqttClient, connectAsync } from 'mqtt';
import { Database } from '../../persistence';
import { CloudConfig, loadCloudConfig } from '../../platform/config';
import { Registry } from 'prom-client';
import { CLOCK, CLOUD_CONFIG, DATABASE, METRICS, MQTT_PUBLISHER, MqttPublisher, PUBLIC_KEY, Principal, ROLES, ROLES_KEY, Role } from '../../platform/tokens';
import { ConfigurationModule } from '../../configuration/configuration.module';
import { FeedbackModule } from '../../feedback/feedback.module';
import { WorkOrdersModule } from '../../work-orders/work-orders.module';
import { INBOUND_SHARE_GROUP } from '../inbound';
import { ProtocolPayloadDeserializer } from '../mqtt-deserializer';
import { PIPELINE_OPTIONS, PipelineOptions } from '../pipeline-options';
import { TriggersModule } from '../triggers.module';

export const TENANT = 'acme';

/** The MqttPublisher port on mqtt.js, as the platform provides it. */
export class TestPublisher implements MqttPublisher {
  private constructor(private readonly client: MqttClient) {}

  static async connect(url: string): Promise<TestPublisher> {
    return new TestPublisher(await connectAsync(url, { clientId: `pss-test-pub-${randomBytes(4).toString('hex')}`, reconnectPeriod: 200 }));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(payload), { qos: options.qos, retain: options.retain ?? false });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** `Authorization: Test acme:planner` or `Test acme:technician:pr.li`; honours @Public and @Roles (admin passes all). */
@Injectable()
export class TestAuthGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const match = /^Test ([^:]+):([^:]+)(?::(.+))?$/.exec(request.headers.authorization ?? '');
    if (match === null || !ROLES.includes(match[2] as Role)) throw new UnauthorizedException({ error: 'expected Authorization: Test <tenant>:<role>[:<resource>]' });
    const role = match[2] as Role;
    request.principal = { tenant: match[1], role, subject: `test-${role}`, ...(match[3] === undefined ? {} : { resource: match[3] }) };
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed === undefined || (role !== 'admin' && !allowed.includes(role))) throw new ForbiddenException({ error: `role ${role} may not call this route` });
    return true;
  }
}

export interface PlatformDeps {
  db: Database;
  publisher: MqttPublisher;
  config: CloudConfig;
  options: Partial<PipelineOptions>;
}

@Global()
@Module({})
export class TestPlatformModule {
  static forRoot(deps: PlatformDeps): DynamicModule {
    return {
      module: TestPlatformModule,
      global: true,
      providers: [
        { provide: DATABASE, useValue: deps.db },
        { provide: MQTT_PUBLISHER, useValue: deps.publisher },
        { provide: CLOUD_CONFIG, useValue: deps.config },
        { provide: CLOCK, useValue: () => Date.now() },
        { provide: PIPELINE_OPTIONS, useValue: deps.options },
        { provide: METRICS, useValue: new Registry() },
        { provide: APP_GUARD, useClass: TestAuthGuard },
      ],
      exports: [DATABASE, MQTT_PUBLISHER, CLOUD_CONFIG, CLOCK, PIPELINE_OPTIONS, METRICS],
    };
  }
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface PipelineApp {
  app: INestApplication;
  url: string;
  config: CloudConfig;
  publisher: TestPublisher;
  get<T>(token: new (...args: never[]) => T): T;
  /** Calls the API as `as` ("acme:planner", "acme:technician:pr.li"). */
  request<T = unknown>(method: string, path: string, as: string, body?: unknown): Promise<ApiAnswer<T>>;
  close(): Promise<void>;
}

export interface StartOptions {
  db: Database;
  mqttUrl: string;
  config?: Partial<CloudConfig>;
  options?: Partial<PipelineOptions>;
}

export async function startPipeline(start: StartOptions): Promise<PipelineApp> {
  const config: CloudConfig = {
    ...loadCloudConfig({}),
    httpPort: 0,
    httpHost: '127.0.0.1',
    mqttUrl: start.mqttUrl,
    tenant: TENANT,
    instanceId: `test-${randomBytes(3).toString('hex')}`,
    batchWindowMs: 300,
    optimizerTimeLimitMs: 1000,
    optimizerWorkers: 1,
    shareGroup: INBOUND_SHARE_GROUP,
    logLevel: 'silent',
    ...start.config,
  };
  const options: Partial<PipelineOptions> = { schedulerTickMs: 100, closeResendMs: 300, dispatchSweepMs: 500, failedBatchRetryMs: 500, ...start.options };
  const publisher = await TestPublisher.connect(start.mqttUrl);
  const moduleRef = await Test.createTestingModule({
    imports: [TestPlatformModule.forRoot({ db: start.db, publisher, config, options }), TriggersModule, FeedbackModule, WorkOrdersModule, ConfigurationModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.MQTT,
    options: {
      url: start.mqttUrl,
      clientId: `pss-test-sub-${config.instanceId}`,
      subscribeOptions: { qos: 1 },
      reconnectPeriod: 200,
      deserializer: new ProtocolPayloadDeserializer(),
    },
  });
  await app.startAllMicroservices();
  // SUBSCRIBE packets are handled in order on a connection: a SUBACK for one more means the handlers' are active.
  await app.getMicroservices()[0].unwrap<MqttClient>().subscribeAsync(`pss-test/ready/${config.instanceId}`, { qos: 1 });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    app,
    url,
    config,
    publisher,
    get: <T>(token: new (...args: never[]) => T): T => app.get(token),
    request: async <T>(method: string, path: string, as: string, body?: unknown): Promise<ApiAnswer<T>> => {
      const headers: Record<string, string> = { authorization: `Test ${as}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
    },
    close: async () => {
      await app.close();
      await publisher.close();
    },
  };
}

export interface ReceivedMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** An MQTT client that records what arrives on its filters (a gateway, a technician's app). */
export class MqttProbe {
  readonly messages: ReceivedMessage[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        parsed = { raw: payload.toString('utf8') };
      }
      this.messages.push({ topic, payload: parsed });
    });
  }

  static async connect(url: string, filters: string[] = []): Promise<MqttProbe> {
    const client = await connectAsync(url, { clientId: `pss-test-probe-${randomBytes(4).toString('hex')}`, reconnectPeriod: 200 });
    if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
    return new MqttProbe(client);
  }

  where(predicate: (m: ReceivedMessage) => boolean): ReceivedMessage[] {
    return this.messages.filter(predicate);
  }

  async waitFor(predicate: (m: ReceivedMessage) => boolean, what: string, timeoutMs = 30_000): Promise<ReceivedMessage> {
    let found: ReceivedMessage | undefined;
    await waitUntil(() => (found = this.messages.find(predicate)) !== undefined, what, timeoutMs);
    return found!;
  }

  /** Publishes raw text/bytes, or an object as JSON. */
  async publish(topic: string, payload: string | Buffer | object, options: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    const bytes = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    await this.client.publishAsync(topic, bytes, { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** Polls `condition` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
