// The router on its own: JSON bindings (paths, values objects, times) and every reject cause, with the detail
// naming topic and field. Sparkplug B is in router-sparkplug.spec.ts.
import type { MqttBinding, MqttJsonBinding } from '../config/types';
import { JsonPathError } from './json-path';
import { MqttBindingError, MqttRouter } from './router';
import { ModelPart } from './status-catalog';
import { RecordingSink } from './test-support';

// `p.axle` is a prefix of another part id: references must resolve against the parts, not split at a dot.
const PARTS: ModelPart[] = [
  { id: 'p.axle', statuses: [{ key: 'vibration_rms' }, { key: 'temperature' }] },
  { id: 'p.axle.bearing', statuses: [{ key: 'temperature' }] },
  { id: 'p.brake-front', statuses: [{ key: 'wear' }] },
];

const RECEIVED = Date.UTC(2025, 0, 6, 12);
const T0 = Date.UTC(2025, 0, 6, 8);

/** The vehicle simulator's JSON telemetry binding. */
const telemetry = (vehicle: string, broker = 'embedded'): MqttJsonBinding => ({
  format: 'json',
  asset: vehicle,
  broker,
  topic: `vehicles/${vehicle}/telemetry`,
  timePath: '$.time',
  values: {},
  valuesObjectPath: '$.values',
});

const explicit: MqttJsonBinding = {
  format: 'json',
  asset: 'press-1',
  broker: 'plant',
  topic: 'plant/press-1/state',
  values: { 'p.axle.temperature': "$.readings['axle temp']", 'p.brake-front.wear': '$.list[1]' },
};

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function setup(bindings: MqttBinding[] = [telemetry('car-0001'), explicit]): { router: MqttRouter; sink: RecordingSink; route: (broker: string, topic: string, payload: Buffer) => number } {
  const router = new MqttRouter(bindings, PARTS);
  const sink = new RecordingSink();
  return { router, sink, route: (broker, topic, payload) => router.route(broker, topic, payload, RECEIVED, sink, 'mqtt:test') };
}

describe('MqttRouter, JSON', () => {
  it('turns a simulator telemetry message into one sample per status, parts resolved against the model', () => {
    const { sink, route } = setup();
    const n = route('embedded', 'vehicles/car-0001/telemetry', json({ vehicle: 'car-0001', model: 'm', time: T0, seq: 0, values: { 'p.axle.vibration_rms': 7.1, 'p.axle.bearing.temperature': 61.5, 'p.brake-front.wear': 0.25 } }));
    expect(n).toBe(3);
    expect(sink.rejects).toEqual([]);
    expect(sink.samples).toEqual([
      { asset: 'car-0001', part: 'p.axle', status: 'vibration_rms', time: T0, value: 7.1, source: 'mqtt:test' },
      { asset: 'car-0001', part: 'p.axle.bearing', status: 'temperature', time: T0, value: 61.5, source: 'mqtt:test' },
      { asset: 'car-0001', part: 'p.brake-front', status: 'wear', time: T0, value: 0.25, source: 'mqtt:test' },
    ]);
  });

  it('reads explicit paths, and takes the receipt time without a time path', () => {
    const { sink, route } = setup();
    route('plant', 'plant/press-1/state', json({ readings: { 'axle temp': 55 }, list: [9, 0.5] }));
    expect(sink.rejects).toEqual([]);
    expect(sink.samples.map(({ part, status, time, value }) => ({ part, status, time, value }))).toEqual([
      { part: 'p.axle', status: 'temperature', time: RECEIVED, value: 55 },
      { part: 'p.brake-front', status: 'wear', time: RECEIVED, value: 0.5 },
    ]);
  });

  it('reads ISO 8601 times', () => {
    const { sink, route } = setup();
    route('embedded', 'vehicles/car-0001/telemetry', json({ time: '2025-01-06T09:00:00.500+01:00', values: { 'p.axle.temperature': 40 } }));
    expect(sink.samples).toEqual([expect.objectContaining({ time: T0 + 500, value: 40 })]);
  });

  it('lets explicit values win over the values object, and feeds every binding of a topic', () => {
    const both: MqttJsonBinding = { ...telemetry('car-0001'), values: { 'p.axle.temperature': '$.corrected' } };
    const twin: MqttJsonBinding = { ...telemetry('car-0001'), asset: 'car-0001-twin' };
    const { sink, route } = setup([both, twin]);
    route('embedded', 'vehicles/car-0001/telemetry', json({ time: T0, corrected: 41, values: { 'p.axle.temperature': 40 } }));
    expect(sink.samples.map((s) => [s.asset, s.value])).toEqual([
      ['car-0001', 41],
      ['car-0001-twin', 40],
    ]);
  });

  describe('rejects', () => {
    it('malformed payloads: not UTF-8, not JSON, a values object that is not an object', () => {
      const { sink, route } = setup();
      const topic = 'vehicles/car-0001/telemetry';
      route('embedded', topic, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
      route('embedded', topic, Buffer.from('{"time": 1, "values": {'));
      route('embedded', topic, json({ time: T0, values: [1, 2] }));
      route('embedded', topic, json({ time: T0, values: 'p.axle.temperature=4' }));
      expect(sink.samples).toEqual([]);
      expect(sink.causes()).toEqual(['malformed-payload', 'malformed-payload', 'malformed-payload', 'malformed-payload']);
      expect(sink.rejects[0].detail).toBe(`topic "${topic}": the payload is not UTF-8 text`);
      expect(sink.rejects[1].detail).toMatch(/^topic "vehicles\/car-0001\/telemetry": the payload is not JSON \(/);
      expect(sink.rejects[2].detail).toBe(`topic "${topic}": values object $.values is an array, not an object`);
      expect(sink.rejects[3].source).toBe('mqtt:test');
    });

    it('unknown topics, per broker', () => {
      const { sink, route } = setup();
      expect(route('embedded', 'vehicles/car-0009/telemetry', json({}))).toBe(0);
      route('plant', 'vehicles/car-0001/telemetry', json({}));
      expect(sink.causes()).toEqual(['unknown-topic', 'unknown-topic']);
      expect(sink.rejects[0].detail).toBe('topic "vehicles/car-0009/telemetry" on broker "embedded": no binding reads it');
      expect(sink.rejects[1].detail).toContain('on broker "plant"');
    });

    it('missing values, bound or of a time path or values object; null as missing', () => {
      const { sink, route } = setup();
      route('plant', 'plant/press-1/state', json({ readings: {}, list: [1, null] }));
      route('embedded', 'vehicles/car-0001/telemetry', json({ values: { 'p.axle.temperature': 1 } }));
      route('embedded', 'vehicles/car-0001/telemetry', json({ time: T0 }));
      expect(sink.samples).toEqual([]);
      expect(sink.rejects).toEqual([
        { cause: 'missing-value', detail: `topic "plant/press-1/state": $.readings['axle temp'] (p.axle.temperature) is missing`, source: 'mqtt:test' },
        { cause: 'missing-value', detail: 'topic "plant/press-1/state": $.list[1] (p.brake-front.wear) is null', source: 'mqtt:test' },
        { cause: 'missing-value', detail: 'topic "vehicles/car-0001/telemetry": time $.time is missing', source: 'mqtt:test' },
        { cause: 'missing-value', detail: 'topic "vehicles/car-0001/telemetry": values object $.values is missing', source: 'mqtt:test' },
      ]);
    });

    it('values that are not numbers, NaN-ish strings included, and keeps the good ones of the message', () => {
      const { sink, route } = setup();
      route('embedded', 'vehicles/car-0001/telemetry', json({ time: T0, values: { 'p.axle.vibration_rms': 'NaN', 'p.axle.temperature': '42', 'p.axle.bearing.temperature': true, 'p.brake-front.wear': 0.3 } }));
      route('plant', 'plant/press-1/state', json({ readings: { 'axle temp': { v: 1 } }, list: [1, [2]] }));
      expect(sink.samples.map((s) => s.value)).toEqual([0.3]);
      expect(sink.causes()).toEqual(['not-a-number', 'not-a-number', 'not-a-number', 'not-a-number', 'not-a-number']);
      expect(sink.rejects.map((r) => r.detail)).toEqual([
        'topic "vehicles/car-0001/telemetry": $.values["p.axle.vibration_rms"] (p.axle.vibration_rms) is a string ("NaN"), not a number',
        'topic "vehicles/car-0001/telemetry": $.values["p.axle.temperature"] (p.axle.temperature) is a string ("42"), not a number',
        'topic "vehicles/car-0001/telemetry": $.values["p.axle.bearing.temperature"] (p.axle.bearing.temperature) is a boolean (true), not a number',
        `topic "plant/press-1/state": $.readings['axle temp'] (p.axle.temperature) is an object, not a number`,
        'topic "plant/press-1/state": $.list[1] (p.brake-front.wear) is an array, not a number',
      ]);
    });

    it('invalid times drop the message', () => {
      const { sink, route } = setup();
      for (const time of ['2025-01-06T08:00:00', 'NaN', true, 9e15]) route('embedded', 'vehicles/car-0001/telemetry', json({ time, values: { 'p.axle.temperature': 1 } }));
      expect(sink.samples).toEqual([]);
      expect(sink.causes()).toEqual(['invalid-time', 'invalid-time', 'invalid-time', 'invalid-time']);
      expect(sink.rejects[0].detail).toBe('topic "vehicles/car-0001/telemetry": time $.time "2025-01-06T08:00:00" is not an ISO 8601 date-time with a zone (e.g. 2025-01-06T08:00:00Z)');
      expect(sink.rejects[2].detail).toContain('time $.time is a boolean (true)');
    });

    it('keys of a values object that name no status, one per key', () => {
      const { sink, route } = setup();
      route('embedded', 'vehicles/car-0001/telemetry', json({ time: T0, values: { 'p.axle.wear': 1, 'p.axle': 2, 'p.axle.temperature': 3 } }));
      expect(sink.samples.map((s) => s.value)).toEqual([3]);
      expect(sink.rejects).toEqual([
        { cause: 'unknown-status', detail: 'topic "vehicles/car-0001/telemetry": $.values key "p.axle.wear" is no status of the model', source: 'mqtt:test' },
        { cause: 'unknown-status', detail: 'topic "vehicles/car-0001/telemetry": $.values key "p.axle" is no status of the model', source: 'mqtt:test' },
      ]);
    });
  });

  describe('construction', () => {
    it('lists the topics a source must subscribe to, per broker', () => {
      const { router } = setup([telemetry('car-0001'), telemetry('car-0002'), explicit]);
      expect(router.brokers().sort()).toEqual(['embedded', 'plant']);
      expect(router.topics('embedded')).toEqual(['vehicles/car-0001/telemetry', 'vehicles/car-0002/telemetry']);
      expect(router.topics('plant')).toEqual(['plant/press-1/state']);
      expect(router.topics('nowhere')).toEqual([]);
    });

    it('refuses a binding to an unknown status', () => {
      expect(() => setup([{ ...explicit, values: { 'p.axle.wear': '$.w' } }])).toThrow(MqttBindingError);
      expect(() => setup([{ ...explicit, values: { 'p.axle.wear': '$.w' } }])).toThrow('mqtt binding #0: asset press-1, topic "plant/press-1/state", values: "p.axle.wear" is no status of the model');
    });

    it('refuses an unsupported JSON path, with the JsonPathError as cause', () => {
      let error: unknown;
      try {
        setup([telemetry('car-0001'), { ...explicit, timePath: '$..time' }]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MqttBindingError);
      expect((error as MqttBindingError).bindingIndex).toBe(1);
      expect((error as Error).message).toContain('timePath: JSON path "$..time" at position 1: recursive descent');
      expect((error as Error).cause).toBeInstanceOf(JsonPathError);
    });

    it('refuses a topic bound as JSON and as Sparkplug', () => {
      const sp: MqttBinding = { format: 'sparkplug', asset: 'a', broker: 'embedded', group: 'g', node: 'n', device: 'd', metrics: {} };
      expect(() => setup([sp, { ...explicit, broker: 'embedded', topic: 'spBv1.0/g/DDATA/n/d' }])).toThrow(/also a Sparkplug topic/);
      expect(() => setup([{ ...explicit, broker: 'embedded', topic: 'spBv1.0/g/NBIRTH/n' }, sp])).toThrow(/also bound as a JSON topic/);
    });
  });
});
