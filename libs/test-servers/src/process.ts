// A child server process that a test starts, stops (SIGTERM, then SIGKILL) and restarts, with its output kept for
// the error message when it fails to start.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export class MissingBinaryError extends Error {
  constructor(binary: string, debianPackage: string) {
    super(`${binary} not found: install the Debian package "${debianPackage}" (npm test does it when run as root: tools/system-deps.sh)`);
    this.name = 'MissingBinaryError';
  }
}

export function requireBinary(path: string, debianPackage: string): string {
  if (!existsSync(path)) throw new MissingBinaryError(path, debianPackage);
  return path;
}

export class ServerProcess {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    readonly label: string,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** What the process printed (the last 20 kB), for failure messages. */
  get log(): string {
    return this.output;
  }

  start(): void {
    if (this.running) throw new Error(`${this.label} is already running`);
    const child = spawn(this.command, [...this.args], { stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (e) => keep(Buffer.from(`spawn error: ${e.message}\n`)));
    this.child = child;
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. */
  async stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** SIGKILL now: a crash, not a shutdown. */
  kill(): Promise<void> {
    return this.stop(0, 'SIGKILL');
  }
}
