// A broker the gateway does not run (a plant's Mosquitto, a cloud broker) that devices publish to: the gateway
// subscribes with mqtt.js and hands every message to the router under the broker's configured name.
//
// Session: persistent (clean false; with MQTT 5 a session expiry of an hour), QoS 1 subscriptions, so that QoS 1
// messages published while the link is down are queued by the broker and arrive on reconnection instead of being
// lost. The subscriptions are sent on the first connection of the process (the configuration may have changed since
// the session was made) and after any connection whose CONNACK says the broker kept no session (a broker restarted
// without persistence, an expired session); mqtt.js's own resubscription is off so that this is the only path.
// A subscription left in a persistent session by an older configuration delivers topics no binding reads: they are
// reported as unknown topics, which shows the stale session. Reconnection never stops, whatever the error.
import { readFileSync } from 'node:fs';
import { IClientOptions, IConnackPacket, MqttClient, connect } from 'mqtt';
import type { ExternalBrokerConfig } from '../config/types';
import type { ConnectionState, Logger, SampleSink, SampleSource, SourceStatus } from '../sources/types';
import type { MqttRouter } from './router';
import { topicFilterProblem } from './topic-filter';

export interface ExternalBrokerSourceOptions {
  config: ExternalBrokerConfig;
  router: MqttRouter;
  /** Exact topics and/or filters to subscribe to (usually `router.topics(config.name)`). */
  topics: readonly string[];
  sink: SampleSink;
  logger: Logger;
}

/** Session expiry asked of an MQTT 5 broker: long enough to ride out a network outage or a gateway restart. */
export const SESSION_EXPIRY_S = 3600;
/** Topics per SUBSCRIBE packet, well under any broker's packet size limit. */
const SUBSCRIBE_CHUNK = 500;

export class ExternalBrokerSource implements SampleSource {
  readonly name: string;
  private client: MqttClient | undefined;
  private state: ConnectionState = 'stopped';
  private everConnected = false;
  /** The broker holds all our subscriptions in the current session (SUBACKs received since it was made). */
  private subscriptionsConfirmed = false;
  private reconnects = 0;
  /** Subscriptions granted in the current connection, and in the session (what a resumed session still holds). */
  private granted = 0;
  private sessionGranted = 0;
  private lastError: string | undefined;
  private lastLoggedError: string | undefined;

  /** @throws Error for a topic filter that is not valid MQTT. */
  constructor(private readonly options: ExternalBrokerSourceOptions) {
    this.name = `mqtt:${options.config.name}`;
    for (const topic of options.topics) {
      const problem = topicFilterProblem(topic);
      if (problem) throw new Error(`${this.name}: ${problem}`);
    }
  }

  /** Resolves once the client exists (not connected: a broker that is down is retried in the background). */
  async start(): Promise<void> {
    if (this.client) throw new Error(`${this.name} is already started`);
    const { config, logger } = this.options;
    const clientOptions: IClientOptions = {
      clientId: config.clientId,
      protocolVersion: config.protocolVersion,
      keepalive: config.keepaliveS,
      reconnectPeriod: config.reconnectPeriodMs,
      reconnectOnConnackError: true,
      clean: false,
      resubscribe: false,
      ...(config.protocolVersion === 5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
      ...(config.username !== undefined ? { username: config.username } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...this.tlsOptions(),
    };
    this.state = 'connecting';
    const client = connect(config.url, clientOptions);
    this.client = client;
    client.on('connect', (connack) => this.onConnect(client, connack));
    client.on('reconnect', () => {
      if (this.state !== 'stopped') this.state = this.everConnected ? 'reconnecting' : 'connecting';
    });
    client.on('close', () => {
      if (this.state === 'connected') logger.warn({ broker: config.name, url: config.url }, 'MQTT connection lost, reconnecting');
      if (this.state !== 'stopped') this.state = this.everConnected ? 'reconnecting' : 'connecting';
      this.granted = 0;
    });
    client.on('error', (err) => {
      this.lastError = err.message;
      // A broker down for an hour fails every reconnect the same way: log a message when it changes.
      if (err.message !== this.lastLoggedError) {
        this.lastLoggedError = err.message;
        logger.warn({ broker: config.name, url: config.url, err: err.message }, 'MQTT connection error');
      }
    });
    client.on('message', (topic, payload) => {
      try {
        this.options.router.route(config.name, topic, payload, Date.now(), this.options.sink, this.name);
      } catch (e) {
        // The router and the sink do not throw by contract; if one ever does, the client must keep reading.
        this.lastError = e instanceof Error ? e.message : String(e);
        logger.error({ broker: config.name, topic, err: this.lastError }, 'routing an MQTT message failed');
      }
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.state = 'stopped';
    if (!client) return;
    this.client = undefined;
    await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
    this.granted = 0;
  }

  status(): SourceStatus {
    return {
      name: this.name,
      kind: 'mqtt-external',
      state: this.state,
      reconnects: this.reconnects,
      items: this.granted,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** Reads the PEM files now, so that an unreadable one fails start() instead of every connection attempt. */
  private tlsOptions(): Partial<IClientOptions> {
    const tls = this.options.config.tls;
    if (!tls) return {};
    const read = (what: string, file: string | undefined): Buffer | undefined => {
      if (file === undefined) return undefined;
      try {
        return readFileSync(file);
      } catch (e) {
        throw new Error(`${this.name}: cannot read the TLS ${what} file ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    };
    const ca = read('CA', tls.caFile);
    const cert = read('certificate', tls.certFile);
    const key = read('key', tls.keyFile);
    return {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
    };
  }

  private onConnect(client: MqttClient, connack: IConnackPacket): void {
    const { config, logger } = this.options;
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    this.state = 'connected';
    this.lastLoggedError = undefined;
    logger.info({ broker: config.name, url: config.url, sessionPresent: connack.sessionPresent, reconnects: this.reconnects }, 'MQTT connected');
    if (!connack.sessionPresent) this.subscriptionsConfirmed = false;
    if (this.subscriptionsConfirmed) {
      this.granted = this.sessionGranted;
      return;
    }
    this.subscribe(client);
  }

  private subscribe(client: MqttClient): void {
    const { config, logger, topics } = this.options;
    // MQTT 5: retain handling 1 sends retained messages only for subscriptions that did not exist yet.
    const opts = config.protocolVersion === 5 ? { qos: 1 as const, rh: 1 } : { qos: 1 as const };
    this.sessionGranted = 0;
    let pending = Math.ceil(topics.length / SUBSCRIBE_CHUNK);
    if (pending === 0) this.subscriptionsConfirmed = true;
    for (let i = 0; i < topics.length; i += SUBSCRIBE_CHUNK) {
      const chunk = topics.slice(i, i + SUBSCRIBE_CHUNK);
      client.subscribe(chunk, opts, (err, _granted, suback) => {
        if (suback === undefined) {
          // No SUBACK: the connection dropped first, and the next connection subscribes again, session or not.
          this.lastError = `subscribe: ${err?.message ?? 'no SUBACK'}`;
          logger.warn({ broker: config.name, err: this.lastError }, 'MQTT subscribe failed');
          return;
        }
        // mqtt.js reports a SUBACK with any refused filter as an error; the SUBACK says which ones (code >= 0x80).
        const refused = chunk.filter((_, k) => {
          const code = suback.granted[k];
          return typeof code !== 'number' || code >= 0x80;
        });
        const ok = chunk.length - refused.length;
        this.granted += ok;
        this.sessionGranted += ok;
        if (refused.length > 0) {
          this.lastError = `broker refused ${refused.length} subscription(s), e.g. "${refused[0]}"`;
          logger.error({ broker: config.name, refused: refused.slice(0, 20), count: refused.length }, 'MQTT broker refused subscriptions');
        }
        // Refused ones stay refused on a retry: confirmed means the broker answered every SUBSCRIBE.
        if (--pending === 0) this.subscriptionsConfirmed = true;
      });
    }
  }
}
