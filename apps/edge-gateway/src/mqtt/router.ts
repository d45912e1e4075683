// Turns MQTT messages into samples (pure: no I/O). Built once from the validated bindings and the model's statuses,
// it finds the bindings of a (broker, topic) with one Map lookup, decodes the payload once, emits a sample per
// bound value and reports every value it could not use, with a cause and a detail naming the topic and the field.
//
// JSON:      a binding per exact topic; values by JSON path, or every key of a values object that names a status.
// Sparkplug: the binding's group/node/device give the NBIRTH/NDEATH/NDATA/DBIRTH/DDATA/DDEATH topics; DBIRTH and
//            DDATA metrics become samples, by name or by the alias the DBIRTH defined; births and deaths keep the
//            sequence state per edge node and broker. Metrics no status is bound to are device business and ignored.
import type { Sample } from '@pss/triggers';
import type { MqttBinding, MqttJsonBinding, MqttSparkplugBinding } from '../config/types';
import type { InputRejectCause, SampleSink } from '../sources/types';
import { CompiledJsonPath, JsonPathError, compileJsonPath, describeJsonValue, readJsonPath } from './json-path';
import { parseSampleTime } from './sample-time';
import {
  SPARKPLUG_DEVICE_MESSAGES,
  SPARKPLUG_NODE_MESSAGES,
  SparkplugDeviceMessage,
  SparkplugDeviceState,
  SparkplugNodeMessage,
  SparkplugNodeState,
  UMetric,
  decodeSparkplugPayload,
  metricNumber,
  sparkplugDeviceTopic,
  sparkplugInteger,
  sparkplugNodeTopic,
} from './sparkplug';
import { ModelPart, StatusCatalog, StatusRef } from './status-catalog';

/** A binding the router cannot use (an unknown status, a bad JSON path, a topic bound twice in two formats). */
export class MqttBindingError extends Error {
  constructor(
    readonly bindingIndex: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`mqtt binding #${bindingIndex}: ${message}`, options);
    this.name = 'MqttBindingError';
  }
}

interface JsonPlan {
  binding: MqttJsonBinding;
  time?: CompiledJsonPath;
  values: { status: StatusRef; path: CompiledJsonPath }[];
  valuesObject?: CompiledJsonPath;
  /** Statuses read by an explicit path: a values object does not emit them a second time. */
  explicit: ReadonlySet<string>;
}

interface SparkplugPlan {
  binding: MqttSparkplugBinding;
  /** Metric name → the statuses it feeds. */
  metrics: ReadonlyMap<string, readonly StatusRef[]>;
  /** Metrics named explicitly in the binding: a DBIRTH without one of them is reported. */
  required: readonly string[];
}

type Route =
  | { kind: 'json'; plans: JsonPlan[] }
  | { kind: 'sparkplug-node'; type: SparkplugNodeMessage; node: SparkplugNodeState }
  | { kind: 'sparkplug-device'; type: SparkplugDeviceMessage; node: SparkplugNodeState; device: SparkplugDeviceState; plans: SparkplugPlan[] };

/** Topics a consumer needs (not NCMD/DCMD: host applications write those). */
const CONSUMED_NODE_MESSAGES: readonly SparkplugNodeMessage[] = ['NBIRTH', 'NDEATH', 'NDATA'];
const CONSUMED_DEVICE_MESSAGES: readonly SparkplugDeviceMessage[] = ['DBIRTH', 'DDATA', 'DDEATH'];

const routeKey = (broker: string, topic: string): string => `${broker}\u0000${topic}`;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class MqttRouter {
  private readonly routes = new Map<string, Route>();
  private readonly topicsByBroker = new Map<string, string[]>();
  readonly catalog: StatusCatalog;

  /**
   * @throws MqttBindingError for a binding that names an unknown status or an unsupported JSON path (the config
   * loader reports these first; this is the last line).
   */
  constructor(bindings: readonly MqttBinding[], parts: readonly ModelPart[] | StatusCatalog) {
    this.catalog = parts instanceof StatusCatalog ? parts : new StatusCatalog(parts);
    const nodes = new Map<string, SparkplugNodeState>();
    bindings.forEach((binding, index) => {
      if (binding.format === 'json') this.addJson(binding, index);
      else this.addSparkplug(binding, index, nodes);
    });
  }

  /** The broker names the bindings read from. */
  brokers(): string[] {
    return [...this.topicsByBroker.keys()];
  }

  /** The exact topics a source on this broker must subscribe to (JSON topics and Sparkplug births, data, deaths). */
  topics(broker: string): string[] {
    return [...(this.topicsByBroker.get(broker) ?? [])];
  }

  /**
   * Routes one message. Never throws: every problem goes to `sink.reject`. Returns the number of samples emitted.
   * `receivedAt` (epoch ms) is the time of samples whose message carries none.
   */
  route(broker: string, topic: string, payload: Buffer, receivedAt: number, sink: SampleSink, source: string): number {
    const route = this.routes.get(routeKey(broker, topic));
    if (route === undefined) {
      sink.reject('unknown-topic', `topic "${topic}" on broker "${broker}": no binding reads it`, source);
      return 0;
    }
    const out = new Emitter(sink, source, topic);
    switch (route.kind) {
      case 'json':
        this.routeJson(route.plans, payload, receivedAt, out);
        break;
      case 'sparkplug-node':
        this.routeSparkplugNode(route.type, route.node, payload, out);
        break;
      case 'sparkplug-device':
        this.routeSparkplugDevice(route, payload, receivedAt, out);
        break;
    }
    return out.samples;
  }

  // ---- construction ----

  private addRoute(broker: string, topic: string, route: Route, consumed: boolean): void {
    this.routes.set(routeKey(broker, topic), route);
    if (!consumed) return;
    let list = this.topicsByBroker.get(broker);
    if (!list) {
      list = [];
      this.topicsByBroker.set(broker, list);
    }
    list.push(topic);
  }

  private resolve(index: number, ref: string, where: string): StatusRef {
    const status = this.catalog.resolve(ref);
    if (!status) throw new MqttBindingError(index, `${where}: "${ref}" is no status of the model (a reference is <part id>.<status key>)`);
    return status;
  }

  private compile(index: number, path: string, where: string): CompiledJsonPath {
    try {
      return compileJsonPath(path);
    } catch (e) {
      if (e instanceof JsonPathError) throw new MqttBindingError(index, `${where}: ${e.message}`, { cause: e });
      throw e;
    }
  }

  private addJson(binding: MqttJsonBinding, index: number): void {
    const where = `asset ${binding.asset}, topic "${binding.topic}"`;
    const plan: JsonPlan = {
      binding,
      values: Object.entries(binding.values).map(([ref, path]) => ({
        status: this.resolve(index, ref, `${where}, values`),
        path: this.compile(index, path, `${where}, values["${ref}"]`),
      })),
      explicit: new Set(Object.keys(binding.values)),
    };
    if (binding.timePath !== undefined) plan.time = this.compile(index, binding.timePath, `${where}, timePath`);
    if (binding.valuesObjectPath !== undefined) plan.valuesObject = this.compile(index, binding.valuesObjectPath, `${where}, valuesObjectPath`);
    const existing = this.routes.get(routeKey(binding.broker, binding.topic));
    if (existing === undefined) this.addRoute(binding.broker, binding.topic, { kind: 'json', plans: [plan] }, true);
    else if (existing.kind === 'json') existing.plans.push(plan);
    else throw new MqttBindingError(index, `${where}: the topic is also a Sparkplug topic of another binding`);
  }

  private addSparkplug(binding: MqttSparkplugBinding, index: number, nodes: Map<string, SparkplugNodeState>): void {
    const { broker, group, node: nodeId, device: deviceId } = binding;
    const where = `asset ${binding.asset}, Sparkplug ${group}/${nodeId}/${deviceId}`;
    const explicit = new Map<string, string>();
    for (const [ref, metric] of Object.entries(binding.metrics)) explicit.set(this.resolve(index, ref, `${where}, metrics`).ref, metric);
    const metrics = new Map<string, StatusRef[]>();
    const explicitNames = new Set(explicit.values());
    for (const status of this.catalog.all()) {
      const name = explicit.get(status.ref) ?? `${status.part}/${status.status}`;
      // A default name an explicit mapping took over belongs to that mapping only.
      if (!explicit.has(status.ref) && explicitNames.has(name)) continue;
      const list = metrics.get(name);
      if (list) list.push(status);
      else metrics.set(name, [status]);
    }
    const plan: SparkplugPlan = { binding, metrics, required: [...explicitNames] };

    const nodeKey = `${broker}\u0000${group}\u0000${nodeId}`;
    let node = nodes.get(nodeKey);
    if (!node) {
      node = new SparkplugNodeState(`${group}/${nodeId}`);
      nodes.set(nodeKey, node);
      for (const type of SPARKPLUG_NODE_MESSAGES) {
        this.claimTopic(index, where, broker, sparkplugNodeTopic(group, type, nodeId));
        this.addRoute(broker, sparkplugNodeTopic(group, type, nodeId), { kind: 'sparkplug-node', type, node }, CONSUMED_NODE_MESSAGES.includes(type));
      }
    }
    const existing = this.routes.get(routeKey(broker, sparkplugDeviceTopic(group, 'DDATA', nodeId, deviceId)));
    if (existing?.kind === 'sparkplug-device') {
      // Another asset on the same device: the device routes are shared, each plan emits its own samples.
      existing.plans.push(plan);
      return;
    }
    const device = node.device(deviceId);
    const plans = [plan];
    for (const type of SPARKPLUG_DEVICE_MESSAGES) {
      const topic = sparkplugDeviceTopic(group, type, nodeId, deviceId);
      this.claimTopic(index, where, broker, topic);
      this.addRoute(broker, topic, { kind: 'sparkplug-device', type, node, device, plans }, CONSUMED_DEVICE_MESSAGES.includes(type));
    }
  }

  private claimTopic(index: number, where: string, broker: string, topic: string): void {
    if (this.routes.get(routeKey(broker, topic))?.kind === 'json') throw new MqttBindingError(index, `${where}: topic "${topic}" is also bound as a JSON topic`);
  }

  // ---- JSON ----

  private routeJson(plans: readonly JsonPlan[], payload: Buffer, receivedAt: number, out: Emitter): void {
    let text: string;
    try {
      text = utf8.decode(payload);
    } catch {
      out.reject('malformed-payload', 'the payload is not UTF-8 text');
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      out.reject('malformed-payload', `the payload is not JSON (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    for (const plan of plans) this.emitJson(plan, doc, receivedAt, out);
  }

  private emitJson(plan: JsonPlan, doc: unknown, receivedAt: number, out: Emitter): void {
    const asset = plan.binding.asset;
    let time = receivedAt;
    if (plan.time) {
      const raw = readJsonPath(plan.time, doc);
      if (raw === undefined) {
        out.reject('missing-value', `time ${plan.time.source} is missing`);
        return;
      }
      const parsed = parseSampleTime(raw);
      if (!parsed.ok) {
        out.reject('invalid-time', `time ${plan.time.source} ${parsed.problem}`);
        return;
      }
      time = parsed.time;
    }
    for (const { status, path } of plan.values) out.jsonValue(asset, status, time, readJsonPath(path, doc), path.source);
    if (plan.valuesObject) {
      const obj = readJsonPath(plan.valuesObject, doc);
      if (obj === undefined) {
        out.reject('missing-value', `values object ${plan.valuesObject.source} is missing`);
        return;
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        out.reject('malformed-payload', `values object ${plan.valuesObject.source} is ${describeJsonValue(obj)}, not an object`);
        return;
      }
      for (const [key, value] of Object.entries(obj)) {
        if (plan.explicit.has(key)) continue;
        const status = this.catalog.resolve(key);
        if (!status) {
          out.reject('unknown-status', `${plan.valuesObject.source} key ${JSON.stringify(key)} is no status of the model`);
          continue;
        }
        out.jsonValue(asset, status, time, value, `${plan.valuesObject.source}[${JSON.stringify(key)}]`);
      }
    }
  }

  // ---- Sparkplug ----

  private routeSparkplugNode(type: SparkplugNodeMessage, node: SparkplugNodeState, payload: Buffer, out: Emitter): void {
    if (type === 'NCMD') return;
    const decoded = decodeSparkplugPayload(payload);
    if (!decoded.ok) {
      out.reject('malformed-payload', decoded.problem);
      return;
    }
    let problem: string | undefined;
    if (type === 'NBIRTH') problem = node.birth(decoded.payload);
    else if (type === 'NDEATH') node.death(decoded.payload);
    else problem = node.advance(decoded.payload);
    if (problem !== undefined) out.reject('sparkplug-sequence', `${type} ${problem}`);
  }

  private routeSparkplugDevice(route: Extract<Route, { kind: 'sparkplug-device' }>, payload: Buffer, receivedAt: number, out: Emitter): void {
    const { type, node, device, plans } = route;
    if (type === 'DCMD') return;
    const decoded = decodeSparkplugPayload(payload);
    if (!decoded.ok) {
      out.reject('malformed-payload', decoded.problem);
      return;
    }
    const message = decoded.payload;
    const metrics: readonly UMetric[] = message.metrics ?? [];
    const problems: string[] = [];
    const seqProblem = node.advance(message);
    if (seqProblem !== undefined) problems.push(seqProblem);
    if (type === 'DDEATH') {
      device.death();
    } else if (type === 'DBIRTH') {
      device.birth(metrics);
    } else if (!device.born && !device.unbornReported) {
      device.unbornReported = true;
      problems.push(`arrived before the DBIRTH of device ${device.id}`);
    }
    // One report per message, however many things are wrong with its sequence; its named values are still used.
    if (problems.length > 0) out.reject('sparkplug-sequence', `${type} ${problems.join('; ')}`);
    if (type === 'DDEATH') return;

    const payloadTime = sparkplugInteger(message.timestamp);
    const seen = type === 'DBIRTH' ? new Set<string>() : undefined;
    for (const metric of metrics) {
      let name = typeof metric.name === 'string' && metric.name !== '' ? metric.name : undefined;
      if (name === undefined) {
        const alias = sparkplugInteger(metric.alias);
        if (alias === undefined) {
          out.reject('malformed-payload', `a metric has neither a name nor an alias`);
          continue;
        }
        name = device.aliases.get(alias);
        if (name === undefined) {
          // Before a DBIRTH the alias cannot be known, and that was reported as a sequence problem.
          if (device.born) out.reject('unknown-status', `metric alias ${alias} was not defined by the DBIRTH of device ${device.id}`);
          continue;
        }
      }
      seen?.add(name);
      const targets = plans.flatMap((plan) => (plan.metrics.get(name) ?? []).map((status) => ({ asset: plan.binding.asset, status })));
      if (targets.length === 0) continue;
      const time = parseSampleTime(sparkplugInteger(metric.timestamp) ?? payloadTime ?? receivedAt);
      if (!time.ok) {
        out.reject('invalid-time', `metric "${name}" timestamp ${time.problem}`);
        continue;
      }
      const value = metricNumber(metric);
      if (!value.ok) {
        out.reject(value.cause, `metric "${name}" ${value.problem}`);
        continue;
      }
      for (const { asset, status } of targets) out.sample({ asset, part: status.part, status: status.status, time: time.time, value: value.value });
    }
    if (seen) {
      for (const plan of plans) for (const name of plan.required) if (!seen.has(name)) out.reject('missing-value', `metric "${name}" (bound for asset ${plan.binding.asset}) is missing from the DBIRTH`);
    }
  }
}

/** Delivers to the sink for one message, with the topic in every detail, and counts the samples. */
class Emitter {
  samples = 0;

  constructor(
    private readonly sink: SampleSink,
    private readonly source: string,
    private readonly topic: string,
  ) {}

  sample(sample: Sample): void {
    this.samples++;
    this.sink.sample(sample, this.source);
  }

  reject(cause: InputRejectCause, detail: string): void {
    this.sink.reject(cause, `topic "${this.topic}": ${detail}`, this.source);
  }

  /** A bound JSON value: a number becomes a sample, anything else is reported with the path it was read from. */
  jsonValue(asset: string, status: StatusRef, time: number, value: unknown, field: string): void {
    if (typeof value === 'number') this.sample({ asset, part: status.part, status: status.status, time, value });
    else if (value === undefined) this.reject('missing-value', `${field} (${status.ref}) is missing`);
    else if (value === null) this.reject('missing-value', `${field} (${status.ref}) is null`);
    else this.reject('not-a-number', `${field} (${status.ref}) is ${describeJsonValue(value)}, not a number`);
  }
}
