// The elevator fleet simulator (simulators/elevator-opcua) as a child process, for the OPC UA source's specs and
// benchmark. It runs in-process under tsx's loader (`node --import tsx`, not the tsx CLI, which would put a second
// process in between), so that SIGKILL kills the server itself: a crash, as the restart test needs. Test code only.
import { join } from 'path';
import { ServerProcess, freePort, waitForPort } from '@pss/test-servers';

const ROOT = join(__dirname, '..', '..', '..', '..', '..');
const MAIN = join(ROOT, 'simulators', 'elevator-opcua', 'src', 'main.ts');

export interface SimulatorOptions {
  /** Default: a free port. */
  port?: number;
  /** Elevators, default 3. */
  assets?: number;
  /** The server's certificate store (keep it across restarts: the same certificate). */
  pkiDir: string;
  /** Real ms between value updates (default 1000). */
  intervalMs?: number;
  /** Default wall: timestamps near the real clock. */
  timestamps?: 'wall' | 'simulated';
  /** More options for the CLI (--time-scale, --no-anonymous...). */
  args?: readonly string[];
  /** How long to wait for the server to listen (default 60 s: the first start creates a certificate). */
  startTimeoutMs?: number;
}

export class Simulator {
  private constructor(
    private readonly process: ServerProcess,
    readonly port: number,
    private readonly startTimeoutMs: number,
  ) {}

  /** opc.tcp://127.0.0.1:<port>/UA/PSS-Elevators */
  get endpointUrl(): string {
    return `opc.tcp://127.0.0.1:${this.port}/UA/PSS-Elevators`;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  get log(): string {
    return this.process.log;
  }

  /** Starts a simulator and resolves once it listens. */
  static async start(options: SimulatorOptions): Promise<Simulator> {
    const port = options.port ?? (await freePort());
    const args = [
      '--import',
      'tsx',
      MAIN,
      '--port',
      String(port),
      '--hostname',
      '127.0.0.1',
      '--assets',
      String(options.assets ?? 3),
      '--pki-dir',
      options.pkiDir,
      '--interval',
      String(options.intervalMs ?? 1000),
      '--timestamps',
      options.timestamps ?? 'wall',
      ...(options.args ?? []),
    ];
    // The demo credentials, whatever the caller's environment says.
    const env = { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json'), SIM_ELEVATOR_USER: '', SIM_ELEVATOR_PASSWORD: '' };
    const child = new ServerProcess('elevator simulator', process.execPath, args, env);
    const simulator = new Simulator(child, port, options.startTimeoutMs ?? 60_000);
    await simulator.launch();
    return simulator;
  }

  /** SIGKILL: the server dies without a word to its clients. */
  kill(): Promise<void> {
    return this.process.kill();
  }

  /** SIGTERM (a clean shutdown, clients are told), SIGKILL if it takes too long. */
  stop(): Promise<void> {
    return this.process.stop(5000);
  }

  /** A new server process on the same port (it knows nothing of the previous one's sessions). */
  async restart(): Promise<void> {
    await this.process.stop(5000);
    await this.launch();
  }

  private async launch(): Promise<void> {
    this.process.start();
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      try {
        // The previous process (if any) has exited: whoever listens now is this one, with its address space built.
        await waitForPort(this.port, '127.0.0.1', 500);
        return;
      } catch {
        if (!this.process.running) throw new Error(`the simulator exited before listening on port ${this.port}:\n${this.process.log}`);
        if (Date.now() > deadline) {
          await this.process.kill();
          throw new Error(`the simulator did not listen on port ${this.port} within ${this.startTimeoutMs} ms:\n${this.process.log}`);
        }
      }
    }
  }
}
