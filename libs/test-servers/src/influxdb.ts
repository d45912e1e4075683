// A real InfluxDB 1.x server (Debian package "influxdb", influxd 1.6) on free loopback ports, in a throw-away
// directory, for tests of the telemetry store: writes, queries, and a server restarted mid-test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { ServerProcess, requireBinary } from './process';

export const INFLUXD_BINARY = '/usr/bin/influxd';

export interface InfluxDbOptions {
  /** HTTP API port. Default: a free port. Kept across restarts. */
  port?: number;
  /** How long to wait for `/ping` to answer, per start (default 30 s). */
  startTimeoutMs?: number;
}

export interface RunningInfluxDb {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: no authentication. */
  readonly url: string;
  readonly dir: string;
  readonly process: ServerProcess;
  /** Stops the server (SIGTERM: it closes its shards and WAL cleanly). */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL), as in a crash: the next start replays the WAL. */
  kill(): Promise<void>;
  /** Starts it again on the same ports with the same data. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** The config file: every listener on a free loopback port (also the RPC port 8088 that backups use), no phoning home. */
export function influxConfig(dir: string, httpPort: number, rpcPort: number): string {
  return [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]',
    `  dir = "${join(dir, 'meta')}"`,
    '  logging-enabled = false',
    '[data]',
    `  dir = "${join(dir, 'data')}"`,
    `  wal-dir = "${join(dir, 'wal')}"`,
    '  query-log-enabled = false',
    '[monitor]',
    // The _internal database would write statistics every 10 s: noise in a test.
    '  store-enabled = false',
    '[subscriber]',
    '  enabled = false',
    '[http]',
    '  enabled = true',
    `  bind-address = "127.0.0.1:${httpPort}"`,
    '  auth-enabled = false',
    '  log-enabled = false',
    '  pprof-enabled = false',
    '  unix-socket-enabled = false',
    '[ifql]',
    '  enabled = false',
    '[logging]',
    '  level = "warn"',
    '  suppress-logo = true',
    '',
  ].join('\n');
}

export async function startInfluxDb(options: InfluxDbOptions = {}): Promise<RunningInfluxDb> {
  const binary = requireBinary(INFLUXD_BINARY, 'influxdb');
  const port = options.port ?? (await freePort());
  let rpcPort = await freePort();
  while (rpcPort === port) rpcPort = await freePort();
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'pss-influxdb-'));
  const configFile = join(dir, 'influxdb.conf');
  writeFileSync(configFile, influxConfig(dir, port, rpcPort));
  // INFLUXDB_* variables would override the config file (influxd reads them last): keep them out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('INFLUXDB_')));
  const proc = new ServerProcess(`influxd:${port}`, binary, ['run', '-config', configFile], env);
  const url = `http://127.0.0.1:${port}`;

  const boot = async (): Promise<void> => {
    proc.start();
    const deadline = Date.now() + startTimeoutMs;
    let lastError = 'none';
    for (;;) {
      const status = await ping(url).catch((e: Error) => {
        lastError = e.message;
        return 0;
      });
      if (status === 204) return;
      if (status !== 0) lastError = `/ping answered ${status}`;
      if (!proc.running || Date.now() > deadline) {
        await proc.stop();
        const why = proc.running ? `within ${startTimeoutMs} ms` : 'and exited';
        throw new Error(`influxd did not answer /ping on port ${port} ${why} (last error: ${lastError}):\n${proc.log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  try {
    await boot();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    url,
    dir,
    process: proc,
    stop: () => proc.stop(),
    kill: () => proc.kill(),
    restart: async () => {
      await proc.stop();
      await boot();
    },
    dispose: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The status code of `GET /ping` (204 when the server is up). */
function ping(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/ping`, { method: 'GET', timeout: 2000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('/ping timed out')));
    req.on('error', reject);
    req.end();
  });
}
