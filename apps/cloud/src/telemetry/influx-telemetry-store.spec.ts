import { RunningInfluxDb, freePort, startInfluxDb } from '@pss/test-servers';
import { InfluxDB } from 'influx';
import { CQ_NAME, DOWNSAMPLED_RP, RAW_RP, downsampleStatement, parseGoDuration, parseInfluxUrl, pickResolution } from './influx-schema';
import { InfluxTelemetryOptions, InfluxTelemetryStore } from './influx-telemetry-store';
import { TelemetryPoint, TelemetryStoreUnavailableError, bucketStart } from './telemetry-store';

jest.setTimeout(120_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function point(time: number, value: number, overrides: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return { tenant: 'acme', gateway: 'gw-1', asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', time, value, ...overrides };
}

/** SHOW CONTINUOUS QUERIES lists every database's, one series per database: those of `database`. */
async function continuousQueries(client: InfluxDB, database: string): Promise<{ name: string; query: string }[]> {
  const response = (await client.queryRaw('SHOW CONTINUOUS QUERIES', { database })) as { results: { series?: { name: string; values?: [string, string][] }[] }[] };
  const series = response.results[0].series?.find((s) => s.name === database);
  return (series?.values ?? []).map(([name, query]) => ({ name, query }));
}

const quiet = { log: (): void => undefined, warn: (): void => undefined, error: (): void => undefined };

describe('InfluxTelemetryStore on a real InfluxDB 1.x', () => {
  let server: RunningInfluxDb;
  let admin: InfluxDB;
  const stores: InfluxTelemetryStore[] = [];

  const open = async (database: string, options: Partial<InfluxTelemetryOptions> = {}): Promise<InfluxTelemetryStore> => {
    const store = new InfluxTelemetryStore({ url: `${server.url}/${database}`, logger: quiet, ...options });
    stores.push(store);
    await store.start();
    return store;
  };

  beforeAll(async () => {
    server = await startInfluxDb();
    admin = new InfluxDB({ host: '127.0.0.1', port: server.port });
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('creates the database, both retention policies and the continuous query at start, idempotently', async () => {
    const logs: string[] = [];
    const store = await open('pss', { logger: { ...quiet, log: (message: string) => logs.push(message) } });
    expect(store.health()).toEqual({ kind: 'influxdb', ok: true, detail: `InfluxDB http://127.0.0.1:${server.port}/pss: 0 points pending` });
    expect(logs).toEqual([`telemetry: InfluxDB http://127.0.0.1:${server.port}/pss (pss_raw 7 d, pss_1m 400 d, CQ pss_cq_1m)`]);
    expect(await admin.getDatabaseNames()).toContain('pss');
    const policies = await admin.showRetentionPolicies('pss');
    expect(policies.find((rp) => rp.name === RAW_RP)).toMatchObject({ duration: '168h0m0s', default: true });
    expect(policies.find((rp) => rp.name === DOWNSAMPLED_RP)).toMatchObject({ duration: '9600h0m0s', default: false });
    const cqs = await continuousQueries(admin, 'pss');
    expect(cqs.map((cq) => cq.name)).toEqual([CQ_NAME]);
    expect(cqs[0].query).toContain('RESAMPLE EVERY 1m FOR 10m');
    expect(cqs[0].query).toContain('INTO pss.pss_1m.status FROM pss.pss_raw.status');

    // A second start with the same settings changes nothing; with others, it alters the RPs and replaces the CQ.
    await (await open('pss')).close();
    expect(await continuousQueries(admin, 'pss')).toEqual(cqs);
    logs.length = 0;
    await open('pss', { rawRetentionMs: 2 * DAY, resampleForMs: 30 * MINUTE, logger: { ...quiet, log: (message: string) => logs.push(message) } });
    expect((await admin.showRetentionPolicies('pss')).find((rp) => rp.name === RAW_RP)).toMatchObject({ duration: '48h0m0s', default: true });
    const replaced = await continuousQueries(admin, 'pss');
    expect(replaced).toHaveLength(1);
    expect(replaced[0].query).toContain('RESAMPLE EVERY 1m FOR 30m');
    expect(logs).toContain('telemetry: retention policy pss_raw set to 2 d (default)');
    expect(logs).toContain('telemetry: replaced the continuous query pss_cq_1m with the current definition');
  });

  it('writes batched points (tags tenant, gateway, asset, part, status; field value) and reads them back raw and per step', async () => {
    const store = await open('raw_test', { batchSize: 3, flushIntervalMs: 60_000 });
    const t0 = bucketStart(Date.now() - 30 * MINUTE, MINUTE);
    await store.write([point(t0, 1), point(t0 + 20_000, 2)]);
    // Under the batch size and before the flush interval: buffered, not yet written.
    expect(store.stats()).toMatchObject({ pendingPoints: 2, pointsWritten: 0 });
    await store.write([point(t0 + 40_000, 6)]); // the third point fills the batch: written at once
    expect(store.stats()).toMatchObject({ pendingPoints: 0, pointsWritten: 3 });
    await store.write([point(t0 + 60_000, 10, { gateway: 'gw-2' }), point(t0 + 30_000, 5, { status: 'temperature' }), point(t0, 99, { tenant: 'other' })]);

    const stored = await admin.query<{ value: number; tenant: string; gateway: string; asset: string; part: string; status: string }>(
      `SELECT * FROM "raw_test"."pss_raw"."status" WHERE "tenant" = 'acme' AND "status" = 'vibration_rms'`,
      { database: 'raw_test', precision: 'ms' },
    );
    expect(stored.map(({ tenant, gateway, asset, part, status, value }) => ({ tenant, gateway, asset, part, status, value }))).toEqual([
      { tenant: 'acme', gateway: 'gw-1', asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', value: 1 },
      { tenant: 'acme', gateway: 'gw-1', asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', value: 2 },
      { tenant: 'acme', gateway: 'gw-1', asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', value: 6 },
      { tenant: 'acme', gateway: 'gw-2', asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', value: 10 },
    ]);
    expect(stored.map((row) => row.time.getTime())).toEqual([t0, t0 + 20_000, t0 + 40_000, t0 + 60_000]);

    const raw = await store.series({ tenant: 'acme', asset: 'car-0017', from: t0, to: t0 + 5 * MINUTE });
    expect(raw).toEqual({
      resolution: 'raw',
      truncated: false,
      series: {
        'p.axle.temperature': [{ time: t0 + 30_000, value: 5 }],
        'p.axle.vibration_rms': [
          { time: t0, value: 1 },
          { time: t0 + 20_000, value: 2 },
          { time: t0 + 40_000, value: 6 },
          { time: t0 + 60_000, value: 10 },
        ],
      },
    });
    const stepped = await store.series({ tenant: 'acme', asset: 'car-0017', statuses: [{ part: 'p.axle', status: 'vibration_rms' }, { part: 'p.door', status: 'cycles' }], from: t0, to: t0 + 5 * MINUTE, stepMs: MINUTE });
    expect(stepped).toEqual({
      resolution: 'raw',
      stepMs: MINUTE,
      truncated: false,
      series: {
        'p.axle.vibration_rms': [
          { time: t0, value: 3, min: 1, max: 6 },
          { time: t0 + MINUTE, value: 10, min: 10, max: 10 },
        ],
        'p.door.cycles': [],
      },
    });
    expect(await store.latest('acme', 'car-0017')).toEqual({
      'p.axle.temperature': { time: t0 + 30_000, value: 5 },
      'p.axle.vibration_rms': { time: t0 + 60_000, value: 10 },
    });
    expect(await store.latest('other', 'car-0017')).toEqual({ 'p.axle.vibration_rms': { time: t0, value: 99 } });
  });

  it('cuts a long answer without step to the newest points', async () => {
    const store = await open('limit_test', { queryLimit: 3 });
    const t0 = bucketStart(Date.now() - 20 * MINUTE, MINUTE);
    await store.write([0, 1, 2, 3, 4].map((i) => point(t0 + i * 1000, i)));
    await store.flush();
    const result = await store.series({ tenant: 'acme', asset: 'car-0017', from: t0, to: t0 + MINUTE });
    expect(result.truncated).toBe(true);
    expect(result.series['p.axle.vibration_rms'].map((p) => p.value)).toEqual([2, 3, 4]);
  });

  it('downsamples into pss_1m with the CQ statement (run for a past range), and reads long ranges from there', async () => {
    const store = await open('cq_test', { flushIntervalMs: 60_000 });
    // Within the CQ's resample window: the store leaves these to the CQ, which runs on its own schedule; the test
    // runs the CQ's SELECT ... INTO for the range instead (the same statement, with a time range).
    const t0 = bucketStart(Date.now() - 5 * MINUTE, 2 * MINUTE);
    await store.write([point(t0, 1), point(t0 + 20_000, 2), point(t0 + 40_000, 3), point(t0 + MINUTE, 10), point(t0 + MINUTE + 30_000, 20), point(t0, 7, { asset: 'car-0018' })]);
    await store.flush();
    await store.downsample({ from: t0, to: t0 + 2 * MINUTE });

    const stored = await admin.query<{ value: number; min: number; max: number; asset: string; gateway: string | null }>(
      `SELECT * FROM "cq_test"."pss_1m"."status" ORDER BY time`,
      { database: 'cq_test', precision: 'ms' },
    );
    expect(stored.map(({ time, asset, value, min, max, gateway }) => ({ time: time.getTime(), asset, value, min, max, gateway }))).toEqual([
      { time: t0, asset: 'car-0017', value: 2, min: 1, max: 3, gateway: null },
      { time: t0, asset: 'car-0018', value: 7, min: 7, max: 7, gateway: null },
      { time: t0 + MINUTE, asset: 'car-0017', value: 15, min: 10, max: 20, gateway: null },
    ]);

    // Longer than a day: the 1-minute data answers, per minute, or re-aggregated into whole minutes.
    const day = { tenant: 'acme', asset: 'car-0017', from: t0 - 2 * DAY, to: t0 + 2 * MINUTE };
    expect(await store.series(day)).toEqual({
      resolution: '1m',
      stepMs: MINUTE,
      truncated: false,
      series: {
        'p.axle.vibration_rms': [
          { time: t0, value: 2, min: 1, max: 3 },
          { time: t0 + MINUTE, value: 15, min: 10, max: 20 },
        ],
      },
    });
    // A 90 s step becomes 2 minutes on the 1-minute data (t0 is aligned to 2 minutes).
    expect(await store.series({ ...day, stepMs: 90_000 })).toEqual({
      resolution: '1m',
      stepMs: 2 * MINUTE,
      truncated: false,
      series: { 'p.axle.vibration_rms': [{ time: t0, value: 8.5, min: 1, max: 20 }] },
    });
    // Without a step over a long range, the step grows so that a status returns at most queryLimit points.
    const year = await store.series({ tenant: 'acme', asset: 'car-0017', from: t0 - 399 * DAY, to: t0 + 2 * MINUTE });
    expect(year.stepMs).toBe(58 * MINUTE); // 399 d + 2 min over 10,000 points: 57.46 min, rounded up to whole minutes
    const points = year.series['p.axle.vibration_rms'];
    expect(points.length).toBeGreaterThanOrEqual(1);
    expect(Math.min(...points.map((p) => p.min!))).toBe(1);
    expect(Math.max(...points.map((p) => p.max!))).toBe(20);
    // Running it again changes nothing (a recomputed minute overwrites its aggregate).
    await store.downsample({ from: t0, to: t0 + 2 * MINUTE });
    expect(await admin.query(`SELECT * FROM "cq_test"."pss_1m"."status"`, { database: 'cq_test' })).toHaveLength(3);
  });

  it('downsamples samples that arrive later than the CQ window right after writing them', async () => {
    const store = await open('late_test', { flushIntervalMs: 60_000 });
    const t0 = bucketStart(Date.now() - 3 * HOUR, MINUTE);
    await store.write([point(t0, 4), point(t0 + 10_000, 8), point(t0 + 5 * MINUTE, 1, { asset: 'car-0018' }), point(Date.now() - MINUTE, 3)]);
    await store.flush();
    expect(store.stats()).toMatchObject({ pointsWritten: 4, backfills: 2, backfillErrors: 0 });
    const minutes = await admin.query<{ value: number; asset: string }>(`SELECT "value", "asset" FROM "late_test"."pss_1m"."status" ORDER BY time`, {
      database: 'late_test',
      precision: 'ms',
    });
    // The recent sample is the CQ's to downsample; this test does not wait for it.
    expect(minutes.filter((row) => row.time.getTime() < Date.now() - 2 * HOUR).map(({ time, value, asset }) => ({ time: time.getTime(), value, asset }))).toEqual([
      { time: t0, value: 6, asset: 'car-0017' },
      { time: t0 + 5 * MINUTE, value: 1, asset: 'car-0018' },
    ]);
  });

  it('writes what is buffered when closed', async () => {
    const store = await open('close_test', { flushIntervalMs: 3_600_000 });
    await store.write([point(Date.now() - MINUTE, 42)]);
    expect(store.stats().pendingPoints).toBe(1);
    await store.close();
    const rows = await admin.query<{ value: number }>(`SELECT "value" FROM "close_test"."pss_raw"."status"`, { database: 'close_test' });
    expect(rows.map((row) => row.value)).toEqual([42]);
  });

  it('drops points older than the raw retention, counted', async () => {
    const store = await open('old_test', { rawRetentionMs: 1 * HOUR });
    await store.write([point(Date.now() - 2 * HOUR, 1), point(Date.now() - 10 * MINUTE, 2)]);
    await store.flush();
    expect(store.stats()).toMatchObject({ pointsWritten: 1, pointsDropped: 1, writeErrors: 0 });
  });

  it('does not retry points InfluxDB refuses (a partial write): the others are written, the refused counted', async () => {
    // The store's clock runs two hours behind the server's: by the server's, one point is past the 1 h retention.
    const store = await open('refused_test', { rawRetentionMs: HOUR, clock: () => Date.now() - 2 * HOUR });
    await store.write([point(Date.now() - 90 * MINUTE, 1), point(Date.now() - MINUTE, 2)]);
    await store.flush();
    expect(store.stats()).toMatchObject({ pointsWritten: 1, pointsDropped: 1, pendingPoints: 0, writeErrors: 1 });
    expect(store.health().ok).toBe(true);
    const rows = await admin.query<{ value: number }>(`SELECT "value" FROM "refused_test"."pss_raw"."status"`, { database: 'refused_test' });
    expect(rows.map((row) => row.value)).toEqual([2]);
  });

  it('sets the database up again when it was dropped, and then writes', async () => {
    const store = await open('dropped_test', { checkIntervalMs: 100 });
    const t0 = Date.now() - 5 * MINUTE;
    await store.write([point(t0, 1)]);
    await store.flush();
    await admin.dropDatabase('dropped_test');
    await store.write([point(t0 + 1000, 2)]);
    await store.flush();
    expect(store.health()).toMatchObject({ ok: false, detail: expect.stringContaining('database not found') });
    while (!store.health().ok || store.stats().pendingPoints > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await store.series({ tenant: 'acme', asset: 'car-0017', from: t0, to: t0 + MINUTE })).series).toEqual({ 'p.axle.vibration_rms': [{ time: t0 + 1000, value: 2 }] });
    expect((await continuousQueries(admin, 'dropped_test')).map((cq) => cq.name)).toEqual([CQ_NAME]);
  });

  it('keeps writes buffered while InfluxDB is down, reports it, and writes them when it is back', async () => {
    const own = await startInfluxDb();
    const store = new InfluxTelemetryStore({ url: `${own.url}/outage`, logger: quiet, flushIntervalMs: 50, checkIntervalMs: 100, requestTimeoutMs: 2000 });
    stores.push(store);
    try {
      await store.start();
      const t0 = Date.now() - 5 * MINUTE;
      await store.write([point(t0, 1)]);
      await store.flush();
      await own.stop();

      await store.write([point(t0 + 1000, 2), point(t0 + 2000, 3)]);
      await store.flush();
      expect(store.stats()).toMatchObject({ pointsWritten: 1, pendingPoints: 2 });
      expect(store.stats().writeErrors).toBeGreaterThanOrEqual(1);
      const down = store.health();
      expect(down.ok).toBe(false);
      expect(down.detail).toMatch(new RegExp(`^InfluxDB http://127.0.0.1:${own.port}/outage: write failed: .+; 2 points pending$`));
      await expect(store.latest('acme', 'car-0017')).rejects.toThrow(TelemetryStoreUnavailableError);

      await own.restart();
      // The store retries on its own every flush interval.
      while (store.stats().pendingPoints > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(store.health().ok).toBe(true);
      const result = await store.series({ tenant: 'acme', asset: 'car-0017', from: t0, to: t0 + MINUTE });
      expect(result.series['p.axle.vibration_rms'].map((p) => p.value)).toEqual([1, 2, 3]);
    } finally {
      await store.close();
      await own.dispose();
    }
  });

  it('starts without a server, says so in health(), and sets up once the server answers', async () => {
    const port = await freePort();
    const store = new InfluxTelemetryStore({ url: `http://127.0.0.1:${port}/later`, logger: quiet, checkIntervalMs: 100, requestTimeoutMs: 2000 });
    stores.push(store);
    await store.start();
    const health = store.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(new RegExp(`^InfluxDB http://127.0.0.1:${port}/later: not set up \\(setup failed: .*ECONNREFUSED.*\\); retrying every 100 ms$`));
    await store.write([point(Date.now() - MINUTE, 1)]);
    expect(store.stats().pendingPoints).toBe(1);

    const late = await startInfluxDb({ port });
    try {
      while (!store.health().ok || store.stats().pendingPoints > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(store.stats().pointsWritten).toBe(1);
      const lateAdmin = new InfluxDB({ host: '127.0.0.1', port, database: 'later' });
      expect((await continuousQueries(lateAdmin, 'later')).map((cq) => cq.name)).toEqual([CQ_NAME]);
    } finally {
      await store.close();
      await late.dispose();
    }
  });
});

describe('InfluxDB helpers', () => {
  it('parseInfluxUrl reads the database from the path and keeps credentials out of the display', () => {
    expect(parseInfluxUrl('http://user:s3cret@influx.local:8087/pss')).toEqual({
      protocol: 'http',
      host: 'influx.local',
      port: 8087,
      database: 'pss',
      username: 'user',
      password: 's3cret',
      display: 'http://influx.local:8087/pss',
    });
    expect(parseInfluxUrl('https://influx.example/telemetry').port).toBe(443);
    expect(() => parseInfluxUrl('influx:8086')).toThrow('INFLUX_URL: must use http or https, got "influx:"');
    expect(() => parseInfluxUrl('http://127.0.0.1:8086')).toThrow('INFLUX_URL: must end in a database name of letters, digits, "_", "." or "-" (like http://127.0.0.1:8086/pss (the path is the database)), got path "/"');
    expect(() => parseInfluxUrl('not a url')).toThrow('INFLUX_URL: must be a URL like http://127.0.0.1:8086/pss (the path is the database), got "not a url"');
  });

  it('pickResolution reads raw data for short recent ranges and the 1-minute data otherwise', () => {
    const now = 100 * DAY;
    const options = { rawRetentionMs: 7 * DAY, rawRangeLimitMs: DAY };
    expect(pickResolution({ from: now - HOUR, to: now }, now, options)).toBe('raw');
    expect(pickResolution({ from: now - 2 * DAY, to: now - DAY }, now, options)).toBe('raw');
    expect(pickResolution({ from: now - 2 * DAY, to: now }, now, options)).toBe('1m');
    expect(pickResolution({ from: now - 8 * DAY, to: now - 8 * DAY + HOUR }, now, options)).toBe('1m');
  });

  it('downsampleStatement is the CQ body: mean, min and max per minute per tenant, asset, part and status', () => {
    expect(downsampleStatement('pss')).toBe(
      'SELECT mean("value") AS "value", min("value") AS "min", max("value") AS "max" INTO "pss"."pss_1m"."status" FROM "pss"."pss_raw"."status" GROUP BY time(1m), "tenant", "asset", "part", "status"',
    );
    expect(parseGoDuration('168h0m0s')).toBe(7 * DAY);
    expect(parseGoDuration('1h30m')).toBe(90 * MINUTE);
  });
});
