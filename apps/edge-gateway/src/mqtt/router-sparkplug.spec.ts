// The router and Sparkplug B, with payloads encoded by sparkplug-payload as a device would: births and data, metric
// aliases, Int64/UInt64 values, timestamps, the sequence check and deaths.
import type { MqttSparkplugBinding } from '../config/types';
import { MqttRouter } from './router';
import { UMetric, UPayload, encodeSparkplugPayload } from './sparkplug';
import { ModelPart } from './status-catalog';
import { RecordingSink } from './test-support';

const PARTS: ModelPart[] = [
  { id: 'p.axle', statuses: [{ key: 'vibration_rms' }, { key: 'temperature' }] },
  { id: 'p.axle.bearing', statuses: [{ key: 'temperature' }] },
  { id: 'p.brake-front', statuses: [{ key: 'wear' }] },
];

const RECEIVED = Date.UTC(2025, 0, 6, 12);
const T0 = Date.UTC(2025, 0, 6, 8);

const binding: MqttSparkplugBinding = { format: 'sparkplug', asset: 'car-0005', broker: 'embedded', group: 'pss', node: 'car-0005', device: 'vehicle', metrics: {} };

const topic = (type: string, device = true): string => `spBv1.0/pss/${type}/car-0005${device ? '/vehicle' : ''}`;

function setup(bindings: MqttSparkplugBinding[] = [binding]): { router: MqttRouter; sink: RecordingSink; send: (type: string, payload: UPayload | Buffer) => number } {
  const router = new MqttRouter(bindings, PARTS);
  const sink = new RecordingSink();
  const send = (type: string, payload: UPayload | Buffer): number =>
    router.route('embedded', topic(type, type.startsWith('D')), Buffer.isBuffer(payload) ? payload : encodeSparkplugPayload(payload), RECEIVED, sink, 'mqtt:embedded');
  return { router, sink, send };
}

const nbirth = (bdSeq = 0): UPayload => ({ timestamp: T0, seq: 0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }, { name: 'Node Control/Rebirth', type: 'Boolean', value: false }] });

/** DBIRTH as the vehicle simulator sends it, with aliases as a bandwidth-minded device would add. */
const dbirth = (seq = 1): UPayload => ({
  timestamp: T0,
  seq,
  metrics: [
    { name: 'p.axle/vibration_rms', alias: 1, type: 'Double', value: 7.1, timestamp: T0 },
    { name: 'p.axle/temperature', alias: 2, type: 'Float', value: 60.5, timestamp: T0 },
    { name: 'p.axle.bearing/temperature', alias: 3, type: 'Int64', value: -5, timestamp: T0 },
    { name: 'p.brake-front/wear', alias: 4, type: 'UInt64', value: 3, timestamp: T0 },
    { name: 'Device Info/Firmware', alias: 5, type: 'String', value: '1.2.3', timestamp: T0 },
  ],
});

const values = (sink: RecordingSink): [string, number, number][] => sink.samples.map((s) => [`${s.part}.${s.status}`, s.value, s.time]);

describe('MqttRouter, Sparkplug B', () => {
  it('turns a DBIRTH into samples by metric name, Int64/UInt64 as numbers, unbound metrics ignored', () => {
    const { sink, send } = setup();
    send('NBIRTH', nbirth());
    expect(send('DBIRTH', dbirth())).toBe(4);
    expect(sink.rejects).toEqual([]);
    expect(values(sink)).toEqual([
      ['p.axle.vibration_rms', 7.1, T0],
      ['p.axle.temperature', 60.5, T0],
      ['p.axle.bearing.temperature', -5, T0],
      ['p.brake-front.wear', 3, T0],
    ]);
    expect(sink.samples.every((s) => s.asset === 'car-0005' && s.source === 'mqtt:embedded')).toBe(true);
  });

  it('reads DDATA by alias after the DBIRTH defined them; metric timestamp, else payload timestamp, else receipt', () => {
    const { sink, send } = setup();
    send('NBIRTH', nbirth());
    send('DBIRTH', dbirth());
    sink.clear();
    send('DDATA', { timestamp: T0 + 1000, seq: 2, metrics: [{ alias: 1, type: 'Double', value: 8.5, timestamp: T0 + 500 }, { alias: 4, type: 'UInt64', value: 4 }] });
    send('DDATA', { seq: 3, metrics: [{ name: 'p.axle/temperature', type: 'Float', value: 61 }] });
    expect(sink.rejects).toEqual([]);
    expect(values(sink)).toEqual([
      ['p.axle.vibration_rms', 8.5, T0 + 500],
      ['p.brake-front.wear', 4, T0 + 1000],
      ['p.axle.temperature', 61, RECEIVED],
    ]);
  });

  it('reports a seq gap once, still uses the values, and resynchronises', () => {
    const { sink, send } = setup();
    send('NBIRTH', nbirth());
    send('DBIRTH', dbirth());
    send('DDATA', { seq: 2, metrics: [{ alias: 1, type: 'Double', value: 1 }] });
    send('DDATA', { seq: 5, metrics: [{ alias: 1, type: 'Double', value: 2 }] });
    send('DDATA', { seq: 6, metrics: [{ alias: 1, type: 'Double', value: 3 }] });
    expect(sink.rejects).toEqual([{ cause: 'sparkplug-sequence', detail: `topic "${topic('DDATA')}": DDATA has seq 5, expected 3`, source: 'mqtt:embedded' }]);
    expect(sink.samples.slice(4).map((s) => s.value)).toEqual([1, 2, 3]);
  });

  it('wraps seq from 255 to 0', () => {
    const { sink, send } = setup();
    send('NBIRTH', nbirth());
    send('DBIRTH', dbirth());
    for (let seq = 2; seq <= 258; seq++) send('DDATA', { seq: seq % 256, metrics: [{ alias: 2, type: 'Float', value: seq }] });
    expect(sink.rejects).toEqual([]);
  });

  it('reports DDATA before any birth once, using the metrics that have names and dropping alias-only ones', () => {
    const { sink, send } = setup();
    send('DDATA', { seq: 17, metrics: [{ name: 'p.axle/temperature', type: 'Float', value: 50 }, { alias: 1, type: 'Double', value: 9 }] });
    send('DDATA', { seq: 18, metrics: [{ name: 'p.axle/temperature', type: 'Float', value: 51 }] });
    expect(sink.rejects).toEqual([
      { cause: 'sparkplug-sequence', detail: `topic "${topic('DDATA')}": DDATA arrived before the NBIRTH of edge node pss/car-0005; arrived before the DBIRTH of device vehicle`, source: 'mqtt:embedded' },
    ]);
    expect(values(sink)).toEqual([
      ['p.axle.temperature', 50, RECEIVED],
      ['p.axle.temperature', 51, RECEIVED],
    ]);
    // The births make everything regular again.
    sink.clear();
    send('NBIRTH', nbirth());
    send('DBIRTH', dbirth());
    send('DDATA', { seq: 2, metrics: [{ alias: 1, type: 'Double', value: 9 }] });
    expect(sink.rejects).toEqual([]);
    expect(sink.samples.at(-1)?.value).toBe(9);
  });

  it('ends the device with DDEATH and the node with its NDEATH, ignoring the late will of an older session', () => {
    const { sink, send } = setup();
    send('NBIRTH', nbirth(3));
    send('DBIRTH', dbirth());
    send('DDEATH', { seq: 2, metrics: [] });
    send('DDATA', { seq: 3, metrics: [{ alias: 1, type: 'Double', value: 1 }, { name: 'p.axle/temperature', type: 'Float', value: 2 }] });
    send('DDATA', { seq: 4, metrics: [{ name: 'p.axle/temperature', type: 'Float', value: 3 }] });
    expect(sink.rejects.map((r) => r.detail)).toEqual([`topic "${topic('DDATA')}": DDATA arrived before the DBIRTH of device vehicle`]);
    sink.clear();
    send('DBIRTH', dbirth(5));
    send('NDEATH', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 2 }] });
    send('DDATA', { seq: 6, metrics: [{ alias: 1, type: 'Double', value: 4 }] });
    expect(sink.rejects).toEqual([]);
    send('NDEATH', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 3 }] });
    send('DDATA', { seq: 7, metrics: [{ name: 'p.axle/temperature', type: 'Float', value: 5 }] });
    expect(sink.causes()).toEqual(['sparkplug-sequence']);
    expect(sink.rejects[0].detail).toContain('before the NBIRTH of edge node pss/car-0005');
  });

  it('checks NBIRTH and NDATA seqs too', () => {
    const { sink, send } = setup();
    send('NBIRTH', { ...nbirth(), seq: 4 });
    send('NDATA', { seq: 9, metrics: [] });
    expect(sink.rejects.map((r) => r.detail)).toEqual([`topic "${topic('NBIRTH', false)}": NBIRTH has seq 4, expected 0`, `topic "${topic('NDATA', false)}": NDATA has seq 9, expected 5`]);
  });

  it('maps metrics as bound, reports a bound metric missing from the DBIRTH, and an alias no DBIRTH defined', () => {
    const custom: MqttSparkplugBinding = { ...binding, metrics: { 'p.axle.temperature': 'Axle/Temp', 'p.brake-front.wear': 'Brake/Wear' } };
    const { sink, send } = setup([custom]);
    send('NBIRTH', nbirth());
    send('DBIRTH', { seq: 1, timestamp: T0, metrics: [{ name: 'Axle/Temp', alias: 7, type: 'Double', value: 70 }, { name: 'p.axle/temperature', type: 'Double', value: 1 }] });
    send('DDATA', { seq: 2, timestamp: T0, metrics: [{ alias: 7, type: 'Double', value: 71 }, { alias: 99, type: 'Double', value: 0 }] });
    expect(values(sink)).toEqual([
      ['p.axle.temperature', 70, T0],
      ['p.axle.temperature', 71, T0],
    ]);
    expect(sink.rejects).toEqual([
      { cause: 'missing-value', detail: `topic "${topic('DBIRTH')}": metric "Brake/Wear" (bound for asset car-0005) is missing from the DBIRTH`, source: 'mqtt:embedded' },
      { cause: 'unknown-status', detail: `topic "${topic('DDATA')}": metric alias 99 was not defined by the DBIRTH of device vehicle`, source: 'mqtt:embedded' },
    ]);
  });

  it('reads Boolean metrics as 1 or 0; reports values that are not numbers, null metrics and malformed payloads', () => {
    const { sink, send } = setup();
    send('NBIRTH', nbirth());
    send('DBIRTH', dbirth());
    sink.clear();
    const metrics: UMetric[] = [
      { name: 'p.axle/temperature', type: 'String', value: 'NaN' },
      { name: 'p.axle/vibration_rms', type: 'Boolean', value: true },
      { name: 'p.brake-front/wear', type: 'Double', value: null, isNull: true },
      { name: 'p.axle.bearing/temperature', type: 'Double', value: 33 },
    ];
    send('DDATA', { seq: 2, metrics });
    send('DDATA', Buffer.from('{"not": "protobuf"}'));
    send('NBIRTH', Buffer.from([0xff, 0xff, 0xff]));
    expect(values(sink)).toEqual([['p.axle.vibration_rms', 1, RECEIVED], ['p.axle.bearing.temperature', 33, RECEIVED]]);
    expect(sink.causes()).toEqual(['not-a-number', 'missing-value', 'malformed-payload', 'malformed-payload']);
    expect(sink.rejects[0].detail).toBe(`topic "${topic('DDATA')}": metric "p.axle/temperature" is "NaN" of type String, not a number`);
    expect(sink.rejects[1].detail).toBe(`topic "${topic('DDATA')}": metric "p.brake-front/wear" has no value (null)`);
    expect(sink.rejects[2].detail).toMatch(/^topic "spBv1\.0\/pss\/DDATA\/car-0005\/vehicle": not a Sparkplug B payload \(/);
  });

  it('keeps sequence state per broker and feeds every asset bound to a device', () => {
    const twin: MqttSparkplugBinding = { ...binding, asset: 'car-0005-twin' };
    const other: MqttSparkplugBinding = { ...binding, broker: 'plant' };
    const router = new MqttRouter([binding, twin, other], PARTS);
    const sink = new RecordingSink();
    router.route('embedded', topic('NBIRTH', false), encodeSparkplugPayload(nbirth()), RECEIVED, sink, 'e');
    router.route('embedded', topic('DBIRTH'), encodeSparkplugPayload(dbirth()), RECEIVED, sink, 'e');
    expect(sink.samples.filter((s) => s.asset === 'car-0005').length).toBe(4);
    expect(sink.samples.filter((s) => s.asset === 'car-0005-twin').length).toBe(4);
    expect(sink.rejects).toEqual([]);
    router.route('plant', topic('DDATA'), encodeSparkplugPayload({ seq: 2, metrics: [{ name: 'p.axle/temperature', type: 'Float', value: 1 }] }), RECEIVED, sink, 'p');
    expect(sink.rejects.map((r) => [r.cause, r.source])).toEqual([['sparkplug-sequence', 'p']]);
    expect(router.topics('plant')).toEqual([
      'spBv1.0/pss/NBIRTH/car-0005',
      'spBv1.0/pss/NDEATH/car-0005',
      'spBv1.0/pss/NDATA/car-0005',
      'spBv1.0/pss/DBIRTH/car-0005/vehicle',
      'spBv1.0/pss/DDATA/car-0005/vehicle',
      'spBv1.0/pss/DDEATH/car-0005/vehicle',
    ]);
  });

  it('ignores commands of host applications', () => {
    const { sink, send } = setup();
    expect(send('NCMD', Buffer.from('x'))).toBe(0);
    expect(send('DCMD', Buffer.from('x'))).toBe(0);
    expect(sink.rejects).toEqual([]);
  });
});
