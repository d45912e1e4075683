import { MemoryTelemetryStore } from './memory-telemetry-store';
import { SeriesRing } from './series-ring';
import { TelemetryPoint } from './telemetry-store';

function point(time: number, value: number, overrides: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return { tenant: 'acme', gateway: 'gw-1', asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', time, value, ...overrides };
}

function contents(ring: SeriesRing): [number, number][] {
  return Array.from({ length: ring.size }, (_, i) => [ring.timeAt(i), ring.valueAt(i)]);
}

describe('SeriesRing', () => {
  it('keeps points in time order, replaces a repeated time, and past its capacity drops the oldest (or a point older than all)', () => {
    const ring = new SeriesRing(4);
    expect(ring.insert(10, 1)).toBe('added');
    expect(ring.insert(30, 3)).toBe('added');
    expect(ring.insert(20, 2)).toBe('added'); // late: goes between
    expect(ring.insert(30, 33)).toBe('replaced');
    expect(contents(ring)).toEqual([
      [10, 1],
      [20, 2],
      [30, 33],
    ]);
    expect(ring.insert(40, 4)).toBe('added');
    expect(ring.insert(50, 5)).toBe('shifted'); // full: 10 goes
    expect(ring.insert(35, 3.5)).toBe('shifted'); // full: 20 goes, 35 goes between 30 and 40
    expect(ring.insert(5, 0.5)).toBe('rejected'); // older than everything in a full ring
    expect(contents(ring)).toEqual([
      [30, 33],
      [35, 3.5],
      [40, 4],
      [50, 5],
    ]);
    expect(ring.latest()).toEqual({ time: 50, value: 5 });
    expect(ring.lowerBound(36)).toBe(2);
  });

  it('grows past its initial room and wraps around without losing order', () => {
    const ring = new SeriesRing(100);
    for (let t = 0; t < 250; t++) ring.insert(t, t * 2);
    expect(ring.size).toBe(100);
    expect(contents(ring)[0]).toEqual([150, 300]);
    expect(contents(ring)[99]).toEqual([249, 498]);
    expect(contents(ring).every(([t], i, all) => i === 0 || t > all[i - 1][0])).toBe(true);
    expect(() => new SeriesRing(0)).toThrow('SeriesRing capacity must be an integer >= 1, got 0');
  });
});

describe('MemoryTelemetryStore', () => {
  it('keeps the last N points per status', async () => {
    const store = new MemoryTelemetryStore({ pointsPerStatus: 3 });
    await store.write([1, 2, 3, 4, 5].map((t) => point(t * 1000, t)));
    const result = await store.series({ tenant: 'acme', asset: 'car-0017', from: 0, to: 10_000 });
    expect(result).toEqual({
      resolution: 'raw',
      truncated: false,
      series: {
        'p.axle.vibration_rms': [
          { time: 3000, value: 3 },
          { time: 4000, value: 4 },
          { time: 5000, value: 5 },
        ],
      },
    });
    expect(store.stats()).toEqual({ pointsWritten: 5, pointsDropped: 2, pendingPoints: 0, writeErrors: 0 });
  });

  it('over the global budget drops the oldest points of all series first, and forgets emptied series', async () => {
    const store = new MemoryTelemetryStore({ pointsPerStatus: 100, pointBudget: 5 });
    await store.write([
      point(1000, 1, { status: 'a' }),
      point(2000, 2, { status: 'b' }),
      point(3000, 3, { status: 'a' }),
      point(4000, 4, { asset: 'car-0018', status: 'a' }),
      point(5000, 5, { tenant: 'other', status: 'a' }),
    ]);
    expect(store.size).toBe(5);
    // One over: the point at 1000 (series a) goes. Then a late point at 1500 (series b, which holds 2000).
    await store.write([point(6000, 6, { status: 'b' })]);
    await store.write([point(1500, 1.5, { status: 'b' })]);
    // The late point was itself the oldest of all: it went at once.
    expect(store.size).toBe(5);
    const series = await store.series({ tenant: 'acme', asset: 'car-0017', from: 0, to: 10_000 });
    expect(series.series).toEqual({
      'p.axle.a': [{ time: 3000, value: 3 }],
      'p.axle.b': [
        { time: 2000, value: 2 },
        { time: 6000, value: 6 },
      ],
    });
    // Two more: 2000 (b) and then 3000 (a, whose series empties and is forgotten).
    await store.write([point(7000, 7, { status: 'c' }), point(8000, 8, { status: 'c' })]);
    expect(store.size).toBe(5);
    expect(Object.keys(await store.latest('acme', 'car-0017'))).toEqual(['p.axle.b', 'p.axle.c']);
    expect(await store.latest('acme', 'car-0018')).toEqual({ 'p.axle.a': { time: 4000, value: 4 } });
    expect(await store.latest('other', 'car-0017')).toEqual({ 'p.axle.a': { time: 5000, value: 5 } });
    expect(store.stats().pointsDropped).toBe(4);
    expect(store.health()).toEqual({ kind: 'memory', ok: true, detail: 'in memory: 5 points in 4 series (last 100 per status, 5 in all); lost on restart' });
  });

  it('holds the budget under many series written in random order', async () => {
    const store = new MemoryTelemetryStore({ pointsPerStatus: 50, pointBudget: 1000 });
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 5000; i++) {
      await store.write([point(Math.floor(random() * 1_000_000), i, { status: `s${Math.floor(random() * 40)}` })]);
      expect(store.size).toBeLessThanOrEqual(1000);
    }
    // Every series is in time order and within its own bound.
    const result = await store.series({ tenant: 'acme', asset: 'car-0017', from: 0, to: 1_000_001 });
    let total = 0;
    for (const points of Object.values(result.series)) {
      expect(points.length).toBeLessThanOrEqual(50);
      expect(points.every((p, i) => i === 0 || p.time > points[i - 1].time)).toBe(true);
      total += points.length;
    }
    expect(total).toBe(store.size);
  });

  it('answers a range with the stored points, or mean/min/max per epoch-aligned step, and cuts long answers to the newest', async () => {
    const store = new MemoryTelemetryStore({ queryLimit: 3 });
    await store.write([
      point(60_000, 1),
      point(80_000, 2),
      point(100_000, 6),
      point(120_000, 10),
      point(130_000, 20),
      point(250_000, 7),
      point(100_000, 5, { status: 'temperature' }),
    ]);
    const stepped = await store.series({ tenant: 'acme', asset: 'car-0017', statuses: [{ part: 'p.axle', status: 'vibration_rms' }], from: 70_000, to: 260_000, stepMs: 60_000 });
    expect(stepped).toEqual({
      resolution: 'raw',
      stepMs: 60_000,
      truncated: false,
      series: {
        'p.axle.vibration_rms': [
          { time: 60_000, value: 4, min: 2, max: 6 },
          { time: 120_000, value: 15, min: 10, max: 20 },
          { time: 240_000, value: 7, min: 7, max: 7 },
        ],
      },
    });
    const raw = await store.series({ tenant: 'acme', asset: 'car-0017', from: 0, to: 1_000_000 });
    expect(raw.truncated).toBe(true);
    expect(raw.series['p.axle.vibration_rms'].map((p) => p.time)).toEqual([120_000, 130_000, 250_000]);
    expect(raw.series['p.axle.temperature']).toEqual([{ time: 100_000, value: 5 }]);
    // A named status without points answers an empty list; another tenant sees nothing.
    const empty = await store.series({ tenant: 'acme', asset: 'car-0017', statuses: [{ part: 'p.door', status: 'cycles' }], from: 0, to: 1_000_000 });
    expect(empty.series).toEqual({ 'p.door.cycles': [] });
    expect((await store.series({ tenant: 'other', asset: 'car-0017', from: 0, to: 1_000_000 })).series).toEqual({});
  });
});
