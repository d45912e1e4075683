// The module as the app runs it: Nest's MQTT transport on a real Mosquitto, a real InfluxDB, HTTP on a free port.
// The auth guard is the platform's business: a middleware stands in for it and attaches the caller's principal.
import './testing/external-broker-env';
import { Global, INestApplication, LoggerService, Module } from '@nestjs/common';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SCHEMAS, TelemetryBatch, toPublications } from '@pss/protocol';
import { RunningInfluxDb, RunningMosquitto, startInfluxDb, startMosquitto } from '@pss/test-servers';
import { MqttClient, connectAsync } from 'mqtt';
import { CloudConfig, loadCloudConfig } from '../platform/config';
import { CLOCK, CLOUD_CONFIG, Principal, ROLES_KEY } from '../platform/tokens';
import { TELEMETRY_SHARE_GROUP, TELEMETRY_SUBSCRIPTION } from './telemetry-mqtt.controller';
import { TelemetryController } from './telemetry.controller';
import { TelemetryModule } from './telemetry.module';
import { TelemetryService } from './telemetry.service';

jest.setTimeout(120_000);

const MINUTE = 60_000;

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown): void {
    this.lines.push(String(message));
  }
}

function platformFor(config: CloudConfig): new () => unknown {
  @Global()
  @Module({
    providers: [
      { provide: CLOUD_CONFIG, useValue: config },
      { provide: CLOCK, useValue: () => Date.now() },
    ],
    exports: [CLOUD_CONFIG, CLOCK],
  })
  class TestPlatformModule {}
  return TestPlatformModule;
}

/** An app with the telemetry module; every request is made by `principal` (header x-tenant overrides its tenant). */
async function createApp(config: CloudConfig, logger: LoggerService, mqttUrl?: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [platformFor(config), TelemetryModule.withOptions({ influx: { flushIntervalMs: 20 } })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger });
  app.use((request: { headers: Record<string, string | undefined>; principal?: Principal }, _response: unknown, next: () => void) => {
    request.principal = { tenant: request.headers['x-tenant'] ?? 'acme', role: 'viewer', subject: 'test' };
    next();
  });
  if (mqttUrl) {
    app.connectMicroservice<MicroserviceOptions>({ transport: Transport.MQTT, options: { url: mqttUrl } });
    await app.startAllMicroservices();
    // Subscribing again on the same connection waits for the broker's SUBACK: after it, nothing published is missed.
    await app.getMicroservices()[0].unwrap<MqttClient>().subscribeAsync(TELEMETRY_SUBSCRIPTION.filter, { qos: 1 });
  }
  await app.listen(0, '127.0.0.1');
  return app;
}

async function get(app: INestApplication, path: string, tenant = 'acme'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${await app.getUrl()}${path}`, { headers: { 'x-tenant': tenant } });
  return { status: response.status, body: await response.json() };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('TelemetryModule with InfluxDB and an MQTT broker', () => {
  let influx: RunningInfluxDb;
  let broker: RunningMosquitto;
  let app: INestApplication;
  let publisher: MqttClient;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    [influx, broker] = await Promise.all([startInfluxDb(), startMosquitto({ persistence: false })]);
    app = await createApp(loadCloudConfig({ MQTT_URL: broker.url, INFLUX_URL: `${influx.url}/pss_module` }), logger, broker.url);
    publisher = await connectAsync(broker.url);
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await app?.close();
    await Promise.all([influx?.dispose(), broker?.dispose()]);
  });

  const publish = async (payload: TelemetryBatch | string, topic?: string): Promise<void> => {
    if (typeof payload === 'string') {
      await publisher.publishAsync(topic!, payload, { qos: 1 });
      return;
    }
    const publications = toPublications(payload, { qos: 1 });
    if (!publications.ok) throw new Error(JSON.stringify(publications.issues));
    for (const publication of publications.value) await publisher.publishAsync(publication.topic, Buffer.from(publication.payload), { qos: 1 });
  };

  const batch = (seq: number, samples: TelemetryBatch['samples'], tenant = 'acme'): TelemetryBatch => ({ schema: SCHEMAS.telemetryBatch, tenant, gateway: 'gw-1', seq, samples });

  it('ingests batches from MQTT into InfluxDB (duplicates dropped, gaps and bad payloads counted) and answers the dashboard', async () => {
    // With an external broker, instances share the telemetry stream.
    expect(TELEMETRY_SHARE_GROUP).toBe('pss-cloud');
    expect(TELEMETRY_SUBSCRIPTION).toEqual({ kind: 'telemetry', filter: '$share/pss-cloud/pss/v1/+/+/telemetry', qos: 1 });
    expect(logger.lines.filter((line) => line.includes('share group'))).toEqual([]);
    const telemetry = app.get(TelemetryService);
    expect(telemetry.health()).toEqual({ kind: 'influxdb', ok: true, detail: `InfluxDB http://127.0.0.1:${influx.port}/pss_module: 0 points pending` });
    const t0 = Math.floor((Date.now() - 10 * MINUTE) / MINUTE) * MINUTE;
    const sample = (part: string, status: string, time: number, value: number): TelemetryBatch['samples'][number] => ({ asset: 'car-0017', part, status, time, value });

    await publish(batch(1, [sample('p.axle', 'vibration_rms', t0, 7.05), sample('p.axle', 'vibration_rms', t0 + 10_000, 7.42), sample('p.frame', 'crack_len', t0, 0.6)]));
    await publish(batch(1, [sample('p.axle', 'vibration_rms', t0, 999)])); // a repeat of seq 1: dropped
    await publish(batch(4, [sample('p.axle', 'vibration_rms', t0 + 20_000, 7.9)])); // 2 and 3 lost
    await publish('{"schema": "pss.telemetry-batch/v1"', 'pss/v1/acme/gw-1/telemetry');
    await publish(batch(1, [sample('p.axle', 'vibration_rms', t0, 1)], 'other'));
    await until(() => {
      const stats = telemetry.stats();
      return stats.batches + stats.duplicates + stats.badPayloads >= 5 && stats.store.pendingPoints === 0;
    });
    expect(telemetry.stats()).toMatchObject({ batches: 3, samples: 5, duplicates: 1, lostBatches: 2, badPayloads: 1, store: { pointsWritten: 5, writeErrors: 0 } });
    expect(telemetry.stats().lastBadPayload).toMatch(/^pss\/v1\/acme\/gw-1\/telemetry: /);

    const from = new Date(t0).toISOString();
    const raw = await get(app, `/api/telemetry/car-0017?status=p.axle.vibration_rms&from=${from}&to=${t0 + MINUTE}`);
    expect(raw).toEqual({
      status: 200,
      body: {
        asset: 'car-0017',
        from: t0,
        to: t0 + MINUTE,
        resolution: 'raw',
        truncated: false,
        series: {
          'p.axle.vibration_rms': [
            { time: t0, value: 7.05 },
            { time: t0 + 10_000, value: 7.42 },
            { time: t0 + 20_000, value: 7.9 },
          ],
        },
      },
    });
    const stepped = await get(app, `/api/telemetry/car-0017?from=${t0}&to=${t0 + MINUTE}&step=1m`);
    expect(stepped.status).toBe(200);
    expect(stepped.body).toMatchObject({
      resolution: 'raw',
      stepMs: MINUTE,
      series: {
        'p.axle.vibration_rms': [{ time: t0, min: 7.05, max: 7.9 }],
        'p.frame.crack_len': [{ time: t0, value: 0.6, min: 0.6, max: 0.6 }],
      },
    });
    expect((stepped.body as { series: Record<string, { value: number }[]> }).series['p.axle.vibration_rms'][0].value).toBeCloseTo((7.05 + 7.42 + 7.9) / 3, 10);

    expect(await get(app, '/api/telemetry/car-0017/latest')).toEqual({
      status: 200,
      body: { asset: 'car-0017', statuses: { 'p.axle.vibration_rms': { time: t0 + 20_000, value: 7.9 }, 'p.frame.crack_len': { time: t0, value: 0.6 } } },
    });
    // The tenant is the caller's, never a parameter: another tenant sees its own data only.
    expect(await get(app, '/api/telemetry/car-0017/latest', 'other')).toEqual({ status: 200, body: { asset: 'car-0017', statuses: { 'p.axle.vibration_rms': { time: t0, value: 1 } } } });
    expect(await get(app, '/api/telemetry/car-0017/latest', 'nobody')).toEqual({ status: 200, body: { asset: 'car-0017', statuses: {} } });
  });

  it('answers bad query parameters with 400 {error, issues} naming each parameter', async () => {
    const response = await get(app, '/api/telemetry/car-0017?from=yesterday&step=0&status=axle');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: expect.stringContaining('query.status: "axle": must be a status reference'),
      issues: [
        { path: 'query.status', message: '"axle": must be a status reference <part>.<status> (like p.axle.vibration_rms)' },
        { path: 'query.from', message: expect.stringContaining('must be epoch milliseconds (like 1772439300000) or an ISO 8601 time with a zone') },
        { path: 'query.step', message: expect.stringContaining('must be an interval of at least 1 ms') },
      ],
    });
    const tooFine = await get(app, '/api/telemetry/car-0017?from=0&to=86400000&step=1ms');
    expect(tooFine.status).toBe(400);
    expect((tooFine.body as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toEqual(['query.step']);
  });

  it('declares roles and OpenAPI documentation on every route', () => {
    for (const route of ['series', 'latest'] as const) {
      expect(Reflect.getMetadata(ROLES_KEY, TelemetryController.prototype[route])).toEqual(['viewer', 'planner', 'admin', 'technician']);
    }
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/telemetry/{asset}', '/api/telemetry/{asset}/latest']));
    const series = document.paths['/api/telemetry/{asset}'].get!;
    expect(series.tags).toEqual(['telemetry']);
    expect(series.parameters?.map((p) => ('name' in p ? p.name : ''))).toEqual(expect.arrayContaining(['asset', 'status', 'from', 'to', 'step']));
    expect(Object.keys(series.responses)).toEqual(expect.arrayContaining(['200', '400', '503']));
  });
});

describe('TelemetryModule without INFLUX_URL', () => {
  it('keeps telemetry in memory and says so at start', async () => {
    const logger = new CapturingLogger();
    const app = await createApp(loadCloudConfig({}), logger);
    try {
      expect(logger.lines).toContain('telemetry: in memory, last 2000 points per status; set INFLUX_URL for InfluxDB');
      // Without MQTT_URL (the embedded broker) the configuration has no share group; the filter came from the env.
      expect(logger.lines).toContain(
        "telemetry: subscribed with $share/pss-cloud/pss/v1/+/+/telemetry (from the environment), but the configuration's share group is none",
      );
      const telemetry = app.get(TelemetryService);
      expect(telemetry.health()).toMatchObject({ kind: 'memory', ok: true });
      const t0 = Date.now() - MINUTE;
      await telemetry.handle('pss/v1/acme/gw-1/telemetry', {
        schema: SCHEMAS.telemetryBatch,
        tenant: 'acme',
        gateway: 'gw-1',
        seq: 7,
        samples: [{ asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', time: t0, value: 3 }],
      });
      expect(await get(app, '/api/telemetry/car-0017/latest')).toEqual({ status: 200, body: { asset: 'car-0017', statuses: { 'p.axle.vibration_rms': { time: t0, value: 3 } } } });
      expect((await get(app, '/api/telemetry/car-0017')).body).toEqual({
        asset: 'car-0017',
        from: expect.any(Number),
        to: expect.any(Number),
        resolution: 'raw',
        truncated: false,
        series: { 'p.axle.vibration_rms': [{ time: t0, value: 3 }] },
      });
    } finally {
      await app.close();
    }
  });
});
