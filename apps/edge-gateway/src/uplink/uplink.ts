// The gateway's link to the cloud: an MQTT client that drains the store-and-forward spool, keeps trigger events until
// the cloud acknowledges them after committing (docs/protocol.md "Why two ack topics"), announces the gateway with a
// retained birth and a last will, and receives close commands.
//
// Delivery is at least once. A trigger event leaves the spool only on the cloud's EventAck; one published but not
// acknowledged within ackTimeoutMs is published again, the timeout doubling up to maxAckTimeoutMs, and every event
// not yet acknowledged is published again after a reconnection. Telemetry leaves the spool when the broker has it
// (PUBACK at QoS 1, written to the socket at QoS 0).
import { readFileSync } from 'node:fs';
import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { CloseAck, CloseCommand, DedupWindow, GatewayStatus, Message, SCHEMAS, decode, encode, gatewaySubscriptions, lastWill, topic } from '@pss/protocol';
import type { Spool, SpoolRecord } from '@pss/spool';
import type { UplinkConfig } from '../config/types';
import type { Logger } from '../sources/types';

export type UplinkClass = 'event' | 'telemetry';

export interface UplinkOptions {
  config: UplinkConfig;
  tenant: string;
  gateway: string;
  version: string;
  startedAt: number;
  spool: Spool<UplinkClass>;
  telemetryQos: 0 | 1;
  logger: Logger;
  /**
   * Applies a close command and resolves once the resulting trigger state is saved: the ack follows, so a crash
   * in between makes the cloud send the command again instead of leaving the trigger latched for good.
   */
  onClose(command: CloseCommand): Promise<void>;
  now?: () => number;
}

export interface UplinkStats {
  connected: boolean;
  connects: number;
  reconnects: number;
  eventsPublished: number;
  eventsResent: number;
  eventsAcked: number;
  telemetryPublished: number;
  closeCommands: number;
  closeDuplicates: number;
  /** Messages from the cloud that failed to decode (counted, logged, dropped). */
  badMessages: number;
  /** Events published and waiting for the cloud's ack. */
  awaitingAck: number;
  /** Publications handed to the client and not yet acknowledged by the broker. */
  inflight: number;
}

interface Awaiting {
  deadline: number;
  timeoutMs: number;
}

const PEEK_BATCH = 200;

export class Uplink {
  private client: MqttClient | null = null;
  private readonly now: () => number;
  private session = '';
  private connected = false;
  private stopped = false;
  /** Published to the client, not yet PUBACKed (or written, for QoS 0): never picked twice. */
  private readonly inflight = new Set<string>();
  /** Events PUBACKed by the broker, waiting for the cloud's EventAck. */
  private readonly awaiting = new Map<string, Awaiting>();
  /** Events stored in the spool but not yet publishable (the trigger state that latched them is not yet saved). */
  private readonly held = new Set<string>();
  /** The next timeout per event id, grown on every re-send. */
  private readonly backoff = new Map<string, number>();
  private readonly closeSeen = new DedupWindow(10_000);
  private lastError = '';
  private pumping = false;
  private pumpAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly counts = {
    connects: 0, reconnects: 0, eventsPublished: 0, eventsResent: 0, eventsAcked: 0, telemetryPublished: 0, closeCommands: 0, closeDuplicates: 0, badMessages: 0,
  };

  constructor(private readonly options: UplinkOptions) {
    this.now = options.now ?? Date.now;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  stats(): UplinkStats {
    return { connected: this.connected, ...this.counts, awaitingAck: this.awaiting.size, inflight: this.inflight.size };
  }

  start(): void {
    const o = this.options;
    const c = o.config;
    this.session = `${o.gateway}.${this.now()}`;
    const will = lastWill(this.status('offline'));
    if (!will.ok) throw new Error(`cannot build the last will: ${will.issues.map((i) => i.message).join('; ')}`);
    const options: IClientOptions = {
      clientId: c.clientId,
      protocolVersion: c.protocolVersion,
      // A persistent session: QoS 1 close commands and acks sent while we are offline are queued by the broker.
      clean: false,
      keepalive: c.keepaliveS,
      reconnectPeriod: c.reconnectPeriodMs,
      connectTimeout: 10_000,
      // Keep trying after a refused CONNACK too (bad credentials, broker not ready): fixing the broker's side must
      // not need a gateway restart; the gateway spools meanwhile.
      reconnectOnConnackError: true,
      ...(c.protocolVersion === 5 && { properties: { sessionExpiryInterval: c.sessionExpiryS } }),
      ...(c.username !== undefined && { username: c.username }),
      ...(c.password !== undefined && { password: c.password }),
      will: { topic: will.value.topic, payload: Buffer.from(will.value.payload), qos: will.value.qos, retain: will.value.retain },
      ...(c.tls && {
        ...(c.tls.caFile && { ca: readFileSync(c.tls.caFile) }),
        ...(c.tls.certFile && { cert: readFileSync(c.tls.certFile) }),
        ...(c.tls.keyFile && { key: readFileSync(c.tls.keyFile) }),
        rejectUnauthorized: c.tls.rejectUnauthorized,
      }),
    };
    const client = mqtt.connect(c.url, options);
    this.client = client;
    // A new session id (and a last will that names it) per connection, so that the cloud can tell a late will of
    // an earlier connection from the death of the current one (docs/protocol.md, birth and death).
    client.on('reconnect', () => {
      this.session = `${o.gateway}.${this.now()}`;
      const next = lastWill(this.status('offline'));
      if (next.ok) client.options.will = { topic: next.value.topic, payload: Buffer.from(next.value.payload), qos: next.value.qos, retain: next.value.retain };
    });
    client.on('connect', () => this.onConnect());
    client.on('close', () => {
      if (this.connected) o.logger.warn({ url: c.url }, 'uplink connection lost; spooling until it is back');
      this.connected = false;
    });
    client.on('error', (e) => {
      // Once per distinct error: a broker that is down for an hour must not log 3,600 identical lines.
      if (e.message === this.lastError) return;
      this.lastError = e.message;
      o.logger.warn({ url: c.url, err: e.message }, `uplink: ${e.message}`);
    });
    client.on('message', (t, payload) => this.onMessage(t, payload));
    this.timer = setInterval(() => this.checkAckTimeouts(), Math.min(1000, c.ackTimeoutMs));
  }

  /** Announces offline (retained) and disconnects; the spool keeps what was not delivered. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const client = this.client;
    if (!client) return;
    if (this.connected) {
      const status = this.status('offline', 'shutdown');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        client.publish(topic({ kind: 'status', tenant: status.tenant, gateway: status.gateway }), Buffer.from(encode(status)), { qos: 1, retain: true }, () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await client.endAsync(!this.connected).catch(() => undefined);
  }

  /** Keeps a stored event from being published until `release` (its trigger state is being saved). */
  hold(id: string): void {
    this.held.add(id);
  }

  release(id: string): void {
    this.held.delete(id);
    this.kick();
  }

  /** Something new is in the spool. */
  kick(): void {
    if (!this.connected || this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.kick();
      }
    });
  }

  private status(state: 'online' | 'offline', reason?: 'shutdown' | 'connection-lost'): GatewayStatus {
    const o = this.options;
    return {
      schema: SCHEMAS.gatewayStatus,
      tenant: o.tenant,
      gateway: o.gateway,
      state,
      session: this.session,
      version: o.version,
      startedAt: o.startedAt,
      time: this.now(),
      ...(state === 'online' ? { spoolDepth: o.spool.metrics.depthRecords } : { reason: reason ?? 'connection-lost' }),
    };
  }

  private onConnect(): void {
    const o = this.options;
    const client = this.client!;
    this.counts.connects++;
    this.lastError = '';
    if (this.counts.connects > 1) this.counts.reconnects++;
    this.connected = true;
    o.logger.info({ url: o.config.url, session: this.session }, 'uplink connected');
    // Everything the cloud has not acknowledged goes again: acks may have been lost with the connection.
    this.awaiting.clear();
    for (const s of gatewaySubscriptions(o.tenant, o.gateway)) client.subscribe(s.filter, { qos: s.qos });
    const birth = this.status('online');
    client.publish(topic({ kind: 'status', tenant: o.tenant, gateway: o.gateway }), Buffer.from(encode(birth)), { qos: 1, retain: true });
    this.kick();
  }

  private async pump(): Promise<void> {
    const o = this.options;
    while (this.connected && !this.stopped && this.inflight.size < o.config.maxInflight) {
      const skip = new Set<string>([...this.inflight, ...this.awaiting.keys(), ...this.held]);
      const records = await o.spool.peek(Math.min(PEEK_BATCH, o.config.maxInflight - this.inflight.size), { skipIds: skip });
      if (records.length === 0) return;
      for (const r of records) this.publish(r);
    }
  }

  private publish(record: SpoolRecord<UplinkClass>): void {
    const o = this.options;
    const client = this.client!;
    const isEvent = record.class === 'event';
    const t = isEvent ? topic({ kind: 'trigger-event', tenant: o.tenant, gateway: o.gateway }) : topic({ kind: 'telemetry', tenant: o.tenant, gateway: o.gateway });
    const qos = isEvent ? 1 : o.telemetryQos;
    this.inflight.add(record.id);
    if (isEvent) {
      if (this.backoff.has(record.id)) this.counts.eventsResent++;
      else this.counts.eventsPublished++;
    } else this.counts.telemetryPublished++;
    client.publish(t, Buffer.from(record.payload), { qos }, (error) => {
      this.inflight.delete(record.id);
      if (error) {
        // Not delivered (connection closed before the PUBACK and the client gave up on it): it stays in the spool.
        this.kick();
        return;
      }
      if (isEvent) {
        const timeoutMs = this.backoff.get(record.id) ?? o.config.ackTimeoutMs;
        this.backoff.set(record.id, Math.min(timeoutMs * 2, o.config.maxAckTimeoutMs));
        this.awaiting.set(record.id, { deadline: this.now() + timeoutMs, timeoutMs });
      } else {
        void o.spool.ack(record.id).catch((e: Error) => o.logger.error({ err: e.message }, `spool ack failed: ${e.message}`));
      }
      this.kick();
    });
  }

  private checkAckTimeouts(): void {
    const t = this.now();
    let expired = false;
    for (const [id, a] of this.awaiting) {
      if (a.deadline <= t) {
        this.awaiting.delete(id);
        expired = true;
      }
    }
    if (expired) this.kick();
  }

  private onMessage(t: string, payload: Buffer): void {
    const o = this.options;
    const decoded = decode(t, payload);
    if (!decoded.ok) {
      this.counts.badMessages++;
      o.logger.warn({ topic: t }, `uplink: dropped a message on ${t}: ${decoded.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
      return;
    }
    const message: Message = decoded.value;
    if (message.schema === SCHEMAS.eventAck) {
      if (message.gateway !== o.gateway || message.tenant !== o.tenant) return;
      const ids = message.ids;
      for (const id of ids) {
        this.awaiting.delete(id);
        this.backoff.delete(id);
      }
      void o.spool.ack(ids).then(
        (n) => {
          this.counts.eventsAcked += n;
          this.kick();
        },
        (e: Error) => o.logger.error({ err: e.message }, `spool ack failed: ${e.message}`),
      );
      return;
    }
    if (message.schema === SCHEMAS.closeCommand) {
      this.counts.closeCommands++;
      const duplicate = this.closeSeen.isDuplicate(message.event);
      if (duplicate) this.counts.closeDuplicates++;
      const applied = duplicate ? Promise.resolve() : o.onClose(message);
      // Acked every time, once applied and saved (a lost ack makes the cloud send again: it must hear back).
      void applied.then(
        () => {
          const ack: CloseAck = { schema: SCHEMAS.closeAck, tenant: o.tenant, gateway: o.gateway, ids: [message.event], time: this.now() };
          this.client?.publish(topic({ kind: 'close-ack', tenant: o.tenant, gateway: o.gateway }), Buffer.from(encode(ack)), { qos: 1 });
        },
        (e: Error) => o.logger.error({ event: message.event, err: e.message }, `close command ${message.event} not acknowledged: ${e.message}`),
      );
      return;
    }
    this.counts.badMessages++;
    o.logger.warn({ topic: t, schema: message.schema }, `uplink: unexpected ${message.schema} on ${t}, dropped`);
  }
}
