// The OPC UA data source: one client and one session per endpoint, the bindings monitored in grouped
// CreateMonitoredItems calls over as many subscriptions as the limits ask, every data change turned into a sample.
//
// Connection life (node-opcua 2.182):
// - Until the first session is up, and whenever node-opcua gives up, this class retries from scratch (a new client,
//   session, subscriptions and items) with its own back-off, reconnectInitialDelayMs doubling up to
//   reconnectMaxDelayMs, forever. A server down at start is only a retry.
// - Once connected, node-opcua repairs a broken connection itself (connectionStrategy with maxRetry > 0 turns that
//   on): after 1 s it retries the secure channel forever, with the same back-off delays; then it reactivates the
//   session and asks for the notification messages not acknowledged yet (Republish); if the server lost the session
//   (a restart), it creates a new one (retrying every 2 s), tries TransferSubscriptions and, where that fails,
//   re-creates the subscriptions and their monitored items with the same client handles, so the listeners below keep
//   working and every item sends its current value again. 'connection_reestablished' follows the repair.
// - The repair can leave a subscription dead (node-opcua logs a failed re-creation and carries on) and a server can
//   time a subscription out: a subscription that is not active after a repair, one that terminates on its own, a
//   closed session or a client that closes on an error all make this class start over from scratch.
// - keepSessionAlive reads the server's state when nothing arrived for a while: a half-open TCP connection (a cable
//   pulled, no RST) is then noticed and repaired instead of waiting for the OS to time out.
import { accessSync, constants, mkdirSync } from 'fs';
import {
  AttributeIds,
  OPCUACertificateManager,
  OPCUAClient,
  TimestampsToReturn,
  resolveNodeId,
  type ClientMonitoredItemGroup,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type UserIdentityInfo,
} from 'node-opcua';
import type { OpcUaBinding, OpcUaEndpointConfig } from '../config/types';
import type { ConnectionState, Logger, SampleSink, SampleSource, SourceStatus } from '../sources/types';
import { readingOf } from './data-value';
import { planSubscriptions, type ItemChunk, type SubscriptionPlan } from './plan';
import { OpcUaConfigError, messageSecurityMode, securityPolicy, untrustedServerHint, userIdentity } from './security';

export interface OpcUaSourceOptions {
  endpoint: OpcUaEndpointConfig;
  /** The bindings of this endpoint; bindings naming another endpoint are ignored. */
  bindings: readonly OpcUaBinding[];
  sink: SampleSink;
  logger: Logger;
  /** Epoch ms, for data values that carry neither a source nor a server timestamp (default Date.now). */
  now?: () => number;
}

const APPLICATION_NAME = 'PSS edge gateway';
/**
 * How long the server keeps the session (and the subscriptions' lifetime) without hearing from the gateway: after a
 * network outage shorter than this, the same session and subscriptions resume; what changed meanwhile arrives as
 * each item's newest values (as many as its queue holds).
 */
const SESSION_TIMEOUT_MS = 120_000;
/** The server sends a keep-alive about this often when nothing changes, so a dead subscription shows soon. */
const KEEPALIVE_TARGET_MS = 10_000;
/** Closing a session or a client on a dead connection waits this long at most. */
const CLOSE_TIMEOUT_MS = 2_000;
/** How many failed nodes lastError and the summary log name before "and N more". */
const FAILURES_NAMED = 5;
/** Failed nodes logged one by one per connection; beyond that (a wrong namespace...), one summary line. */
const FAILURES_LOGGED = 50;

interface GroupRecord {
  group: ClientMonitoredItemGroup;
  bindings: readonly OpcUaBinding[];
}

interface SubscriptionRecord {
  subscription: ClientSubscription;
  groups: GroupRecord[];
}

interface ItemFailure {
  binding: OpcUaBinding;
  reason: string;
}

/** One client with its session and subscriptions: thrown away whole when it cannot be repaired. */
interface Connection {
  certificateManager: OPCUACertificateManager;
  client: OPCUAClient;
  session: ClientSession | null;
  subscriptions: SubscriptionRecord[];
  failures: ItemFailure[];
  /** Item failures logged one by one on this connection (at most FAILURES_LOGGED), and those not logged yet. */
  failuresLogged: number;
  failuresUnlogged: number;
  /** Set once the subscriptions are set up; before that, a lost connection fails the attempt. */
  ready: boolean;
  lostDuringSetup: boolean;
  closing: Promise<void> | null;
}

export class OpcUaSource implements SampleSource {
  readonly name: string;
  private readonly endpoint: OpcUaEndpointConfig;
  private readonly sink: SampleSink;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly bindings: OpcUaBinding[];
  /** Bindings whose NodeId does not even parse: reported at start, never sent to the server. */
  private readonly invalid: ItemFailure[];
  private readonly plans: SubscriptionPlan[];

  private identity: UserIdentityInfo | null = null;
  private state: ConnectionState = 'disconnected';
  private reconnects = 0;
  private lastError: string | undefined;
  private lastLoggedError: string | undefined;
  private everConnected = false;
  private overflowReported = false;

  private conn: Connection | null = null;
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private nextDelayMs: number;
  private attempt: Promise<void> | null = null;
  /** Connections being closed after startOver(): stop() waits for them too. */
  private readonly closing = new Set<Promise<void>>();

  constructor(options: OpcUaSourceOptions) {
    this.endpoint = options.endpoint;
    this.sink = options.sink;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.name = `opcua:${options.endpoint.name}`;
    this.nextDelayMs = options.endpoint.reconnectInitialDelayMs;
    this.bindings = [];
    this.invalid = [];
    for (const binding of options.bindings) {
      if (binding.endpoint !== options.endpoint.name) continue;
      try {
        resolveNodeId(binding.nodeId);
        this.bindings.push(binding);
      } catch (error) {
        this.invalid.push({ binding, reason: `not a NodeId: ${(error as Error).message}` });
      }
    }
    this.plans = planSubscriptions(this.bindings, options.endpoint);
  }

  /**
   * Reads the user certificate (if any) and checks the PKI folder, then connects in the background. Rejects only
   * with an OpcUaConfigError: an unreadable certificate or key, a PKI folder that cannot be written.
   */
  async start(): Promise<void> {
    if (this.stopping) throw new Error(`${this.name} has been stopped and cannot start again`);
    if (this.started) return;
    this.identity = userIdentity(this.endpoint.user);
    try {
      mkdirSync(this.endpoint.pkiDir, { recursive: true });
      accessSync(this.endpoint.pkiDir, constants.W_OK);
    } catch (error) {
      throw new OpcUaConfigError(`the PKI folder ${this.endpoint.pkiDir} of OPC UA endpoint ${this.endpoint.name} is not writable: ${(error as Error).message}`);
    }
    this.started = true;
    this.state = 'connecting';
    for (const failure of this.invalid) this.logItemFailure(failure);
    this.logger.info(
      { source: this.name, url: this.endpoint.url, securityMode: this.endpoint.securityMode, securityPolicy: this.endpoint.securityPolicy, items: this.bindings.length, subscriptions: this.plans.length },
      'OPC UA source starting',
    );
    this.runAttempt();
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const conn = this.conn;
    this.conn = null;
    this.stopped = (async () => {
      if (conn) await this.closeConnection(conn);
      // An attempt under way fails fast once its client is disconnected; wait for it so that nothing outlives stop().
      await this.attempt;
      await Promise.all(this.closing);
      this.state = 'stopped';
      this.logger.info({ source: this.name }, 'OPC UA source stopped');
    })();
    return this.stopped;
  }

  status(): SourceStatus {
    return { name: this.name, kind: 'opcua', state: this.state, reconnects: this.reconnects, items: this.liveItems(), lastError: this.lastError };
  }

  /** Monitored items the server accepted, on a connection that is up. */
  private liveItems(): number {
    const conn = this.conn;
    if (this.state !== 'connected' || !conn) return 0;
    let n = 0;
    for (const record of conn.subscriptions) {
      if (!record.subscription.isActive) continue;
      for (const { group } of record.groups) for (const item of group.monitoredItems) if (item.statusCode.isGood()) n++;
    }
    return n;
  }

  // ---- connection attempts ----

  private runAttempt(): void {
    this.attempt = this.connectOnce();
  }

  private scheduleAttempt(): void {
    if (this.stopping || this.retryTimer) return;
    const delay = this.nextDelayMs;
    this.nextDelayMs = Math.min(delay * 2, this.endpoint.reconnectMaxDelayMs);
    this.logger.debug({ source: this.name, delayMs: delay }, 'OPC UA source retrying');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.runAttempt();
    }, delay);
  }

  private async connectOnce(): Promise<void> {
    try {
      const conn = await this.openConnection();
      if (this.stopping || this.conn !== conn) return; // stop() closes it
      this.onConnected(conn);
    } catch (error) {
      if (this.stopping) return;
      this.setError(this.explain(error), error);
      this.scheduleAttempt();
    }
  }

  private async openConnection(): Promise<Connection> {
    const endpoint = this.endpoint;
    const certificateManager = new OPCUACertificateManager({
      rootFolder: endpoint.pkiDir,
      automaticallyAcceptUnknownCertificate: endpoint.trustUnknownServerCertificate,
      // Nothing drops certificates in while the gateway runs that it must notice at once: each new attempt reads the
      // folder again, and live watchers would keep the process (and jest) alive.
      disableFileWatchers: true,
    });
    const client = OPCUAClient.create({
      applicationName: APPLICATION_NAME,
      clientName: this.name,
      endpointMustExist: false,
      securityMode: messageSecurityMode(endpoint.securityMode),
      securityPolicy: securityPolicy(endpoint.securityPolicy),
      clientCertificateManager: certificateManager,
      keepSessionAlive: true,
      requestedSessionTimeout: SESSION_TIMEOUT_MS,
      // maxRetry 1: a first connection fails after one retry and this class's own back-off takes over; any
      // maxRetry > 0 also turns node-opcua's repair on, which retries forever with these delays. The backoff
      // package under it throws (and the connection fails with an unrelated "premature disconnection") unless the
      // maximum delay is greater than the initial one.
      connectionStrategy: {
        initialDelay: endpoint.reconnectInitialDelayMs,
        maxDelay: Math.max(endpoint.reconnectMaxDelayMs, endpoint.reconnectInitialDelayMs + 1),
        maxRetry: 1,
        randomisationFactor: 0.1,
      },
    });
    const conn: Connection = { certificateManager, client, session: null, subscriptions: [], failures: [], failuresLogged: 0, failuresUnlogged: 0, ready: false, lostDuringSetup: false, closing: null };
    this.conn = conn;
    this.watchClient(conn);

    try {
      await client.connect(endpoint.url);
      conn.session = await client.createSession(this.identity ?? undefined);
      this.watchSession(conn, conn.session);
      for (const plan of this.plans) await this.createSubscription(conn, conn.session, plan);
      if (conn.lostDuringSetup) throw new Error('the connection was lost while the subscriptions were set up');
      this.logUnloggedFailures(conn);
    } catch (error) {
      if (this.conn === conn) this.conn = null;
      await this.closeConnection(conn);
      throw error;
    }
    conn.failures.unshift(...this.invalid);
    return conn;
  }

  private onConnected(conn: Connection): void {
    conn.ready = true;
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    this.nextDelayMs = this.endpoint.reconnectInitialDelayMs;
    this.state = 'connected';
    this.lastLoggedError = undefined;
    this.lastError = this.failureSummary(conn.failures);
    this.logger.info(
      { source: this.name, url: this.endpoint.url, items: this.liveItems(), failed: conn.failures.length, subscriptions: conn.subscriptions.length, reconnects: this.reconnects },
      'OPC UA source connected',
    );
  }

  /** Whether events of this connection still matter: it is the current one and nobody is closing it. */
  private isCurrent(conn: Connection): boolean {
    return !this.stopping && this.conn === conn && conn.closing === null;
  }

  /** Throws the connection away and starts over with a new client after the back-off delay. */
  private startOver(conn: Connection, reason: string): void {
    if (!this.isCurrent(conn) || !conn.ready) return;
    this.conn = null;
    this.state = 'reconnecting';
    this.setError(reason);
    const closed = this.closeConnection(conn).then(() => {
      this.closing.delete(closed);
      this.scheduleAttempt();
    });
    this.closing.add(closed);
  }

  private watchClient(conn: Connection): void {
    const { client } = conn;
    client.on('connection_lost', () => {
      if (!this.isCurrent(conn)) return;
      if (!conn.ready) {
        conn.lostDuringSetup = true;
        return;
      }
      this.state = 'reconnecting';
      this.setError(`lost the connection to ${this.endpoint.url}`);
    });
    client.on('reconnection_attempt_has_failed', (error: Error) => {
      if (this.isCurrent(conn) && conn.ready) this.setError(`cannot reconnect to ${this.endpoint.url}: ${error.message}`, error);
    });
    client.on('connection_reestablished', () => {
      if (!this.isCurrent(conn) || !conn.ready) return;
      const dead = conn.subscriptions.filter((r) => !r.subscription.isActive).length;
      if (dead > 0) {
        this.startOver(conn, `${dead} of ${conn.subscriptions.length} subscriptions could not be restored after reconnecting to ${this.endpoint.url}`);
        return;
      }
      this.reconnects++;
      this.state = 'connected';
      this.lastLoggedError = undefined;
      // Items the server no longer accepts (a node gone after a server restart) are reported like at creation.
      const known = new Set(conn.failures.map((f) => f.binding));
      for (const failure of this.groupFailures(conn)) if (!known.has(failure.binding)) this.itemFailed(conn, failure);
      this.logUnloggedFailures(conn);
      this.lastError = this.failureSummary(conn.failures);
      this.logger.info({ source: this.name, url: this.endpoint.url, items: this.liveItems(), reconnects: this.reconnects }, 'OPC UA source reconnected');
    });
    client.on('close', (error?: Error | null) => {
      // node-opcua gave up on the connection (an error), or it was closed by us (no error).
      if (error) this.startOver(conn, `connection to ${this.endpoint.url} closed: ${error.message}`);
    });
  }

  private watchSession(conn: Connection, session: ClientSession): void {
    session.on('session_closed', () => this.startOver(conn, `the server ${this.endpoint.url} closed the session`));
    // node-opcua retries a failed session repair every 2 s on its own; the operator should see why it fails.
    session.on('session_repaired_failed', (error: Error) => {
      if (this.isCurrent(conn)) this.setError(this.explain(error), error);
    });
    session.on('keepalive_failure', () => {
      if (this.isCurrent(conn)) this.logger.warn({ source: this.name, url: this.endpoint.url }, 'OPC UA keep-alive read failed');
    });
  }

  private async createSubscription(conn: Connection, session: ClientSession, plan: SubscriptionPlan): Promise<void> {
    const publishingIntervalMs = this.endpoint.publishingIntervalMs;
    const keepAliveCount = Math.max(1, Math.ceil(KEEPALIVE_TARGET_MS / publishingIntervalMs));
    let subscription: ClientSubscription;
    try {
      subscription = await session.createSubscription2({
        requestedPublishingInterval: publishingIntervalMs,
        requestedMaxKeepAliveCount: keepAliveCount,
        // The spec asks for at least 3 keep-alives; longer keeps the subscription transferable through an outage.
        requestedLifetimeCount: Math.max(3 * keepAliveCount, Math.ceil(SESSION_TIMEOUT_MS / publishingIntervalMs)),
        // No cap: a publish carries every change of the interval (10,000 items at 1 s make one response).
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 0,
      });
    } catch (error) {
      if (conn.lostDuringSetup || !this.isCurrent(conn)) throw error;
      // The server refuses this subscription (too many subscriptions...): its items fail, the others go on.
      for (const chunk of plan.chunks) this.chunkFailed(conn, chunk, `the server refused a subscription: ${(error as Error).message}`);
      return;
    }
    const record: SubscriptionRecord = { subscription, groups: [] };
    conn.subscriptions.push(record);
    subscription.on('terminated', () => this.startOver(conn, `a subscription on ${this.endpoint.url} was terminated`));
    subscription.on('status_changed', (status) => {
      if (this.isCurrent(conn)) this.logger.warn({ source: this.name, status: status.toString() }, 'OPC UA subscription status changed');
    });
    subscription.on('internal_error', (error: Error) => {
      if (this.isCurrent(conn)) this.logger.warn({ source: this.name, err: error.message }, 'OPC UA subscription error');
    });
    if (subscription.publishingInterval !== publishingIntervalMs) {
      this.logger.debug({ source: this.name, requested: publishingIntervalMs, revised: subscription.publishingInterval }, 'OPC UA publishing interval revised by the server');
    }
    for (const chunk of plan.chunks) await this.createItems(conn, record, chunk);
  }

  /** One CreateMonitoredItems call; items the server refuses are reported one by one, the others run. */
  private async createItems(conn: Connection, record: SubscriptionRecord, chunk: ItemChunk): Promise<void> {
    let group: ClientMonitoredItemGroup;
    try {
      group = await record.subscription.monitorItems(
        chunk.bindings.map((b) => ({ nodeId: b.nodeId, attributeId: AttributeIds.Value })),
        // discardOldest: when the queue is full anyway, the newest values matter most to the triggers.
        { samplingInterval: chunk.samplingIntervalMs, queueSize: chunk.queueSize, discardOldest: true },
        TimestampsToReturn.Both,
      );
    } catch (error) {
      if (conn.lostDuringSetup || !this.isCurrent(conn)) throw error;
      this.chunkFailed(conn, chunk, `CreateMonitoredItems failed: ${(error as Error).message}`);
      return;
    }
    const bindings = chunk.bindings;
    group.on('changed', (_item, dataValue: DataValue, index: number) => this.deliver(bindings[index], dataValue));
    record.groups.push({ group, bindings });
    group.monitoredItems.forEach((item, i) => {
      if (!item.statusCode.isGood()) this.itemFailed(conn, { binding: bindings[i], reason: item.statusCode.toString() });
    });
  }

  private itemFailed(conn: Connection, failure: ItemFailure): void {
    conn.failures.push(failure);
    if (conn.failuresLogged < FAILURES_LOGGED) {
      conn.failuresLogged++;
      this.logItemFailure(failure);
    } else {
      conn.failuresUnlogged++;
    }
  }

  /** After the items are created or restored: one line for the failures not logged one by one. */
  private logUnloggedFailures(conn: Connection): void {
    if (conn.failuresUnlogged === 0) return;
    this.logger.error(
      { source: this.name, url: this.endpoint.url, failed: conn.failures.length, notLogged: conn.failuresUnlogged },
      `${conn.failuresUnlogged} more OPC UA nodes cannot be monitored (not logged one by one; status().lastError names a few)`,
    );
    conn.failuresUnlogged = 0;
  }

  /** A whole call failed: one log line for it, every item counted. */
  private chunkFailed(conn: Connection, chunk: ItemChunk, reason: string): void {
    this.logger.error({ source: this.name, url: this.endpoint.url, items: chunk.bindings.length, firstNode: chunk.bindings[0]?.nodeId, reason }, `${chunk.bindings.length} OPC UA monitored items not created: ${reason}`);
    for (const binding of chunk.bindings) conn.failures.push({ binding, reason });
  }

  /** Items of the groups that the server does not (or no longer) monitor. */
  private groupFailures(conn: Connection): ItemFailure[] {
    const failures: ItemFailure[] = [];
    for (const record of conn.subscriptions) {
      for (const { group, bindings } of record.groups) {
        group.monitoredItems.forEach((item, i) => {
          if (!item.statusCode.isGood()) failures.push({ binding: bindings[i], reason: item.statusCode.toString() });
        });
      }
    }
    return failures;
  }

  // ---- data ----

  private deliver(binding: OpcUaBinding, dataValue: DataValue): void {
    const reading = readingOf(dataValue, this.now);
    if (!reading.ok) {
      this.sink.reject(reading.cause, `OPC UA node ${binding.nodeId} (${binding.asset} ${binding.part}.${binding.status}): ${reading.reason}`, this.name);
      return;
    }
    if (reading.overflow && !this.overflowReported) {
      // The value is good, but the server dropped older ones: the queue is too short for how fast the node changes.
      this.overflowReported = true;
      this.logger.warn({ source: this.name, node: binding.nodeId, samplingIntervalMs: binding.samplingIntervalMs, publishingIntervalMs: this.endpoint.publishingIntervalMs }, 'OPC UA monitored item queue overflowed: samples were lost (reported once)');
    }
    this.sink.sample({ asset: binding.asset, part: binding.part, status: binding.status, time: reading.time, value: reading.value }, this.name);
  }

  // ---- errors and logs ----

  private logItemFailure(failure: ItemFailure): void {
    const { binding, reason } = failure;
    this.logger.error(
      { source: this.name, url: this.endpoint.url, node: binding.nodeId, asset: binding.asset, part: binding.part, status: binding.status, reason },
      `OPC UA node ${binding.nodeId} cannot be monitored: ${reason}`,
    );
  }

  private failureSummary(failures: readonly ItemFailure[]): string | undefined {
    if (failures.length === 0) return undefined;
    const named = failures.slice(0, FAILURES_NAMED).map((f) => `${f.binding.nodeId} (${f.reason})`);
    const more = failures.length > FAILURES_NAMED ? ` and ${failures.length - FAILURES_NAMED} more` : '';
    return `${failures.length} of ${this.bindings.length + this.invalid.length} monitored items failed: ${named.join(', ')}${more}`;
  }

  /** Records a connection problem; logs it as an error when it differs from the last one (a retry loop logs once). */
  private setError(message: string, cause?: unknown): void {
    this.lastError = message;
    if (message === this.lastLoggedError) {
      this.logger.debug({ source: this.name, err: message }, 'OPC UA source: still failing');
      return;
    }
    this.lastLoggedError = message;
    const detail = cause instanceof Error && cause.message !== message ? cause.message : undefined;
    this.logger.error({ source: this.name, url: this.endpoint.url, err: message, detail }, `OPC UA source ${this.endpoint.name}: ${message}`);
  }

  /** What went wrong, in terms of what the operator can do about it. */
  private explain(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const url = this.endpoint.url;
    if (/BadCertificateUntrusted|Certificate verification failed/i.test(message)) return untrustedServerHint(this.endpoint);
    const identity = /Bad(UserAccessDenied|IdentityTokenRejected|IdentityTokenInvalid|UserSignatureInvalid)/.exec(message);
    if (identity) {
      const user = this.endpoint.user;
      const who = user.type === 'username' ? `user "${user.username}"` : user.type === 'certificate' ? `the user certificate ${user.certificateFile}` : 'an anonymous session';
      return `the server ${url} refused ${who} (Bad${identity[1]}): check the credentials of endpoint ${this.endpoint.name}`;
    }
    if (/BadSecurityPolicyRejected|cannot find endpoint for securityMode/i.test(message)) {
      return `the server ${url} offers no endpoint with security ${this.endpoint.securityMode}/${this.endpoint.securityPolicy}: ${oneLine(message)}`;
    }
    // node-opcua wraps a socket error in two sentences of advice: keep the error itself ("connect ECONNREFUSED ...").
    const socket = /\b(?:connect )?(?:ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN)\b[^)\n]*/.exec(message);
    if (socket) return `cannot connect to ${url}: ${socket[0].trim()}`;
    return `${url}: ${oneLine(message)}`;
  }

  // ---- teardown ----

  /** Closes the session (deleting its subscriptions on the server) and the client; idempotent, never throws. */
  private closeConnection(conn: Connection): Promise<void> {
    conn.closing ??= (async () => {
      const { client, session, certificateManager } = conn;
      if (session) await bounded(session.close(true), CLOSE_TIMEOUT_MS).catch((e: unknown) => this.debugCloseError('session', e));
      await bounded(client.disconnect(), CLOSE_TIMEOUT_MS).catch((e: unknown) => this.debugCloseError('client', e));
      // The client holds a reference to the manager and releases it only when it disconnects from a connected
      // state: drop whatever is left, then dispose of it for real.
      try {
        while (certificateManager.referenceCounter > 0) await certificateManager.dispose();
        await certificateManager.dispose();
      } catch (error) {
        this.debugCloseError('certificate manager', error);
      }
    })();
    return conn.closing;
  }

  private debugCloseError(what: string, error: unknown): void {
    this.logger.debug({ source: this.name, err: error instanceof Error ? error.message : String(error) }, `OPC UA ${what} did not close cleanly`);
  }
}

function oneLine(message: string): string {
  return message.split('\n').map((l) => l.trim()).filter((l) => l.length > 0).join(' ');
}

/** The promise, or a rejection after ms; the timer never outlives the race. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
