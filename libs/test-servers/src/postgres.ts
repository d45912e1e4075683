// A real PostgreSQL server (Debian package "postgresql") on a free loopback port, in a throw-away data directory,
// for tests that need the database the cloud runs against in production: several connections and pools at once,
// real locks and isolation, a server that is stopped, killed and restarted mid-test.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './ports';
import { MissingBinaryError, ServerProcess } from './process';

/** Where Debian installs the server binaries: one folder per major version. */
export const POSTGRES_LIB_DIR = '/usr/lib/postgresql';

export interface PostgresOptions {
  /** Default: a free port. Kept across restarts. */
  port?: number;
  /** A database created after the first start (default: none; the `postgres` database always exists). */
  database?: string;
  /** Extra server settings (`-c name=value`), e.g. `{ max_connections: '200' }`. */
  settings?: Record<string, string>;
  /** How long to wait for the server to accept queries, per start (default 30 s). */
  startTimeoutMs?: number;
}

export interface RunningPostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`: trust authentication, no password. */
  readonly url: string;
  readonly dataDir: string;
  readonly process: ServerProcess;
  /** A fast shutdown (SIGINT): open connections are closed, everything committed is on disk. */
  stop(): Promise<void>;
  /** Kills the postmaster (SIGKILL), as in a crash: the next start runs crash recovery. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data directory. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** The binaries of the newest installed major version (Debian may carry several side by side). */
export function postgresBinDir(libDir = POSTGRES_LIB_DIR): string {
  const versions = existsSync(libDir)
    ? readdirSync(libDir)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(libDir, name, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new MissingBinaryError(join(libDir, '<version>', 'bin', 'postgres'), 'postgresql');
  return join(libDir, versions[0], 'bin');
}

interface Account {
  name: string;
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. As root, the server runs as the `postgres` account that the Debian package
 * creates (else `nobody`), in a directory given to that account; as anyone else, as that user.
 */
function serverAccount(): Account | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields && fields.length >= 4) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('running as root, and neither the account "postgres" nor "nobody" exists to run PostgreSQL as');
}

/** The command line that runs `binary` as `account` (setpriv execs in place: signals reach the server itself). */
function asAccount(account: Account | null, binary: string, args: string[]): [string, string[]] {
  if (account === null) return [binary, args];
  return ['/usr/bin/setpriv', ['--reuid', String(account.uid), '--regid', String(account.gid), '--clear-groups', '--', binary, ...args]];
}

export async function startPostgres(options: PostgresOptions = {}): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const account = serverAccount();
  const port = options.port ?? (await freePort());
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'pss-postgres-'));
  const dataDir = join(dir, 'data');
  try {
    if (account !== null) chownSync(dir, account.uid, account.gid);
    // --no-sync and fsync=off: a test database need not survive a power cut, and initdb is much faster without.
    const [initCommand, initArgs] = asAccount(account, join(bin, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync',
    ]);
    const init = spawnSync(initCommand, initArgs, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    if (init.status !== 0) {
      throw new Error(`initdb failed (exit ${init.status ?? init.signal ?? init.error?.message}):\n${init.stdout}\n${init.stderr}`);
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    // No fsync (a power cut is not what tests simulate), but synchronous_commit stays on: a commit's WAL is
    // written to the OS before the commit returns, so a killed server (kill()) loses nothing it acknowledged.
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '100',
    log_min_messages: 'warning',
    ...options.settings,
  };
  const serverArgs = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const [command, args] = asAccount(account, join(bin, 'postgres'), serverArgs);
  const proc = new ServerProcess(`postgres:${port}`, command, args, { ...process.env, LC_ALL: 'C' });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const boot = async (): Promise<void> => {
    // After a kill, the old server's backends notice their postmaster is gone and exit within moments; until
    // then a new postmaster refuses the data directory ("pre-existing shared memory block is still in use").
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      proc.start();
      const ready = await waitForQueries(adminUrl, proc, deadline);
      if (ready.state === 'ready') return;
      await proc.stop(5000, 'SIGINT');
      if (ready.state === 'timeout' || Date.now() > deadline) {
        throw new Error(`postgres did not accept queries on port ${port} within ${startTimeoutMs} ms (last error: ${ready.lastError}):\n${proc.log}`);
      }
      await sleep(200);
    }
  };
  const stop = (): Promise<void> => proc.stop(15_000, 'SIGINT');

  try {
    await boot();
    if (options.database !== undefined) {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${options.database.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    }
  } catch (e) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(options.database ?? 'postgres')}`,
    dataDir,
    process: proc,
    stop,
    kill: () => proc.kill(),
    restart: async () => {
      await stop();
      await boot();
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Readiness {
  /** 'ready' once `SELECT 1` answers, 'exited' if the server process ended first, 'timeout' at the deadline. */
  state: 'ready' | 'exited' | 'timeout';
  /** Why the last attempt failed, for the error message. */
  lastError: string;
}

async function waitForQueries(url: string, proc: ServerProcess, deadline: number): Promise<Readiness> {
  let lastError = 'none';
  for (;;) {
    if (!proc.running) return { state: 'exited', lastError };
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    // A refused connection emits 'error' on the client too; without a listener it would be thrown as uncaught.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { state: 'ready', lastError };
    } catch (e) {
      // Not listening yet, or "the database system is starting up": try again.
      lastError = (e as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) return { state: 'timeout', lastError };
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
