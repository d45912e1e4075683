import { statusChannels } from '../src/fleet';
import { SparkplugNode, decodePayload, encodePayload, isRebirthRequest, isSparkplugVehicle, toNumber } from '../src/sparkplug';
import { carModel } from './model';

const channels = statusChannels(carModel());
const node = (): SparkplugNode => new SparkplugNode({ group: 'pss', node: 'car-0005', device: 'vehicle', model: 'passenger-car', channels });
const values = (x: number): Float64Array => Float64Array.from(channels, (_, i) => i + x);

describe('SparkplugNode', () => {
  it('births: NBIRTH seq 0 with bdSeq and rebirth metric, DBIRTH seq 1 with every metric, type and engineering range', () => {
    const n = node();
    const [nbirth, dbirth] = n.birth(values(0), 1000);
    expect(nbirth.topic).toBe('spBv1.0/pss/NBIRTH/car-0005');
    expect(dbirth.topic).toBe('spBv1.0/pss/DBIRTH/car-0005/vehicle');
    const nb = decodePayload(nbirth.payload);
    expect(toNumber(nb.seq)).toBe(0);
    expect(toNumber(nb.timestamp)).toBe(1000);
    expect(nb.metrics!.map((m) => [m.name, m.type])).toEqual([
      ['bdSeq', 'UInt64'],
      ['Node Control/Rebirth', 'Boolean'],
      ['Node Info/Model', 'String'],
    ]);
    expect(toNumber(nb.metrics![0].value)).toBe(0);
    const db = decodePayload(dbirth.payload);
    expect(toNumber(db.seq)).toBe(1);
    expect(db.metrics!.map((m) => m.name)).toEqual(channels.map((c) => `${c.part}/${c.key}`));
    const vib = db.metrics!.find((m) => m.name === 'p.running.axle-front/vibration_rms')!;
    expect(vib.type).toBe('Double');
    expect(vib.properties).toEqual({ engUnit: { type: 'String', value: 'mm/s' }, engLow: { type: 'Double', value: 0 }, engHigh: { type: 'Double', value: 50 } });
    const knocks = db.metrics!.find((m) => m.name === 'p.engine.knock-sensor/knock_count')!;
    expect([knocks.type, toNumber(knocks.value)]).toEqual(['UInt32', channels.findIndex((c) => c.key === 'knock_count')]);
  });

  it('DDATA carries only changed metrics; nothing changed, no message', () => {
    const n = node();
    n.birth(values(0), 1000);
    const changed = values(0);
    changed[3] = 99.5;
    changed[10] = 0.25;
    const msg = n.data(changed, 2000)!;
    expect(msg.topic).toBe('spBv1.0/pss/DDATA/car-0005/vehicle');
    const p = decodePayload(msg.payload);
    expect(toNumber(p.seq)).toBe(2);
    expect(p.metrics!.map((m) => [m.name, m.value, toNumber(m.timestamp)])).toEqual([
      [`${channels[3].part}/${channels[3].key}`, 99.5, 2000],
      [`${channels[10].part}/${channels[10].key}`, 0.25, 2000],
    ]);
    expect(n.data(changed, 3000)).toBeNull();
    expect(n.seq).toBe(3);
  });

  it('seq wraps from 255 to 0; a rebirth starts again at 0', () => {
    const n = node();
    n.birth(values(0), 0);
    const seqs: number[] = [];
    for (let k = 1; k <= 300; k++) seqs.push(toNumber(decodePayload(n.data(values(k), k)!.payload).seq));
    expect(seqs.slice(0, 3)).toEqual([2, 3, 4]);
    expect(seqs.slice(252, 256)).toEqual([254, 255, 0, 1]);
    const [nb, db] = n.birth(values(0), 400);
    expect([toNumber(decodePayload(nb.payload).seq), toNumber(decodePayload(db.payload).seq)]).toEqual([0, 1]);
  });

  it('bdSeq: NDEATH carries the bdSeq of the session; a lost session moves to the next one and needs a new birth', () => {
    const n = node();
    const death = decodePayload(n.death(5).payload);
    expect(death.seq).toBeFalsy();
    expect(death.metrics!.map((m) => [m.name, toNumber(m.value)])).toEqual([['bdSeq', 0]]);
    n.birth(values(0), 0);
    expect(n.born).toBe(true);
    n.sessionLost();
    expect(n.born).toBe(false);
    expect(() => n.data(values(1), 1)).toThrow('DDATA before DBIRTH');
    expect(toNumber(decodePayload(n.death(6).payload).metrics![0].value)).toBe(1);
    expect(toNumber(decodePayload(n.birth(values(0), 7)[0].payload).metrics![0].value)).toBe(1);
    for (let i = 0; i < 255; i++) n.sessionLost();
    expect(n.bdSeq).toBe(0);
  });

  it('reads rebirth requests', () => {
    expect(isRebirthRequest(decodePayload(encodePayload({ timestamp: 1, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] })))).toBe(true);
    expect(isRebirthRequest(decodePayload(encodePayload({ timestamp: 1, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }] })))).toBe(false);
    expect(isRebirthRequest({ timestamp: 1 })).toBe(false);
  });

  it('refuses ids with MQTT separators or wildcards', () => {
    expect(() => new SparkplugNode({ group: 'p/s', node: 'car-0001', device: 'vehicle', model: 'm', channels })).toThrow('group id');
  });
});

describe('isSparkplugVehicle', () => {
  const pick = (n: number, share: number): string[] => Array.from({ length: n }, (_, i) => i).filter((i) => isSparkplugVehicle(i, share)).map((i) => `car-${String(i + 1).padStart(4, '0')}`);
  it('spreads floor(N × share) vehicles evenly', () => {
    expect(pick(10, 0.2)).toEqual(['car-0005', 'car-0010']);
    expect(pick(200, 0.2).length).toBe(40);
    expect(pick(5, 0.4)).toEqual(['car-0003', 'car-0005']);
    expect(pick(7, 0)).toEqual([]);
    expect(pick(7, 1).length).toBe(7);
    expect(pick(10, 0.1)).toEqual(['car-0010']);
    expect(pick(10, 0.3)).toEqual(['car-0004', 'car-0007', 'car-0010']);
  });
});
