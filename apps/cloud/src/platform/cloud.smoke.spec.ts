// The whole service, started the way main.ts starts it (PGlite in memory, embedded broker and HTTP on free
// ports): health, metrics, OpenAPI docs, the API key lifecycle, a gateway publishing through the embedded broker,
// health turning 503 when the database is gone; and `npm run cloud` as a process: READY line, SIGTERM.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { EXAMPLES, SCHEMAS, toPublications } from '@pss/protocol';
import { Database } from '../persistence';
import { DATABASE } from './tokens';
import { TestCloud, startTestCloud } from './testing/cloud-harness';

jest.setTimeout(120_000);

const REPO = join(__dirname, '..', '..', '..', '..');

describe('the cloud service, in process', () => {
  let cloud: TestCloud;

  beforeAll(async () => {
    cloud = await startTestCloud();
  });

  afterAll(async () => {
    await cloud?.close();
  });

  it('answers /health with every dependency up, the instance and the version', async () => {
    const health = await cloud.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      instance: cloud.config.instanceId,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      checks: {
        database: { state: 'up', kind: 'pglite', critical: true },
        mqttBroker: { state: 'up', embedded: true, port: expect.any(Number) },
        mqttPublisher: { state: 'up' },
        telemetry: { state: 'up', kind: 'memory', critical: false },
      },
    });
  });

  it('counts requests by route pattern and status at /metrics, in the Prometheus text format', async () => {
    await cloud.request('GET', '/api/models/some-id', { key: cloud.adminKey });
    await cloud.request('GET', '/api/models');
    const metrics = await cloud.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/pss_http_requests_total\{method="GET",route="\/api\/models\/:id",status="404",instance="[^"]+"\} 1/);
    expect(metrics.text).toMatch(/pss_http_requests_total\{method="GET",route="\/api\/models",status="401",instance="[^"]+"\} 1/);
    expect(metrics.text).toContain('pss_http_request_duration_seconds_bucket');
    expect(metrics.text).toContain('pss_cloud_process_cpu_seconds_total');
  });

  it('serves the OpenAPI document and Swagger UI without a key, with the bearer scheme', async () => {
    const ui = await cloud.request('GET', '/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const doc = await cloud.request('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({ openapi: expect.any(String), components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } });
    expect(Object.keys((doc.body as { paths: object }).paths)).toEqual(expect.arrayContaining(['/health', '/api/keys', '/api/models', '/api/contracts/configure']));
  });

  it('creates a key (its secret once), lists keys without secrets, revokes a key, which then stops working', async () => {
    const created = await cloud.request('POST', '/api/keys', { key: cloud.adminKey, body: { name: 'depot planner', role: 'planner' } });
    expect(created.status).toBe(201);
    const { id, key } = created.body as { id: string; key: string };
    expect(key).toMatch(/^pss_[A-Za-z0-9_-]{43}$/);
    expect((await cloud.request('GET', '/api/models', { key })).status).toBe(200);

    const listed = await cloud.request('GET', '/api/keys', { key: cloud.adminKey });
    expect(listed.status).toBe(200);
    const entry = (listed.body as Record<string, unknown>[]).find((k) => k.id === id);
    expect(entry).toEqual({ id, name: 'depot planner', role: 'planner', resource: null, createdAt: expect.any(Number), revokedAt: null });
    expect(listed.text).not.toContain(key);

    expect((await cloud.request('DELETE', `/api/keys/${id}`, { key: cloud.adminKey })).status).toBe(204);
    expect((await cloud.request('GET', '/api/models', { key })).status).toBe(401);
    expect((await cloud.request('DELETE', `/api/keys/${id}`, { key: cloud.adminKey })).status).toBe(404);
  });

  it('checks key requests field by field', async () => {
    const answer = await cloud.request('POST', '/api/keys', { key: cloud.adminKey, body: { role: 'technician', resource: 'a/b', colour: 'red' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: 'invalid API key',
      issues: expect.arrayContaining([
        { path: 'body.colour', message: expect.stringContaining('unknown field') },
        { path: 'body.name', message: 'is required' },
        { path: 'body.resource', message: expect.stringContaining('must not contain "/"') },
      ]),
    });
    const technicianWithout = await cloud.request('POST', '/api/keys', { key: cloud.adminKey, body: { name: 'li', role: 'technician' } });
    expect(technicianWithout.body).toEqual({ error: 'invalid API key', issues: [{ path: 'body.resource', message: expect.stringContaining('is required for a technician') }] });
  });

  it('answers bodies it cannot parse with JSON 400, not an HTML page', async () => {
    const answer = await cloud.request('POST', '/api/models', { key: cloud.adminKey, body: '{"kind":', contentType: 'application/json' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: expect.stringMatching(/^invalid JSON/), issues: [{ path: 'body', message: expect.stringMatching(/^invalid JSON/) }] });
  });

  it('lets a gateway key publish its tenant trigger topic through the embedded broker, where the cloud receives it', async () => {
    const { key } = await cloud.createKey('gateway');
    const cloudSide = connect(cloud.mqtt.url, { username: cloud.mqtt.username, password: cloud.mqtt.password, reconnectPeriod: 0 });
    const gateway = connect(cloud.mqtt.url, { username: 'gw-1', password: key, reconnectPeriod: 0 });
    try {
      await Promise.all([new Promise((r) => cloudSide.once('connect', r)), new Promise((r) => gateway.once('connect', r))]);
      await cloudSide.subscribeAsync('pss/v1/+/+/events/trigger', { qos: 1 });
      const arrived = new Promise<string>((resolve) => cloudSide.once('message', (topic) => resolve(topic)));
      await gateway.publishAsync('pss/v1/acme/gw-1/events/trigger', '{}', { qos: 1 });
      expect(await arrived).toBe('pss/v1/acme/gw-1/events/trigger');
    } finally {
      await Promise.all([cloudSide.endAsync(true), gateway.endAsync(true)]);
    }
  });

  it("takes a gateway's trigger event in through the embedded broker: stored, and acknowledged to the gateway", async () => {
    const { key } = await cloud.createKey('gateway');
    const event = EXAMPLES[SCHEMAS.triggerEvent];
    const publication = toPublications(event);
    if (!publication.ok) throw new Error('the protocol example must encode');
    const gateway = connect(cloud.mqtt.url, { username: event.gateway, password: key, reconnectPeriod: 0 });
    try {
      await new Promise((r) => gateway.once('connect', r));
      await gateway.subscribeAsync(`pss/v1/${event.tenant}/${event.gateway}/events/ack`, { qos: 1 });
      let timer: NodeJS.Timeout | undefined;
      const acked = new Promise<{ ids: string[] }>((resolve, reject) => {
        gateway.on('message', (_topic, payload) => resolve(JSON.parse(payload.toString()) as { ids: string[] }));
        // A bound for a readable failure, not a timing assertion.
        timer = setTimeout(() => reject(new Error('no event ack within 20 s: the trigger handler did not receive the event')), 20_000);
      }).finally(() => clearTimeout(timer));
      const [{ topic, payload, qos }] = publication.value;
      await gateway.publishAsync(topic, Buffer.from(payload), { qos });
      expect((await acked).ids).toContain(event.id);
      const stored = await cloud.request('GET', `/api/triggers/${encodeURIComponent(event.id)}`, { key: cloud.adminKey });
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({ asset: event.asset, trigger: event.trigger });
    } finally {
      await gateway.endAsync(true);
    }
  });

  it('reports 503 when the database is gone', async () => {
    await cloud.app.get<Database>(DATABASE).close();
    const health = await cloud.request('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'down', checks: { database: { state: 'down', error: expect.any(String) }, mqttBroker: { state: 'up' } } });
  });
});

describe('npm run cloud', () => {
  it('prints CLOUD READY once it serves, and shuts down gracefully on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(REPO, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', 'apps/cloud/tsconfig.json', 'apps/cloud/src/main.ts'], {
      cwd: REPO,
      env: { ...process.env, PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', LOG_LEVEL: 'info', PSS_ADMIN_KEY: 'pss_smoke_admin', DATABASE_URL: '', MQTT_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /^CLOUD READY http=(\d+) mqtt=(mqtt:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
          if (match) resolve(match);
        });
        void exited.then(({ code }) => reject(new Error(`exited with ${code} before READY:\n${stdout}\n${stderr}`)));
      });
      const health = await fetch(`http://127.0.0.1:${ready[1]}/health`);
      expect(health.status).toBe(200);
      const models = await fetch(`http://127.0.0.1:${ready[1]}/api/models`, { headers: { authorization: 'Bearer pss_smoke_admin' } });
      expect(models.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const { code, signal } = await exited;
    // Nest closes the app, then re-raises the signal: ended by SIGTERM (or 128+15 through tsx's relay).
    expect(signal === 'SIGTERM' || code === 143 || code === 0).toBe(true);
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['database migrated', 'embedded MQTT broker listening', 'shut down']));
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
