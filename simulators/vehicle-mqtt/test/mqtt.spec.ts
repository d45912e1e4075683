// The simulator against a real MQTT broker (aedes, in-process) and a real mqtt.js subscriber: JSON telemetry,
// Sparkplug B births/data/deaths, fault injection up to the trigger threshold, a dropped connection, a broker
// restart on the same port, and the clean stop.
import { MqttClient, connectAsync } from 'mqtt';
import { TriggerEngine, TriggerFired, statusRefs } from '@pss/triggers';
import { UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import { FaultSpec } from '../src/faults';
import { SimEvent, VehicleSimulator } from '../src/simulator';
import { decodePayload, encodePayload, toNumber } from '../src/sparkplug';
import { TelemetryMessage } from '../src/telemetry';
import { TestBroker, Tapped } from './broker';
import { carModel } from './model';

// waitFor() gives up after 8 s with a message naming what it waited for; the test timeout must be longer.
jest.setTimeout(20_000);

const model = carModel();
const refs = statusRefs(model);
const START = Date.UTC(2025, 0, 6, 8);
const RATE = 10;
const TIME_SCALE = 3600; // one wall-clock second is one simulated hour: 6 simulated minutes per sample
const STEP_MS = (TIME_SCALE / RATE) * 1000;
const FAULT: FaultSpec = { vehicle: 'car-0002', fault: 'brake-wear', onset: 0 };
const JSON_VEHICLES = ['car-0001', 'car-0002', 'car-0004'];
const SPARKPLUG_VEHICLES = ['car-0003', 'car-0005'];

interface Received {
  topic: string;
  payload: Buffer;
  at: number;
}

let broker: TestBroker;
let sub: MqttClient;
let sim: VehicleSimulator;
const received: Received[] = [];
const events: SimEvent[] = [];

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const telemetry = (from: readonly Received[], vehicle: string): TelemetryMessage[] =>
  from.filter((m) => m.topic === `vehicles/${vehicle}/telemetry`).map((m) => JSON.parse(m.payload.toString()) as TelemetryMessage);

interface Sp {
  type: string;
  node: string;
  device?: string;
  seq: number | null;
  bdSeq: number | null;
  payload: UPayload;
  at: number;
}

/** The Sparkplug messages of one edge node, decoded. */
function sparkplug(from: readonly (Received | Tapped)[], node: string): Sp[] {
  return from
    .filter((m) => m.topic.startsWith('spBv1.0/pss/') && m.topic.split('/')[3] === node)
    .map((m) => {
      const [, , type, , device] = m.topic.split('/');
      const payload = decodePayload(m.payload);
      const bd = (payload.metrics ?? []).find((x) => x.name === 'bdSeq');
      return {
        type,
        node,
        ...(device !== undefined ? { device } : {}),
        seq: payload.seq === undefined || payload.seq === null ? null : toNumber(payload.seq),
        bdSeq: bd ? toNumber(bd.value) : null,
        payload,
        at: m.at,
      };
    });
}

beforeAll(async () => {
  broker = await TestBroker.start();
  sub = await connectAsync(broker.url, { clientId: 'test-subscriber', reconnectPeriod: 100 });
  sub.on('message', (topic, payload) => received.push({ topic, payload: Buffer.from(payload), at: Date.now() }));
  await sub.subscribeAsync(['vehicles/#', 'spBv1.0/#'], { qos: 1 });
  sim = new VehicleSimulator({
    model,
    assets: 5,
    seed: 7,
    broker: broker.url,
    rate: RATE,
    timeScale: TIME_SCALE,
    sparkplugShare: 0.4,
    faults: [FAULT],
    start: START,
    reconnectMinMs: 50,
    reconnectMaxMs: 400,
    onEvent: (e) => events.push(e),
  });
  expect(sim.sparkplugVehicles).toEqual(SPARKPLUG_VEHICLES);
  sim.start();
});

afterAll(async () => {
  await sim?.stop();
  await sub?.endAsync(true);
  await broker?.stop();
});

describe('JSON telemetry', () => {
  it('arrives batched per vehicle with every status of the model, within range, on the simulated clock', async () => {
    await waitFor('3 samples of every JSON vehicle', () => JSON_VEHICLES.every((v) => telemetry(received, v).length >= 3));
    for (const vehicle of JSON_VEHICLES) {
      const samples = telemetry(received, vehicle);
      for (const s of samples) {
        expect(Object.keys(s).sort()).toEqual(['model', 'seq', 'time', 'values', 'vehicle']);
        expect([s.vehicle, s.model]).toEqual([vehicle, 'passenger-car']);
        expect(Object.keys(s.values)).toEqual(refs);
        expect(s.time).toBe(START + s.seq * STEP_MS);
        for (const part of model.parts) {
          for (const st of part.statuses) {
            const x = s.values[`${part.id}.${st.key}`];
            expect(typeof x).toBe('number');
            expect(x).toBeGreaterThanOrEqual(st.min ?? -Infinity);
            expect(x).toBeLessThanOrEqual(st.max ?? Infinity);
          }
        }
      }
      // seq is the simulation step: the first sample is the frame current when the vehicle connected (step 0 unless
      // connecting took longer than a sample period), then it grows (a gap is a step not published: a late timer).
      const seqs = samples.map((s) => s.seq);
      expect(seqs[0]).toBeLessThanOrEqual(5);
      seqs.slice(1).forEach((seq, i) => expect(seq).toBeGreaterThan(seqs[i]));
      const status = received.find((m) => m.topic === `vehicles/${vehicle}/status`);
      expect(status && JSON.parse(status.payload.toString())).toEqual({ vehicle, online: true, time: samples[0].time });
    }
    // Sparkplug vehicles publish no JSON and JSON vehicles no Sparkplug.
    expect(received.some((m) => SPARKPLUG_VEHICLES.some((v) => m.topic.startsWith(`vehicles/${v}/`)))).toBe(false);
    expect(JSON_VEHICLES.every((v) => sparkplug(received, v).length === 0)).toBe(true);
  });
});

describe('Sparkplug B', () => {
  it('births each edge node (NBIRTH seq 0 with bdSeq 0, DBIRTH seq 1 with <part>/<status> metrics) then sends DDATA with consecutive seq', async () => {
    await waitFor('4 DDATA per Sparkplug vehicle', () => SPARKPLUG_VEHICLES.every((v) => sparkplug(received, v).filter((m) => m.type === 'DDATA').length >= 4));
    for (const vehicle of SPARKPLUG_VEHICLES) {
      const msgs = sparkplug(received, vehicle);
      const [nbirth, dbirth, ...data] = msgs;
      expect([nbirth.type, nbirth.seq, nbirth.bdSeq]).toEqual(['NBIRTH', 0, 0]);
      expect(nbirth.payload.metrics!.find((m) => m.name === 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
      expect([dbirth.type, dbirth.device, dbirth.seq]).toEqual(['DBIRTH', 'vehicle', 1]);
      const names = dbirth.payload.metrics!.map((m) => m.name);
      expect(names).toEqual(model.parts.flatMap((p) => p.statuses.map((s) => `${p.id}/${s.key}`)));
      const types = new Map(dbirth.payload.metrics!.map((m) => [m.name, m.type]));
      expect(types.get('p.braking.pad-fl/pad_thickness')).toBe('Double');
      expect(types.get('p.electrical.bcm/fault_count')).toBe('UInt32');
      // The birth carries the frame current at connection time (step 0 unless connecting took longer than a period).
      let previous = toNumber(dbirth.payload.timestamp);
      expect((previous - START) % STEP_MS).toBe(0);
      expect(previous - START).toBeLessThanOrEqual(5 * STEP_MS);
      expect(toNumber(nbirth.payload.timestamp)).toBe(previous);
      data.slice(0, 4).forEach((m, i) => {
        expect([m.type, m.seq]).toEqual(['DDATA', 2 + i]);
        // On the simulated clock, one step apart (or more: a late timer publishes only the newest frame).
        const time = toNumber(m.payload.timestamp);
        expect((time - START) % STEP_MS).toBe(0);
        expect(time).toBeGreaterThan(previous);
        previous = time;
        const metrics = m.payload.metrics!;
        expect(metrics.length).toBeGreaterThan(0);
        expect(metrics.length).toBeLessThan(names.length); // report by exception: fault counts and the like do not change
        for (const metric of metrics) expect(types.get(metric.name!)).toBe(metric.type);
      });
    }
  });

  it('re-births on an NCMD Node Control/Rebirth request (same bdSeq, seq from 0)', async () => {
    const since = Date.now();
    const request = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
    await sub.publishAsync('spBv1.0/pss/NCMD/car-0003', request);
    const rebirth = await waitFor('the rebirth of car-0003', () => {
      const msgs = sparkplug(received, 'car-0003').filter((m) => m.at >= since);
      const i = msgs.findIndex((m) => m.type === 'NBIRTH');
      return i >= 0 && msgs.length >= i + 3 ? msgs.slice(i, i + 3) : undefined;
    });
    expect(rebirth.map((m) => [m.type, m.seq])).toEqual([
      ['NBIRTH', 0],
      ['DBIRTH', 1],
      ['DDATA', 2],
    ]);
    expect(rebirth[0].bdSeq).toBe(0);
  });
});

describe('fault injection', () => {
  it(`${FAULT.fault} on ${FAULT.vehicle} crosses its trigger threshold within its ramp, and the edge trigger engine fires ss.braking for that vehicle only`, async () => {
    // Ramp 2 h simulated = 20 samples = 2 s here.
    const crossed = await waitFor('pad-fl below 3 mm on car-0002', () => telemetry(received, 'car-0002').find((s) => s.values['p.braking.pad-fl.pad_thickness'] < 3));
    expect(crossed.time - START).toBeLessThanOrEqual(2 * 3600 * 1000);
    const engine = new TriggerEngine(model);
    const fired: TriggerFired[] = [];
    for (const vehicle of JSON_VEHICLES) {
      for (const s of telemetry(received, vehicle)) {
        for (const [ref, value] of Object.entries(s.values)) {
          const dot = ref.lastIndexOf('.');
          fired.push(...engine.ingest({ asset: s.vehicle, part: ref.slice(0, dot), status: ref.slice(dot + 1), time: s.time, value }).fired);
        }
      }
    }
    expect(fired.map((e) => `${e.asset} ${e.trigger}`)).toEqual(['car-0002 ss.braking']);
    expect(fired[0].values['p.braking.pad-fl.pad_thickness']).toBeLessThan(3);
  });
});

describe('connection loss', () => {
  it('a dropped Sparkplug connection: the broker publishes the NDEATH will (bdSeq 0), the node reconnects with backoff and re-births with bdSeq 1', async () => {
    const since = Date.now();
    broker.client('pss-sim-car-0005')!.close(); // no DISCONNECT: the broker sends the will
    const msgs = await waitFor('NDEATH then a new birth of car-0005', () => {
      const m = sparkplug(received, 'car-0005').filter((x) => x.at >= since);
      const death = m.findIndex((x) => x.type === 'NDEATH');
      return death >= 0 && m.length >= death + 3 ? m.slice(death, death + 3) : undefined;
    });
    expect(msgs.map((m) => [m.type, m.seq, m.bdSeq])).toEqual([
      ['NDEATH', null, 0],
      ['NBIRTH', 0, 1],
      ['DBIRTH', 1, null],
    ]);
    expect(events).toContainEqual({ type: 'connected', vehicle: 'car-0005', sparkplug: true, reconnect: true, bdSeq: 1 });
  });

  it('the broker stops and restarts on the same port: every vehicle reconnects, Sparkplug nodes re-birth with the next bdSeq, telemetry resumes', async () => {
    const port = broker.port;
    const bdSeqBefore = new Map(SPARKPLUG_VEHICLES.map((v) => [v, lastBdSeq(v)]));
    await broker.stop();
    await waitFor('every vehicle offline', () => sim.stats().online === 0);
    const offlineSince = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 600)); // a few failed reconnect attempts (backoff 50..400 ms)
    const reconnectsBefore = sim.stats().reconnects;
    broker = await TestBroker.start(port);
    await waitFor('every vehicle back online', () => sim.stats().online === 5);
    expect(sim.stats().reconnects).toBe(reconnectsBefore + 5);
    // The new broker's tap sees each node's first messages after the restart.
    for (const vehicle of SPARKPLUG_VEHICLES) {
      const msgs = await waitFor(`the re-birth of ${vehicle}`, () => {
        const m = sparkplug(broker.tapped, vehicle);
        return m.length >= 3 ? m.slice(0, 3) : undefined;
      });
      expect(msgs.map((m) => [m.type, m.seq])).toEqual([
        ['NBIRTH', 0],
        ['DBIRTH', 1],
        ['DDATA', 2],
      ]);
      expect(msgs[0].bdSeq).toBe((bdSeqBefore.get(vehicle)! + 1) % 256);
      expect(msgs[1].payload.metrics!.length).toBe(refs.length);
    }
    for (const vehicle of JSON_VEHICLES) {
      const first = await waitFor(`telemetry of ${vehicle} after the restart`, () => broker.tapped.find((m) => m.topic === `vehicles/${vehicle}/telemetry`));
      const sample = JSON.parse(first.payload.toString()) as TelemetryMessage;
      expect(sample.time).toBeGreaterThan(START);
      expect(broker.tapped.some((m) => m.topic === `vehicles/${vehicle}/status` && JSON.parse(m.payload.toString()).online === true)).toBe(true);
    }
    // The test's own subscriber (mqtt.js default reconnect) is back too and receives telemetry again.
    await waitFor('the subscriber to receive telemetry again', () => received.some((m) => m.at > offlineSince && m.topic.endsWith('/telemetry')));
  });
});

describe('stop', () => {
  it('publishes DDEATH and NDEATH (current bdSeq) for Sparkplug nodes, offline status for JSON vehicles, and disconnects cleanly', async () => {
    const since = Date.now();
    const bdSeqs = new Map(SPARKPLUG_VEHICLES.map((v) => [v, lastBdSeq(v)]));
    await sim.stop();
    for (const vehicle of SPARKPLUG_VEHICLES) {
      const msgs = await waitFor(`the death of ${vehicle}`, () => {
        const m = sparkplug(received, vehicle).filter((x) => x.at >= since && (x.type === 'DDEATH' || x.type === 'NDEATH'));
        return m.length >= 2 ? m : undefined;
      });
      expect(msgs.map((m) => m.type)).toEqual(['DDEATH', 'NDEATH']);
      expect(msgs[1].bdSeq).toBe(bdSeqs.get(vehicle));
    }
    for (const vehicle of JSON_VEHICLES) {
      await waitFor(`offline status of ${vehicle}`, () =>
        received.some((m) => m.at >= since && m.topic === `vehicles/${vehicle}/status` && JSON.parse(m.payload.toString()).online === false),
      );
    }
    await waitFor('only the subscriber left on the broker', () => broker.aedes.connectedClients === 1);
    expect(sim.stats().online).toBe(0);
  });
});

/** The bdSeq of the newest NBIRTH of a node, from whatever saw it (subscriber or the current broker's tap). */
function lastBdSeq(vehicle: string): number {
  const births = [...sparkplug(received, vehicle), ...sparkplug(broker.tapped, vehicle)].filter((m) => m.type === 'NBIRTH').sort((a, b) => a.at - b.at);
  return births[births.length - 1].bdSeq!;
}
