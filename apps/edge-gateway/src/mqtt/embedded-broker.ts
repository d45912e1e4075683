// The gateway's own MQTT broker (aedes on a TCP server) for devices that publish straight to the gateway. It is a
// real broker: devices may subscribe to each other's topics when their ACL allows. The gateway itself reads every
// message published by a client in-process (the broker's `publish` event, no loopback connection) and hands it to
// the router under the broker name "embedded"; a topic no binding reads is reported as unknown, except `$`-topics
// and what the broker publishes itself.
//
// aedes speaks MQTT 3.1.1 (and 3.1): a publish outside a device's ACL closes the device's connection, as MQTT 3.1.1
// allows (there is no negative PUBACK before MQTT 5); a refused subscription gets return code 0x80 in its SUBACK.
import { EventEmitter } from 'node:events';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { Aedes, AedesPublishPacket, AuthenticateError, Client } from 'aedes';
import { topicMatches } from '@pss/protocol';
import type { EmbeddedBrokerConfig } from '../config/types';
import type { Logger, SampleSink, SampleSource, SourceStatus } from '../sources/types';
import { ClientIdentity, DeviceAuthenticator, identityName } from './device-auth';
import { RefusalCounts, RefusalTracker } from './refusals';
import type { MqttRouter } from './router';

/** The broker name bindings use for the embedded broker. */
export const EMBEDDED_BROKER = 'embedded';

export interface EmbeddedBrokerOptions {
  config: EmbeddedBrokerConfig;
  router: MqttRouter;
  sink: SampleSink;
  logger: Logger;
  /** Log each kind of refusal per username at most once per this many ms (default 60000). */
  refusalLogIntervalMs?: number;
}

export interface EmbeddedBrokerStats {
  /** Clients connected now. */
  clients: number;
  /** Connections accepted (authenticated) since start. */
  connections: number;
  /** Messages from clients handed to the router. */
  messages: number;
  /** Samples the router emitted from them. */
  samples: number;
  refused: RefusalCounts;
  refusedByUsername: Record<string, RefusalCounts>;
}

export class EmbeddedBroker implements SampleSource {
  readonly name = `mqtt:${EMBEDDED_BROKER}`;
  private readonly auth: DeviceAuthenticator;
  private readonly refusals: RefusalTracker;
  private readonly identities = new WeakMap<Client, ClientIdentity>();
  private readonly sockets = new Set<Socket>();
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private boundPort: number | undefined;
  private stopped = false;
  private connections = 0;
  private messages = 0;
  private samples = 0;
  private lastError: string | undefined;

  /** @throws DeviceAclError for a device list that cannot be enforced. */
  constructor(private readonly options: EmbeddedBrokerOptions) {
    this.auth = new DeviceAuthenticator(options.config.devices, options.config.allowAnonymous);
    this.refusals = new RefusalTracker(options.logger, options.refusalLogIntervalMs ?? 60_000);
  }

  /** The bound TCP port, once started. */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('the embedded broker has not been started');
    return this.boundPort;
  }

  async start(): Promise<void> {
    if (this.aedes) throw new Error('the embedded broker is already started');
    if (this.stopped) throw new Error('the embedded broker was stopped and cannot be started again');
    const { config, logger } = this.options;
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet.topic, done),
      authorizeSubscribe: (client, sub, done) => done(null, this.authorizeSubscribe(client, sub.topic) ? sub : null),
    });
    aedes.on('publish', (packet, client) => this.onPublish(packet, client));
    aedes.on('client', () => this.connections++);
    aedes.on('clientError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'embedded broker: client error'));
    aedes.on('connectionError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'embedded broker: connection error'));
    // aedes emits 'error' for its own failures (persistence): logged, never thrown out of an emitter.
    const emitter: EventEmitter = aedes;
    emitter.on('error', (err: Error) => {
      this.lastError = err.message;
      logger.error({ err: err.message }, 'embedded broker: internal error');
    });
    const server = createServer(aedes.handle);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      const message = e instanceof Error ? e.message : String(e);
      throw new Error(`embedded MQTT broker cannot listen on ${config.host}:${config.port}: ${message}`, { cause: e });
    }
    server.on('error', (err) => {
      this.lastError = err.message;
      logger.error({ err: err.message }, 'embedded broker: server error');
    });
    this.aedes = aedes;
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    logger.info({ host: config.host, port: this.boundPort, devices: config.devices.length, allowAnonymous: config.allowAnonymous }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { aedes, server } = this;
    this.aedes = undefined;
    this.server = undefined;
    if (!aedes || !server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    // aedes closes its clients; a socket that never sent CONNECT is not one of them.
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.options.logger.info({}, 'embedded MQTT broker stopped');
  }

  status(): SourceStatus {
    const listening = this.aedes !== undefined;
    return {
      name: this.name,
      kind: 'mqtt-embedded',
      state: listening ? 'listening' : 'stopped',
      reconnects: 0,
      items: this.options.router.topics(EMBEDDED_BROKER).length,
      clients: this.aedes?.connectedClients ?? 0,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  stats(): EmbeddedBrokerStats {
    return {
      clients: this.aedes?.connectedClients ?? 0,
      connections: this.connections,
      messages: this.messages,
      samples: this.samples,
      refused: this.refusals.totals(),
      refusedByUsername: this.refusals.byUsername(),
    };
  }

  private authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    const result = this.auth.authenticate(username, password);
    if (result.ok) {
      this.identities.set(client, result.identity);
      done(null, true);
      return;
    }
    this.refusals.refuse('auth', username ?? '(anonymous)', { clientId: client.id, remote: remoteAddress(client) }, `embedded broker refused a connection: ${result.reason}`);
    done(Object.assign(new Error(result.reason), { returnCode: result.returnCode }) as AuthenticateError, null);
  }

  private authorizePublish(client: Client | null, topic: string, done: (error?: Error | null) => void): void {
    // No client: aedes publishing the will of a client gone before a restart of the broker, its own business.
    if (client === null) return done(null);
    const identity = this.identities.get(client);
    if (identity !== undefined && this.auth.mayPublish(identity, topic)) return done(null);
    const username = identity ? identityName(identity) : '(unknown)';
    this.refusals.refuse('publish', username, { clientId: client.id, topic }, 'embedded broker refused a publication outside the device ACL');
    done(new Error(`${username} may not publish to "${topic}"`));
  }

  private authorizeSubscribe(client: Client, filter: string): boolean {
    const identity = this.identities.get(client);
    if (identity !== undefined && this.auth.maySubscribe(identity, filter)) return true;
    this.refusals.refuse('subscribe', identity ? identityName(identity) : '(unknown)', { clientId: client.id, filter }, 'embedded broker refused a subscription outside the device ACL');
    return false;
  }

  private onPublish(packet: AedesPublishPacket, client: Client | null): void {
    // `$SYS/...` heartbeats and client notices, and anything the broker publishes itself, are not device data.
    if (client === null || packet.topic.startsWith('$')) return;
    if (this.options.config.ignoreTopics.some((f) => topicMatches(f, packet.topic))) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    this.messages++;
    try {
      this.samples += this.options.router.route(EMBEDDED_BROKER, packet.topic, payload, Date.now(), this.options.sink, this.name);
    } catch (e) {
      // The router and the sink do not throw by contract; if one ever does, the broker must keep serving.
      this.lastError = e instanceof Error ? e.message : String(e);
      this.options.logger.error({ topic: packet.topic, err: this.lastError }, 'embedded broker: routing a message failed');
    }
  }
}

function remoteAddress(client: Client): string | undefined {
  const conn: unknown = client.conn;
  if (conn instanceof Socket) return conn.remoteAddress;
  return undefined;
}
