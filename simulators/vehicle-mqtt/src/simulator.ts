// The vehicle fleet on MQTT: one MQTT session per vehicle (its telematics unit), plain JSON or Sparkplug B.
//
// A wall-clock scheduler steps the fleet `rate` times per second; each step is `timeScale / rate` simulated
// seconds, so the fleet's values depend only on the seed, the step length and the fault schedule, never on timing.
// If the process falls behind, the missed steps are still computed (the fleet stays deterministic) but only the
// newest frame is published.
//
// Reconnection: mqtt.js reconnects on a fixed period (`reconnectPeriod`, default 1 s, no backoff), so it is
// switched off (reconnectPeriod 0) and every vehicle reconnects itself with exponential backoff and jitter
// (reconnectMinMs · 2^attempt, capped at reconnectMaxMs, times 0.5..1). A broker that refuses the credentials
// (CONNACK 4 or 5) is fatal: retrying would not help. After a reconnect a Sparkplug vehicle re-births (NBIRTH with
// the next bdSeq, DBIRTH with all current values) before any DDATA, and a JSON vehicle announces itself online.
import { connect, IClientOptions, MqttClient } from 'mqtt';
import { PssModel } from '@pss/model';
import { FaultSpec, describeFault, firesWithin, formatSeconds } from './faults';
import { Fleet, FleetFrame, StatusChannel, VehicleFrame } from './fleet';
import {
  DEFAULT_DEVICE,
  DEFAULT_GROUP,
  SparkplugMessage,
  SparkplugNode,
  decodePayload,
  deviceTopic,
  isRebirthRequest,
  isSparkplugVehicle,
  metricName,
  nodeTopic,
} from './sparkplug';
import { DEFAULT_TOPIC_PREFIX, StatusMessage, statusTopic, telemetryMessage, telemetryTopic } from './telemetry';

export interface SimulatorOptions {
  model: PssModel;
  assets: number;
  seed: number;
  /** mqtt://host:port (also mqtts, tcp, tls, ws, wss). */
  broker: string;
  /** Samples per wall-clock second per vehicle. */
  rate: number;
  /** Simulated seconds per wall-clock second. */
  timeScale: number;
  /** Share of the vehicles (0..1) that speak Sparkplug B instead of JSON, spread evenly (see isSparkplugVehicle). */
  sparkplugShare: number;
  faults?: readonly FaultSpec[];
  username?: string;
  password?: string;
  /** Simulated clock of the first sample, ms since the epoch (default: wall clock at construction). */
  start?: number;
  /** Sparkplug group id (default pss). */
  group?: string;
  /** Sparkplug device id under each vehicle's edge node (default vehicle). */
  device?: string;
  /** JSON topics are `{topicPrefix}/{vehicle}/telemetry|status` (default vehicles). */
  topicPrefix?: string;
  /** MQTT client ids are `{clientPrefix}{vehicle}` (default pss-sim-). */
  clientPrefix?: string;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** MQTT keepalive in seconds (default 30). */
  keepalive?: number;
  /** Print a counters line every this many ms (0: never; default 0). */
  statsEveryMs?: number;
  /** Print every message published. */
  verbose?: boolean;
  log?: (line: string) => void;
  onEvent?: (event: SimEvent) => void;
}

export type MessageKind = 'telemetry' | 'status' | 'NBIRTH' | 'DBIRTH' | 'DDATA' | 'DDEATH' | 'NDEATH';

export type SimEvent =
  | { type: 'connected'; vehicle: string; sparkplug: boolean; reconnect: boolean; bdSeq?: number }
  | { type: 'disconnected'; vehicle: string }
  | { type: 'published'; vehicle: string; kind: MessageKind; topic: string; seq?: number }
  | { type: 'frame'; frame: FleetFrame }
  | { type: 'fatal'; message: string };

export interface SimulatorStats {
  steps: number;
  skippedSteps: number;
  online: number;
  vehicles: number;
  messages: Record<MessageKind, number>;
  bytes: number;
  reconnects: number;
}

interface Link {
  vehicle: string;
  index: number;
  client: MqttClient | null;
  sparkplug: SparkplugNode | null;
  connected: boolean;
  everConnected: boolean;
  attempts: number;
  timer: NodeJS.Timeout | null;
  lastPublishedStep: number;
}

const KINDS: readonly MessageKind[] = ['telemetry', 'status', 'NBIRTH', 'DBIRTH', 'DDATA', 'DDEATH', 'NDEATH'];

export class VehicleSimulator {
  readonly fleet: Fleet;
  readonly stepSeconds: number;
  readonly group: string;
  readonly device: string;
  readonly topicPrefix: string;
  private readonly options: SimulatorOptions;
  private readonly links: Link[];
  private readonly log: (line: string) => void;
  private readonly periodMs: number;
  private latest: FleetFrame | null = null;
  private stepTimer: NodeJS.Timeout | null = null;
  private statsTimer: NodeJS.Timeout | null = null;
  private wallStart = 0;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private lastErrorLog = new Map<string, number>();
  private initialConnects = 0;
  /** Connection changes, logged once a second as one line each: a broker restart is two lines, not hundreds. */
  private readonly pending = { lost: [] as string[], back: [] as string[], reborn: 0 };
  private pendingTimer: NodeJS.Timeout | null = null;
  private readonly counters: SimulatorStats;

  constructor(options: SimulatorOptions) {
    if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new Error(`rate must be a number > 0, got ${options.rate}`);
    if (!(options.timeScale > 0) || !Number.isFinite(options.timeScale)) throw new Error(`timeScale must be a number > 0, got ${options.timeScale}`);
    if (!(options.sparkplugShare >= 0 && options.sparkplugShare <= 1)) throw new Error(`sparkplugShare must be within 0..1, got ${options.sparkplugShare}`);
    this.options = options;
    this.log = options.log ?? (() => undefined);
    this.group = options.group ?? DEFAULT_GROUP;
    this.device = options.device ?? DEFAULT_DEVICE;
    this.topicPrefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    this.periodMs = 1000 / options.rate;
    this.stepSeconds = options.timeScale / options.rate;
    this.fleet = new Fleet({
      model: options.model,
      vehicles: options.assets,
      seed: options.seed,
      stepSeconds: this.stepSeconds,
      start: options.start ?? Math.round(Date.now() / 1000) * 1000,
      faults: options.faults ?? [],
    });
    this.links = this.fleet.vehicleIds.map((vehicle, index) => ({
      vehicle,
      index,
      client: null,
      sparkplug: isSparkplugVehicle(index, options.sparkplugShare)
        ? new SparkplugNode({ group: this.group, node: vehicle, device: this.device, model: options.model.name, channels: this.fleet.channels })
        : null,
      connected: false,
      everConnected: false,
      attempts: 0,
      timer: null,
      lastPublishedStep: -1,
    }));
    const messages = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<MessageKind, number>;
    this.counters = { steps: 0, skippedSteps: 0, online: 0, vehicles: this.links.length, messages, bytes: 0, reconnects: 0 };
  }

  get channels(): readonly StatusChannel[] {
    return this.fleet.channels;
  }

  /** The vehicles that speak Sparkplug B. */
  get sparkplugVehicles(): string[] {
    return this.links.filter((l) => l.sparkplug).map((l) => l.vehicle);
  }

  get jsonVehicles(): string[] {
    return this.links.filter((l) => !l.sparkplug).map((l) => l.vehicle);
  }

  stats(): SimulatorStats {
    return { ...this.counters, online: this.links.filter((l) => l.connected).length, messages: { ...this.counters.messages } };
  }

  /** What goes where, for the console. */
  describe(): string[] {
    const o = this.options;
    const sp = this.sparkplugVehicles;
    const json = this.jsonVehicles;
    const lines = [
      `vehicle-mqtt: ${this.links.length} vehicles of model ${o.model.name} (${this.channels.length} statuses each), seed ${o.seed}, broker ${o.broker}`,
      `  clock: ${o.rate} sample(s)/s per vehicle, time scale ${o.timeScale} → ${formatSeconds(this.stepSeconds)} simulated per sample; simulated start ${new Date(this.fleet.start).toISOString()}`,
    ];
    if (json.length > 0) {
      lines.push(
        `  JSON (${json.length}): ${telemetryTopic(this.topicPrefix, '{vehicle}')} QoS 0 {vehicle, model, time, seq, values: {"<part>.<status>": number}}; ` +
          `${statusTopic(this.topicPrefix, '{vehicle}')} QoS 1 retained {vehicle, online} (last will: offline)`,
        `    ${listIds(json)}`,
      );
    }
    if (sp.length > 0) {
      lines.push(
        `  Sparkplug B (${sp.length}): ${nodeTopic(this.group, 'NBIRTH', '{vehicle}')}, ${deviceTopic(this.group, 'DBIRTH', '{vehicle}', this.device)}, ` +
          `${deviceTopic(this.group, 'DDATA', '{vehicle}', this.device)} (changed metrics), ${nodeTopic(this.group, 'NDEATH', '{vehicle}')} (last will, bdSeq); ` +
          `metrics "<part>/<status>", e.g. ${this.channels[0] ? metricName(this.channels[0]) : '-'}`,
        `    ${listIds(sp)}`,
      );
    }
    for (const f of o.faults ?? []) {
      const wallOnset = f.onset / o.timeScale;
      const wallBy = (f.onset + firesWithin(f)) / o.timeScale;
      lines.push(`  fault ${describeFault(f)} [wall +${formatSeconds(round3(wallOnset))} .. +${formatSeconds(round3(wallBy))}]`);
    }
    return lines;
  }

  /** Starts stepping and connects every vehicle; returns at once (connections complete in the background). */
  start(): void {
    if (this.wallStart !== 0) throw new Error('simulator already started');
    this.wallStart = performance.now();
    this.advance(1); // frame 0: the initial state, published as each vehicle connects
    for (const link of this.links) this.connectLink(link);
    this.scheduleStep();
    const every = this.options.statsEveryMs ?? 0;
    if (every > 0) this.statsTimer = setInterval(() => this.log(this.statsLine()), every);
  }

  statsLine(): string {
    const s = this.stats();
    const m = s.messages;
    const sim = this.latest ? `${new Date(this.latest.time).toISOString()} (+${formatSeconds(this.latest.elapsed)})` : '-';
    const sp = this.sparkplugVehicles.length > 0 ? `, NBIRTH ${m.NBIRTH}, DBIRTH ${m.DBIRTH}, DDATA ${m.DDATA}` : '';
    return `[sim ${sim}] online ${s.online}/${s.vehicles}; published telemetry ${m.telemetry}${sp}; ${(s.bytes / 1e6).toFixed(1)} MB; steps ${s.steps} (skipped ${s.skippedSteps}); reconnects ${s.reconnects}`;
  }

  /**
   * Stops stepping; every connected vehicle says goodbye (Sparkplug: DDEATH, then NDEATH at QoS 1; JSON: status
   * offline, retained) and disconnects cleanly. Idempotent.
   */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopping = true;
    if (this.stepTimer) clearTimeout(this.stepTimer);
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.stepTimer = null;
    this.statsTimer = null;
    this.flushConnectionLog();
    this.stopped = Promise.all(this.links.map((l) => this.closeLink(l))).then(() => undefined);
    return this.stopped;
  }

  // ---- stepping ------------------------------------------------------------------------------------------------

  private scheduleStep(): void {
    if (this.stopping) return;
    const due = this.wallStart + this.counters.steps * this.periodMs;
    this.stepTimer = setTimeout(() => this.onStepTimer(), Math.max(0, due - performance.now()));
  }

  private onStepTimer(): void {
    if (this.stopping) return;
    const dueSteps = Math.floor((performance.now() - this.wallStart) / this.periodMs) + 1;
    this.advance(Math.max(1, dueSteps - this.counters.steps));
    this.publishFrame();
    this.scheduleStep();
  }

  /** Computes n frames, keeps the newest. */
  private advance(n: number): void {
    for (let i = 0; i < n; i++) {
      this.latest = this.fleet.next();
      this.counters.steps++;
    }
    this.counters.skippedSteps += n - 1;
    this.options.onEvent?.({ type: 'frame', frame: this.latest! });
  }

  private publishFrame(): void {
    const frame = this.latest!;
    for (const link of this.links) {
      if (link.connected) this.publishVehicle(link, frame.vehicles[link.index], frame);
    }
  }

  private publishVehicle(link: Link, vf: VehicleFrame, frame: FleetFrame): void {
    if (link.lastPublishedStep === frame.step) return;
    if (link.sparkplug) {
      if (!link.sparkplug.born) return; // the birth is on its way
      const msg = link.sparkplug.data(vf.values, frame.time);
      if (msg) this.send(link, 'DDATA', msg.topic, msg.payload, 0, msg.seq);
    } else {
      const payload = JSON.stringify(telemetryMessage(this.options.model.name, this.channels, vf, frame.time, frame.step));
      this.send(link, 'telemetry', telemetryTopic(this.topicPrefix, link.vehicle), payload, 0);
    }
    link.lastPublishedStep = frame.step;
  }

  private send(link: Link, kind: MessageKind, topic: string, payload: string | Buffer, qos: 0 | 1, seq?: number, retain = false): Promise<void> {
    const client = link.client!;
    this.counters.messages[kind]++;
    this.counters.bytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (this.options.verbose) {
      const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
      this.log(`→ ${topic} ${kind}${seq !== undefined ? ` seq ${seq}` : ''} (${size} B, QoS ${qos}${retain ? ', retained' : ''})`);
    }
    this.options.onEvent?.({ type: 'published', vehicle: link.vehicle, kind, topic, ...(seq !== undefined ? { seq } : {}) });
    return new Promise((resolve) => {
      client.publish(topic, payload, { qos, retain }, (error) => {
        if (error && !this.stopping) this.logError(`publish ${topic}: ${error.message}`);
        resolve();
      });
    });
  }

  // ---- connections -----------------------------------------------------------------------------------------------

  private connectLink(link: Link): void {
    const o = this.options;
    const clientOptions: IClientOptions = {
      clientId: `${o.clientPrefix ?? 'pss-sim-'}${link.vehicle}`,
      protocolVersion: 4,
      clean: true,
      keepalive: o.keepalive ?? 30,
      reconnectPeriod: 0, // our own backoff, see scheduleReconnect
      connectTimeout: 10_000,
      queueQoSZero: false, // telemetry while offline is dropped, not replayed stale after a reconnect
      will: this.willFor(link),
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    };
    const client = connect(o.broker, clientOptions);
    link.client = client;
    client.on('connect', () => this.onConnect(link));
    client.on('close', () => this.onClose(link));
    client.on('error', (error: Error & { code?: unknown }) => this.onError(link, error));
    client.on('message', (topic, payload) => this.onMessage(link, topic, payload));
  }

  private willFor(link: Link): NonNullable<IClientOptions['will']> {
    if (link.sparkplug) {
      const death = link.sparkplug.death(this.latest?.time ?? this.fleet.start);
      return { topic: death.topic, payload: death.payload, qos: 1, retain: false };
    }
    const offline: StatusMessage = { vehicle: link.vehicle, online: false };
    return { topic: statusTopic(this.topicPrefix, link.vehicle), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true };
  }

  private onConnect(link: Link): void {
    if (this.stopping) return;
    const reconnect = link.everConnected;
    link.connected = true;
    link.everConnected = true;
    link.attempts = 0;
    if (reconnect) {
      this.counters.reconnects++;
      if (this.options.verbose) this.log(`${link.vehicle}: reconnected${link.sparkplug ? ` (Sparkplug bdSeq ${link.sparkplug.bdSeq}, re-birth)` : ''}`);
      this.pending.back.push(link.vehicle);
      if (link.sparkplug) this.pending.reborn++;
      this.scheduleConnectionLog();
    } else if (++this.initialConnects === this.links.length) {
      this.log(`all ${this.links.length} vehicles connected to ${this.options.broker}`);
    }
    this.options.onEvent?.({ type: 'connected', vehicle: link.vehicle, sparkplug: link.sparkplug !== null, reconnect, ...(link.sparkplug ? { bdSeq: link.sparkplug.bdSeq } : {}) });
    const frame = this.latest!;
    if (link.sparkplug) {
      // Sparkplug: subscribe to NCMD before the birth, then NBIRTH + DBIRTH with every current value.
      link.client!.subscribe(nodeTopic(this.group, 'NCMD', link.vehicle), { qos: 0 }, (error) => {
        if (error) this.logError(`${link.vehicle}: subscribe NCMD: ${error.message}`);
        if (link.connected && !this.stopping) this.birth(link);
      });
    } else {
      const online: StatusMessage = { vehicle: link.vehicle, online: true, time: frame.time };
      void this.send(link, 'status', statusTopic(this.topicPrefix, link.vehicle), JSON.stringify(online), 1, undefined, true);
      this.publishVehicle(link, frame.vehicles[link.index], frame);
    }
  }

  private birth(link: Link): void {
    const frame = this.latest!;
    const [nbirth, dbirth] = link.sparkplug!.birth(frame.vehicles[link.index].values, frame.time);
    this.sendSparkplug(link, 'NBIRTH', nbirth);
    this.sendSparkplug(link, 'DBIRTH', dbirth);
    link.lastPublishedStep = frame.step;
  }

  private sendSparkplug(link: Link, kind: MessageKind, msg: SparkplugMessage, qos: 0 | 1 = 0): Promise<void> {
    return this.send(link, kind, msg.topic, msg.payload, qos, msg.seq);
  }

  private onMessage(link: Link, topic: string, payload: Buffer): void {
    if (!link.sparkplug || topic !== nodeTopic(this.group, 'NCMD', link.vehicle)) return;
    let rebirth = false;
    try {
      rebirth = isRebirthRequest(decodePayload(payload));
    } catch (error) {
      this.logError(`${link.vehicle}: unreadable NCMD payload: ${(error as Error).message}`);
      return;
    }
    if (rebirth && link.connected && !this.stopping) {
      this.log(`${link.vehicle}: rebirth requested (NCMD ${topic})`);
      this.birth(link);
    }
  }

  private onClose(link: Link): void {
    const wasConnected = link.connected;
    link.connected = false;
    if (wasConnected) {
      // The session is gone (the broker has published our will, if it is still there). A new session needs a new
      // bdSeq in the will of its CONNECT, and a new birth before any data.
      if (link.sparkplug) {
        link.sparkplug.sessionLost();
        link.client!.options.will = this.willFor(link);
      }
      if (!this.stopping) {
        if (this.options.verbose) this.log(`${link.vehicle}: connection lost; reconnecting with backoff`);
        this.pending.lost.push(link.vehicle);
        this.scheduleConnectionLog();
      }
      this.options.onEvent?.({ type: 'disconnected', vehicle: link.vehicle });
    }
    if (!this.stopping) this.scheduleReconnect(link);
  }

  private onError(link: Link, error: Error & { code?: unknown }): void {
    if (this.stopping) return;
    // CONNACK refusals carry the return code: 4 bad user name or password, 5 not authorized.
    if (typeof error.code === 'number' && (error.code === 4 || error.code === 5 || error.code === 134 || error.code === 135)) {
      const message = `broker ${this.options.broker} refused ${link.vehicle}: ${error.message}`;
      this.log(`error: ${message}`);
      this.options.onEvent?.({ type: 'fatal', message });
      void this.stop();
      return;
    }
    this.logError(`${error.message}${link.everConnected ? '' : ' (still trying)'}`);
  }

  private scheduleConnectionLog(): void {
    if (this.pendingTimer === null) this.pendingTimer = setTimeout(() => this.flushConnectionLog(), 1000);
  }

  private flushConnectionLog(): void {
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.pendingTimer = null;
    const { lost, back, reborn } = this.pending;
    const online = `online ${this.links.filter((l) => l.connected).length}/${this.links.length}`;
    if (lost.length > 0) this.log(`connection lost: ${lost.length} vehicle(s) (${listIds(lost)}); reconnecting with backoff; ${online}`);
    if (back.length > 0) this.log(`reconnected: ${back.length} vehicle(s) (${listIds(back)})${reborn > 0 ? `, ${reborn} Sparkplug re-birth(s)` : ''}; ${online}`);
    this.pending.lost = [];
    this.pending.back = [];
    this.pending.reborn = 0;
  }

  private scheduleReconnect(link: Link): void {
    if (link.timer !== null || this.stopping) return;
    const min = this.options.reconnectMinMs ?? 500;
    const max = this.options.reconnectMaxMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** Math.min(link.attempts, 30)) * (0.5 + 0.5 * Math.random());
    link.attempts++;
    link.timer = setTimeout(() => {
      link.timer = null;
      if (!this.stopping && !link.connected) link.client!.reconnect();
    }, delay);
  }

  private async closeLink(link: Link): Promise<void> {
    if (link.timer) clearTimeout(link.timer);
    link.timer = null;
    const client = link.client;
    if (!client) return;
    if (link.connected) {
      const time = this.latest?.time ?? this.fleet.start;
      if (link.sparkplug) {
        if (link.sparkplug.born) void this.sendSparkplug(link, 'DDEATH', link.sparkplug.deviceDeath(time));
        await withTimeout(this.sendSparkplug(link, 'NDEATH', link.sparkplug.death(time), 1), 2000);
      } else {
        const offline: StatusMessage = { vehicle: link.vehicle, online: false, time };
        await withTimeout(this.send(link, 'status', statusTopic(this.topicPrefix, link.vehicle), JSON.stringify(offline), 1, undefined, true), 2000);
      }
      link.connected = false;
      if (!(await withTimeout(client.endAsync(false), 2000))) await client.endAsync(true);
    } else {
      await client.endAsync(true);
    }
  }

  /** Logs an error at most once per 10 s per message: with hundreds of vehicles one outage is one line. */
  private logError(message: string): void {
    const now = Date.now();
    const last = this.lastErrorLog.get(message);
    if (last !== undefined && now - last < 10_000) return;
    this.lastErrorLog.set(message, now);
    this.log(`warning: ${message}`);
  }
}

/** Resolves true when the promise settles in time, false otherwise (never rejects). */
function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** `car-0001, car-0002, …, car-0200` (at most 8 shown). */
function listIds(ids: readonly string[]): string {
  if (ids.length <= 8) return ids.join(', ');
  return `${ids.slice(0, 6).join(', ')}, … ${ids[ids.length - 1]}`;
}
