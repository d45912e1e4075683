// For specs: the real cloud service (startCloud) on PGlite in memory, the embedded broker and HTTP on free
// loopback ports, quiet logs, a random bootstrap admin key; and a small HTTP client for its API.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { startCloud } from '../../main';
import { RunningCloud } from '../bootstrap';
import { CloudConfig } from '../config';
import { Role } from '../tokens';

export const TEST_TENANT = 'acme';

export function testConfig(overrides: Partial<CloudConfig> = {}): CloudConfig {
  return {
    httpPort: 0,
    httpHost: '127.0.0.1',
    mqttPort: 0,
    mqttHost: '127.0.0.1',
    instanceId: `test-${process.pid}`,
    batchWindowMs: 2000,
    selectionPolicy: 'knee',
    selectionWeights: { time: 1, cost: 1, reliability: 1 },
    optimizerTimeLimitMs: 1500,
    optimizerWorkers: 1,
    adminKey: `pss_test_admin_${randomBytes(12).toString('hex')}`,
    tenant: TEST_TENANT,
    logLevel: 'silent',
    ...overrides,
  };
}

export interface TestCloud extends RunningCloud {
  adminKey: string;
  /** Calls the API with a key (or none). */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiAnswer>;
  /** Creates an API key through the API, as the bootstrap admin. */
  createKey(role: Role, options?: { name?: string; resource?: string }): Promise<{ id: string; key: string }>;
}

export interface RequestOptions {
  key?: string;
  /** JSON-encoded unless a string (then sent as is, with `contentType`). */
  body?: unknown;
  contentType?: string;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown;
  text: string;
}

export async function startTestCloud(overrides: Partial<CloudConfig> = {}, logger?: Logger): Promise<TestCloud> {
  const config = testConfig(overrides);
  const cloud = await startCloud({ config, logger });
  const request = async (method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer> => {
    const headers: Record<string, string> = {};
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? (typeof options.body === 'string' ? 'text/yaml' : 'application/json');
    }
    const response = await fetch(`${cloud.httpUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, headers: response.headers, text, body: isJson && text !== '' ? JSON.parse(text) : text };
  };
  const adminKey = config.adminKey!;
  return {
    ...cloud,
    adminKey,
    request,
    createKey: async (role, options = {}) => {
      const answer = await request('POST', '/api/keys', { key: adminKey, body: { name: options.name ?? `${role} key`, role, ...(options.resource ? { resource: options.resource } : {}) } });
      if (answer.status !== 201) throw new Error(`creating a ${role} key failed: ${answer.status} ${answer.text}`);
      const created = answer.body as { id: string; key: string };
      return { id: created.id, key: created.key };
    },
  };
}
