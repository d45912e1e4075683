// Child processes of the benchmark: a TypeScript entry point run by Node with tsx loaded in the same process
// (`node --import tsx`), the equivalent of `tsx --tsconfig tsconfig.base.json <script>` without the tsx CLI's
// wrapper process, so that the pid we measure (CPU, RSS) is the process doing the work.
import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root (tools/bench/edge/../../..). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface TsChildOptions {
  /** Keep an IPC channel (process.send in the child). */
  ipc?: boolean;
  /** Extra environment. */
  env?: NodeJS.ProcessEnv;
  /** Extra Node options before the script (`--max-old-space-size=...`). */
  nodeArgs?: string[];
}

export interface TsChild {
  readonly child: ChildProcess;
  /** What the child printed (last 20 kB), for error messages. */
  log(): string;
  /** Resolves with the exit code (or the signal) once the child has exited. */
  readonly exited: Promise<string>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnTs(script: string, args: readonly string[], options: TsChildOptions = {}): TsChild {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.base.json'), ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(signal ?? `exit code ${code}`));
    child.once('error', (e) => {
      keep(Buffer.from(`spawn error: ${e.message}\n`));
      resolveExit(`spawn error: ${e.message}`);
    });
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  return {
    child,
    log: () => output,
    exited,
    stop: async (graceMs = 5000) => {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first IPC message `accept` returns a value for; rejects on exit or after timeoutMs. */
export function waitForMessage<T>(proc: TsChild, label: string, accept: (message: unknown) => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise((resolveMessage, reject) => {
    const onMessage = (message: unknown): void => {
      const value = accept(message);
      if (value === undefined) return;
      cleanup();
      resolveMessage(value);
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`${label} exited before it was ready\n${proc.log()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${label} not ready after ${timeoutMs} ms\n${proc.log()}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      proc.child.off('message', onMessage);
      proc.child.off('exit', onExit);
    };
    proc.child.on('message', onMessage);
    proc.child.once('exit', onExit);
  });
}
