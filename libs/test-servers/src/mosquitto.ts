// A real Mosquitto 2 broker (Debian package "mosquitto") on a free loopback port, for tests that need a broker
// that is not ours: stopped and restarted mid-test, with persistence so queued QoS 1 messages survive a restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';
import { ServerProcess, requireBinary } from './process';

export const MOSQUITTO_BINARY = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** Default: a free port. Kept across restarts. */
  port?: number;
  /** Keep sessions and queued messages across restarts (default true). */
  persistence?: boolean;
  /** Extra lines for mosquitto.conf. */
  extraConfig?: string[];
}

export interface RunningMosquitto {
  readonly port: number;
  readonly url: string;
  readonly process: ServerProcess;
  /** Stops the broker (SIGTERM: it saves its persistence file first). */
  stop(): Promise<void>;
  /** Kills the broker (SIGKILL): what is not yet saved is lost, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same persistence directory. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<RunningMosquitto> {
  const binary = requireBinary(MOSQUITTO_BINARY, 'mosquitto');
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'pss-mosquitto-'));
  const config = [
    // Started as root, Mosquitto switches to the user "mosquitto", which cannot write our temporary directory.
    `user ${userInfo().username}`,
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    `persistence ${options.persistence === false ? 'false' : 'true'}`,
    `persistence_location ${dir}/`,
    'autosave_interval 1',
    'max_queued_messages 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    ...(options.extraConfig ?? []),
  ];
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, config.join('\n') + '\n');
  const proc = new ServerProcess(`mosquitto:${port}`, binary, ['-c', configFile]);
  const boot = async (): Promise<void> => {
    proc.start();
    try {
      await waitForPort(port);
    } catch (e) {
      await proc.stop();
      throw new Error(`mosquitto did not start on port ${port}: ${(e as Error).message}\n${proc.log}`);
    }
  };
  await boot();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
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
