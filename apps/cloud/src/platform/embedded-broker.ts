// The embedded MQTT broker (aedes on TCP), used when MQTT_URL is not set: gateways and technicians' apps connect
// to it, and so do the cloud's own clients (the publisher and the Nest MQTT transport).
//
// Authentication: the MQTT password is an API key (the same secret as `Authorization: Bearer`); the username is
// free text, logged (use the key's name or the gateway id). Roles gateway, technician and admin may connect,
// viewer and planner may not (CONNACK 5). The cloud's own clients use an internal credential generated at start,
// never stored, that reaches every tenant. What each identity may publish and subscribe to: broker-acl.ts.
//
// aedes speaks MQTT 3.1.1: a publication outside the ACL closes the client's connection (there is no negative
// PUBACK before MQTT 5), a refused subscription gets return code 0x80 in its SUBACK. It has no shared
// subscriptions: the cloud's `$share/{group}/{filter}` subscriptions are taken as plain `{filter}` (one instance
// owns the embedded broker, a group of one).
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { Aedes, AuthenticateError, Client } from 'aedes';
import { unshare } from '@pss/protocol';
import type { Logger } from 'pino';
import { ApiKeyAuthenticator } from './authenticator';
import { BrokerIdentity, mayConnect, mayPublish, maySubscribe } from './broker-acl';

export const INTERNAL_MQTT_USERNAME = 'pss-cloud-internal';

/** The EmbeddedBroker, or null when the cloud uses MQTT_URL (platform.module.ts provides it). */
export const EMBEDDED_BROKER = Symbol('EMBEDDED_BROKER');

export interface EmbeddedBrokerOptions {
  port: number;
  host: string;
  authenticator: ApiKeyAuthenticator;
  logger: Logger;
}

export interface EmbeddedBrokerStatus {
  state: 'listening' | 'stopped';
  port?: number;
  clients: number;
  refused: { connect: number; publish: number; subscribe: number };
}

const digest = (value: Buffer | string): Buffer => createHash('sha256').update(value).digest();

export class EmbeddedBroker {
  /** The credential of the cloud's own clients: random per start, every tenant. */
  readonly internalCredential = { username: INTERNAL_MQTT_USERNAME, password: randomBytes(32).toString('base64url') };
  private readonly internalDigest = digest(this.internalCredential.password);
  private readonly identities = new WeakMap<Client, BrokerIdentity>();
  private readonly clients = new Set<Client>();
  private readonly sockets = new Set<Socket>();
  private readonly refused = { connect: 0, publish: 0, subscribe: 0 };
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: EmbeddedBrokerOptions) {}

  get port(): number {
    if (this.boundPort === undefined) throw new Error('the embedded MQTT broker has not been started');
    return this.boundPort;
  }

  /** Where the cloud's own clients connect (loopback). */
  get localUrl(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.aedes) throw new Error('the embedded MQTT broker is already started');
    const { logger } = this.options;
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        this.authenticate(client, username, password).then(
          (error) => done(error, error === null ? true : null),
          (error: unknown) => {
            logger.error({ err: error, clientId: client.id }, 'embedded broker: authentication failed with an error');
            done(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as AuthenticateError, null);
          },
        );
      },
      authorizePublish: (client, packet, done) => {
        // No client: aedes itself (wills of clients from before a restart, $SYS heartbeats).
        if (client === null) return done(null);
        const identity = this.identities.get(client);
        if (identity !== undefined && mayPublish(identity, packet.topic)) return done(null);
        this.refused.publish++;
        logger.warn({ clientId: client.id, who: describeIdentity(identity), topic: packet.topic }, 'embedded broker refused a publication outside the ACL');
        done(new Error(`not allowed to publish to ${packet.topic}`));
      },
      authorizeSubscribe: (client, subscription, done) => {
        const identity = this.identities.get(client);
        if (identity !== undefined && maySubscribe(identity, subscription.topic)) {
          // aedes has no shared subscriptions and would take `$share/{group}/{filter}` literally (matching nothing).
          // The embedded broker serves one cloud instance, so a group of one: its plain filter is the same thing.
          const { group, filter } = unshare(subscription.topic);
          if (group !== undefined && filter !== '') subscription.topic = filter;
          return done(null, subscription);
        }
        this.refused.subscribe++;
        logger.warn({ clientId: client.id, who: describeIdentity(identity), filter: subscription.topic }, 'embedded broker refused a subscription outside the ACL');
        done(null, null);
      },
    });
    aedes.on('client', (client) => this.clients.add(client));
    aedes.on('clientDisconnect', (client) => this.clients.delete(client));
    aedes.on('clientError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'embedded broker: client error'));
    aedes.on('connectionError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'embedded broker: connection error'));
    // aedes reports its own failures (persistence) as 'error': logged, never thrown out of an emitter.
    (aedes as unknown as NodeJS.EventEmitter).on('error', (err: Error) => logger.error({ err }, 'embedded broker: internal error'));

    const server = createServer(aedes.handle);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, this.options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw new Error(`embedded MQTT broker cannot listen on ${this.options.host}:${this.options.port}: ${(error as Error).message}`, { cause: error });
    }
    server.on('error', (err) => logger.error({ err }, 'embedded broker: server error'));
    this.aedes = aedes;
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    logger.info({ host: this.options.host, port: this.boundPort }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
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

  status(): EmbeddedBrokerStatus {
    return {
      state: this.aedes ? 'listening' : 'stopped',
      ...(this.boundPort !== undefined ? { port: this.boundPort } : {}),
      clients: this.aedes?.connectedClients ?? 0,
      refused: { ...this.refused },
    };
  }

  /** Closes the connections authenticated with this key (it was revoked). Returns how many. */
  disconnectKey(tenant: string, keyId: string): number {
    let closed = 0;
    for (const client of this.clients) {
      const identity = this.identities.get(client);
      if (identity?.kind === 'key' && identity.principal.tenant === tenant && identity.principal.subject === keyId) {
        client.close();
        closed++;
      }
    }
    return closed;
  }

  /** null when accepted, else the CONNACK error. */
  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<AuthenticateError | null> {
    const refuse = (returnCode: 4 | 5, reason: string): AuthenticateError => {
      this.refused.connect++;
      this.options.logger.warn({ clientId: client.id, username, reason }, 'embedded broker refused a connection');
      return Object.assign(new Error(reason), { returnCode }) as AuthenticateError;
    };
    if (password === undefined || password.length === 0) return refuse(5, 'no password: the MQTT password is an API key');
    if (username === INTERNAL_MQTT_USERNAME) {
      if (!timingSafeEqual(digest(password), this.internalDigest)) return refuse(4, 'bad internal credential');
      this.identities.set(client, { kind: 'internal' });
      return null;
    }
    const principal = await this.options.authenticator.authenticate(password.toString('utf8'));
    if (principal === null) return refuse(4, 'unknown or revoked API key');
    const identity: BrokerIdentity = { kind: 'key', principal };
    if (!mayConnect(identity)) return refuse(5, `role ${principal.role} has no MQTT access (gateway, technician and admin keys do)`);
    this.identities.set(client, identity);
    this.options.logger.info({ clientId: client.id, username, tenant: principal.tenant, role: principal.role, key: principal.subject }, 'embedded broker: client authenticated');
    return null;
  }
}

function describeIdentity(identity: BrokerIdentity | undefined): string {
  if (identity === undefined) return '(unauthenticated)';
  if (identity.kind === 'internal') return 'cloud';
  return `${identity.principal.role} ${identity.principal.subject} of ${identity.principal.tenant}`;
}
