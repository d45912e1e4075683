// The benchmark harness's parts, against real brokers (Mosquitto) and a real Node-RED: the raw publisher's packets,
// the sample schedule, the statistics and the report, /proc accounting, the gateway's generated files, and the
// Node-RED flow end to end (one crossing in, one event out). No timing assertions: the numbers are the benchmark's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttClient, connectAsync } from 'mqtt';
import { RunningMosquitto, startMosquitto } from '@pss/test-servers';
import { EventCollector, matchKey } from './collector';
import { benchModel, gatewayConfig, prometheusCounter } from './gateway-system';
import { DISCONNECT_PACKET, connectPublisher, encodeTopic, publishPacket, remainingLengthBytes } from './mqtt-wire';
import { createNodeRedSystem, nodeRedFlow } from './node-red-system';
import { cpuSeconds, processTree, rssBytes } from './proc-stats';
import { RunResult, aggregate, markdownTable, maxSustainedRate, summaryLines, sustainedReasons } from './report';
import { SampleSchedule, belowThreshold } from './sample-schedule';
import { matchEvents, median, percentile, summarizeEvents } from './stats';
import { VIBRATION, assetIds, vehiclePayload, vehicleTopic } from './system';

jest.setTimeout(90_000);

describe('mqtt-wire', () => {
  it('encodes remaining lengths as MQTT does', () => {
    expect(remainingLengthBytes(0)).toEqual([0]);
    expect(remainingLengthBytes(127)).toEqual([127]);
    expect(remainingLengthBytes(128)).toEqual([0x80, 0x01]);
    expect(remainingLengthBytes(16_383)).toEqual([0xff, 0x7f]);
    expect(remainingLengthBytes(16_384)).toEqual([0x80, 0x80, 0x01]);
    expect(() => remainingLengthBytes(-1)).toThrow(RangeError);
  });

  it('publishes QoS 0 packets, many per write, that a real broker delivers intact', async () => {
    const broker = await startMosquitto({ persistence: false });
    let subscriber: MqttClient | null = null;
    try {
      subscriber = await connectAsync(broker.url, { clientId: 'wire-sub', reconnectPeriod: 0 });
      const received: { topic: string; payload: string }[] = [];
      subscriber.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
      await subscriber.subscribeAsync('vehicles/+/telemetry', { qos: 0 });

      const socket = await connectPublisher('127.0.0.1', broker.port, 'wire-pub');
      // A short payload (1-byte length) and a long one (2-byte length), written in one chunk.
      const long = 'x'.repeat(300);
      socket.write(
        Buffer.concat([
          publishPacket(encodeTopic(vehicleTopic('car-0001')), vehiclePayload('car-0001', 7, 1_700_000_000_000, 3.25)),
          publishPacket(encodeTopic(vehicleTopic('car-0002')), Buffer.from(long)),
        ]),
      );
      await new Promise<void>((resolve) => socket.end(DISCONNECT_PACKET, () => resolve()));
      const deadline = Date.now() + 10_000;
      while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

      expect(received).toEqual([
        { topic: 'vehicles/car-0001/telemetry', payload: `{"vehicle":"car-0001","time":1700000000000,"seq":7,"values":{"${VIBRATION}":3.25}}` },
        { topic: 'vehicles/car-0002/telemetry', payload: long },
      ]);
      expect(JSON.parse(received[0].payload)).toEqual({ vehicle: 'car-0001', time: 1_700_000_000_000, seq: 7, values: { [VIBRATION]: 3.25 } });
    } finally {
      await subscriber?.endAsync();
      await broker.dispose();
    }
  });

  it('fails with an error when no broker listens', async () => {
    const broker = await startMosquitto({ persistence: false });
    await broker.stop();
    await expect(connectPublisher('127.0.0.1', broker.port, 'nobody', 2000)).rejects.toThrow();
    await broker.dispose();
  });
});

describe('SampleSchedule', () => {
  it('sends round-robin at the rate and makes each asset cross once per period, on a rising edge', () => {
    const assets = assetIds(10);
    const start = 1_000_000;
    const schedule = new SampleSchedule({ assets, rate: 1000, crossEveryMs: 1000, threshold: 7, start });
    const crossings: { asset: string; time: number }[] = [];
    const seqs = new Map<string, number[]>();
    const lastWasAbove = new Map<string, boolean>();
    for (let now = start; now < start + 3000; now++) {
      const count = schedule.due(now, 50);
      for (let i = 0; i < count; i++) {
        const sample = schedule.next(now);
        seqs.set(sample.asset, [...(seqs.get(sample.asset) ?? []), sample.seq]);
        if (sample.crossing) {
          expect(sample.value).toBeGreaterThan(7);
          expect(lastWasAbove.get(sample.asset)).not.toBe(true);
          crossings.push({ asset: sample.asset, time: now });
        } else {
          expect(sample.value).toBeLessThan(7);
        }
        lastWasAbove.set(sample.asset, sample.crossing);
      }
    }
    expect(schedule.sent).toBe(2999);
    for (const asset of assets) {
      expect(crossings.filter((c) => c.asset === asset)).toHaveLength(3);
      const own = seqs.get(asset)!;
      expect(own).toEqual(own.map((_, i) => i));
    }
    // Staggered: the assets' first crossings are spread over the first period.
    const firsts = assets.map((a) => crossings.find((c) => c.asset === a)!.time - start);
    expect(new Set(firsts).size).toBe(10);
    expect(Math.max(...firsts)).toBeLessThan(1000);
  });

  it('caps a burst after a stall and keeps one crossing per asset and period', () => {
    const schedule = new SampleSchedule({ assets: ['a'], rate: 1000, crossEveryMs: 1000, threshold: 7, start: 0 });
    expect(schedule.due(5000, 50)).toBe(50);
    const samples = Array.from({ length: 50 }, () => schedule.next(5000));
    expect(samples.filter((s) => s.crossing)).toHaveLength(1);
    // The next crossing moved a whole period on from the late one instead of bunching up behind it.
    expect(schedule.next(5999).crossing).toBe(false);
    expect(schedule.next(6000).crossing).toBe(true);
  });

  it('refuses options it cannot honour', () => {
    expect(() => new SampleSchedule({ assets: [], rate: 1, crossEveryMs: 1000, threshold: 7, start: 0 })).toThrow(RangeError);
    expect(() => new SampleSchedule({ assets: ['a'], rate: 0, crossEveryMs: 1000, threshold: 7, start: 0 })).toThrow(RangeError);
    expect(() => new SampleSchedule({ assets: ['a'], rate: 1, crossEveryMs: 10, threshold: 7, start: 0 })).toThrow(RangeError);
  });

  it('keeps values below the threshold away from it', () => {
    for (let seq = 0; seq < 2000; seq++) {
      const value = belowThreshold(7, seq % 13, seq);
      expect(value).toBeGreaterThanOrEqual(2);
      expect(value).toBeLessThanOrEqual(6);
    }
  });
});

describe('stats and report', () => {
  it('computes nearest-rank percentiles and medians', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, NaN, 3])).toBe(2.5);
    expect(median([NaN])).toBeNaN();
  });

  it('ties events to crossings by asset and nearest time, and reports the window and the lag at its end', () => {
    const crossings = [
      { asset: 'a', time: 900 }, // warm-up: matched, not counted
      { asset: 'a', time: 1000 },
      { asset: 'b', time: 1500 },
      { asset: 'c', time: 1900 }, // in the tail, never arrives
      { asset: 'd', time: 2000 }, // after the window: not counted
    ];
    const events = [
      { asset: 'a', time: 900, arrivedAt: 905 },
      { asset: 'a', time: 1000, arrivedAt: 1004 },
      { asset: 'b', time: 1498, arrivedAt: 1520 }, // stamped 2 ms before its sample
      { asset: 'c', time: 2500, arrivedAt: 2501 }, // too far from c's crossing: someone else's
      { asset: 'e', time: 1200, arrivedAt: 1201 }, // no crossing of e
    ];
    const matched = matchEvents(crossings, events, 50);
    expect([...matched.byCrossing.entries()]).toEqual([
      [matchKey({ asset: 'a', time: 900 }), { arrivedAt: 905, timeShiftMs: 0 }],
      [matchKey({ asset: 'a', time: 1000 }), { arrivedAt: 1004, timeShiftMs: 0 }],
      [matchKey({ asset: 'b', time: 1500 }), { arrivedAt: 1520, timeShiftMs: -2 }],
    ]);
    expect(matched.unmatched.map((e) => e.asset)).toEqual(['c', 'e']);
    const summary = summarizeEvents(crossings, matched.byCrossing, { start: 1000, end: 2000 }, 200);
    // The missing event counts as an infinite latency.
    expect(summary).toEqual({ expected: 3, received: 2, lost: 1, p50: 20, p95: Infinity, p99: Infinity, max: Infinity, finalLagMs: Infinity, shifted: 1, maxShiftMs: 2 });
    const none = summarizeEvents([], matched.byCrossing, { start: 1000, end: 2000 }, 200);
    expect(none).toMatchObject({ expected: 0, received: 0, p50: NaN, max: NaN, finalLagMs: NaN });
    const onTime = summarizeEvents(crossings.slice(0, 3), matched.byCrossing, { start: 1000, end: 2000 }, 600);
    expect(onTime.finalLagMs).toBe(20);
  });

  it('gives a crossing its nearest event, and each event to one crossing only', () => {
    const crossings = [
      { asset: 'a', time: 1000 },
      { asset: 'a', time: 2000 },
    ];
    const events = [
      { asset: 'a', time: 1030, arrivedAt: 1100 },
      { asset: 'a', time: 1010, arrivedAt: 1200 },
    ];
    const matched = matchEvents(crossings, events, 500);
    expect([...matched.byCrossing.entries()]).toEqual([[matchKey({ asset: 'a', time: 1000 }), { arrivedAt: 1200, timeShiftMs: 10 }]]);
    expect(matched.unmatched).toEqual([events[0]]);
    // Two crossings close together (the readiness probe retries): each keeps its exact event.
    const retries = matchEvents(
      [
        { asset: 'a', time: 1000 },
        { asset: 'a', time: 2000 },
      ],
      [{ asset: 'a', time: 2000, arrivedAt: 2005 }],
      2500,
    );
    expect([...retries.byCrossing.keys()]).toEqual([matchKey({ asset: 'a', time: 2000 })]);
  });

  it('says why a run was not sustained, takes medians over repeats and prints the table and the ratio', () => {
    const base: RunResult = {
      system: 'node-red',
      targetRate: 10_000,
      achievedRate: 10_000,
      processedRate: null,
      drainMs: null,
      expected: 100,
      received: 100,
      lost: 0,
      duplicates: 0,
      p50: 2,
      p95: 5,
      p99: 8,
      max: 12,
      finalLagMs: 6,
      shifted: 0,
      maxShiftMs: 0,
      systemCpuPercent: 30,
      systemRssMb: 180,
      inputBrokerCpuPercent: 10,
      outputBrokerCpuPercent: 1,
      generatorCpuPercent: 10,
      load1: 0.5,
    };
    expect(sustainedReasons(base)).toEqual([]);
    const slow = { ...base, targetRate: 50_000, achievedRate: 49_990, received: 90, lost: 10, finalLagMs: Infinity };
    expect(sustainedReasons(slow)).toEqual(['10 events missing', 'final lag ∞ ms']);
    expect(sustainedReasons({ ...base, achievedRate: 9000 })).toEqual(['generator reached 9000/s']);
    expect(sustainedReasons({ ...base, system: 'gateway', processedRate: 10_000, drainMs: 4000 })).toEqual(['drain 4000 ms']);

    const gateway = { ...base, system: 'gateway', processedRate: 50_000, drainMs: 10 };
    const rows = aggregate([
      base,
      { ...base, p99: 10 },
      { ...base, p99: 30 },
      slow,
      { ...gateway, targetRate: 10_000 },
      { ...gateway, targetRate: 50_000, achievedRate: 50_000 },
    ]);
    expect(rows.map((r) => [r.system, r.targetRate, r.sustained])).toEqual([
      ['node-red', 10_000, true],
      ['node-red', 50_000, false],
      ['gateway', 10_000, true],
      ['gateway', 50_000, true],
    ]);
    expect(rows[0].median.p99).toBe(10);
    expect(rows[0].runs).toBe(3);
    expect(maxSustainedRate(rows, 'node-red')).toBe(10_000);
    expect(maxSustainedRate(rows, 'gateway')).toBe(50_000);
    const table = markdownTable(rows);
    expect(table.split('\n')).toHaveLength(6);
    expect(table).toContain('| node-red | 50,000 | 49,990 | n/a | 100 / 90 |');
    const summary = summaryLines(rows, { rate: 50_000, p99Ms: 50 });
    expect(summary).toContain('- gateway/node-red ratio (max sustained rate): 5.00');
    expect(summary[0]).toContain('node-red: max sustained rate 10,000 samples/s; target (≥ 50,000 samples/s with p99 < 50 ms) not met');
    expect(summary[1]).toContain('gateway: max sustained rate 50,000 samples/s; target (≥ 50,000 samples/s with p99 < 50 ms) met');
  });

  it('reads a Prometheus counter over its labelled series', () => {
    const text = [
      '# HELP pss_gateway_samples_total Samples received',
      '# TYPE pss_gateway_samples_total counter',
      'pss_gateway_samples_total{result="accepted"} 1200',
      'pss_gateway_samples_total{result="rejected"} 3',
      'pss_gateway_samples_total_created 1.7e9',
      'other_metric 5',
    ].join('\n');
    expect(prometheusCounter(text, 'pss_gateway_samples_total')).toBe(1203);
    expect(prometheusCounter('pss_gateway_samples_total 42\n', 'pss_gateway_samples_total')).toBe(42);
    expect(prometheusCounter('other 1\n', 'pss_gateway_samples_total')).toBeNull();
  });
});

describe('proc-stats', () => {
  it('reads CPU time, the process tree and RSS from /proc', () => {
    const tree = processTree(process.pid);
    expect(tree[0]).toBe(process.pid);
    expect(cpuSeconds([process.pid])).toBeGreaterThan(0);
    expect(rssBytes([process.pid])).toBeGreaterThan(1024 * 1024);
    expect(cpuSeconds([2 ** 22 + 1])).toBe(0); // no such process
  });
});

describe('gateway system files', () => {
  it('builds a valid model and one MQTT binding per asset', () => {
    const model = benchModel(7);
    expect(model.triggers.map((t) => t.condition)).toEqual([`${VIBRATION} > 7`]);
    const config = gatewayConfig(
      { inputUrl: 'mqtt://127.0.0.1:1', outputUrl: 'mqtt://127.0.0.1:2', assets: assetIds(3), threshold: 7, workDir: '/tmp/x' },
      { modelFile: '/tmp/x/model.json', dataDir: '/tmp/x/data' },
      9000,
    );
    expect(config.assets).toEqual(
      assetIds(3).map((id) => ({ id, mqtt: [{ broker: 'input', topic: 'vehicles/{asset}/telemetry', time: '$.time', values: { [VIBRATION]: `$.values['${VIBRATION}']` } }] })),
    );
    expect(config.brokers).toEqual([{ name: 'input', url: 'mqtt://127.0.0.1:1', clientId: 'gw-bench-input', protocolVersion: 4 }]);
  });
});

describe('Node-RED system', () => {
  it('writes a flow with the two brokers and the threshold', () => {
    const flow = nodeRedFlow({ inputUrl: 'mqtt://127.0.0.1:1884', outputUrl: 'mqtt://127.0.0.1:1885', threshold: 7.5 });
    const byId = new Map(flow.map((n) => [n.id, n]));
    expect(byId.get('bench.broker.in')).toMatchObject({ type: 'mqtt-broker', broker: '127.0.0.1', port: '1884' });
    expect(byId.get('bench.broker.out')).toMatchObject({ type: 'mqtt-broker', broker: '127.0.0.1', port: '1885' });
    expect(byId.get('bench.switch')).toMatchObject({ rules: [{ t: 'gt', v: '7.5', vt: 'num' }] });
    expect(() => nodeRedFlow({ inputUrl: 'ws://x', outputUrl: 'mqtt://y', threshold: 1 })).toThrow(/mqtt:\/\//);
  });

  it('turns the crossing sample, and only it, into one event (real Node-RED, real brokers)', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'pss-edge-bench-spec-'));
    const brokers: RunningMosquitto[] = [];
    const system = createNodeRedSystem();
    let collector: EventCollector | null = null;
    let publisher: MqttClient | null = null;
    try {
      const input = await startMosquitto({ persistence: false });
      brokers.push(input);
      const output = await startMosquitto({ persistence: false });
      brokers.push(output);
      collector = await EventCollector.start(output.url, system.outputFilter, (t, p) => system.parseOutput(t, p));
      await system.start({ inputUrl: input.url, outputUrl: output.url, assets: assetIds(2), threshold: 7, workDir });
      expect(system.pid()).toEqual(expect.any(Number));
      expect(await system.processed()).toBeNull();

      publisher = await connectAsync(input.url, { clientId: 'spec-pub', reconnectPeriod: 0 });
      // Node-RED subscribes once its broker connection is up, after start() resolved: send the crossing until it answers.
      const base = Date.now();
      let crossingTime = 0;
      for (let attempt = 0; attempt < 30 && crossingTime === 0; attempt++) {
        const time = base + attempt;
        await publisher.publishAsync(system.inputTopic('car-0001'), system.payload('car-0001', attempt, time, 9), { qos: 0 });
        if (await collector.waitFor({ asset: 'car-0001', time }, 1000)) crossingTime = time;
      }
      expect(crossingTime).toBeGreaterThan(0);
      // Below the threshold and exactly at it: no event.
      await publisher.publishAsync(system.inputTopic('car-0002'), system.payload('car-0002', 0, base + 100, 3), { qos: 0 });
      await publisher.publishAsync(system.inputTopic('car-0002'), system.payload('car-0002', 1, base + 101, 7), { qos: 0 });
      await publisher.publishAsync(system.inputTopic('car-0002'), system.payload('car-0002', 2, base + 102, 7.01), { qos: 0 });
      expect(await collector.waitFor({ asset: 'car-0002', time: base + 102 }, 10_000)).toBe(true);

      expect(collector.has({ asset: 'car-0002', time: base + 100 })).toBe(false);
      expect(collector.has({ asset: 'car-0002', time: base + 101 })).toBe(false);
      expect(collector.events.filter((e) => e.asset === 'car-0002')).toEqual([{ asset: 'car-0002', time: base + 102, arrivedAt: expect.any(Number) }]);
      expect(collector.unparsed).toBe(0);
      expect(collector.duplicates).toBe(0);
    } finally {
      await publisher?.endAsync();
      await system.stop();
      await collector?.stop();
      for (const broker of brokers) await broker.dispose();
      rmSync(workDir, { recursive: true, force: true });
    }
    expect(system.pid()).toBeUndefined();
  });
});
