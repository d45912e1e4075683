// The command line as people run it: `npm run -s sim:vehicle -- …` for help and usage errors, and the simulator
// process itself (through tsx, as the npm script does) against a real broker for signals, credentials, --duration.
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { AuthenticateError } from 'aedes';
import { main } from '../src/main';
import { decodePayload, toNumber } from '../src/sparkplug';
import { TestBroker } from './broker';

const ROOT = join(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const MAIN = 'simulators/vehicle-mqtt/src/main.ts';

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stdout: () => string;
}

function start(command: string, args: string[]): Run {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout };
}

const npm = (args: string[]): Run => start('npm', ['run', '-s', 'sim:vehicle', '--', ...args]);
const sim = (args: string[]): Run => start(process.execPath, [TSX, '--tsconfig', 'tsconfig.base.json', MAIN, ...args]);

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// Each spawn starts tsx and compiles the simulator: a few seconds on a small machine.
const SPAWN_TIMEOUT = 30_000;

let broker: TestBroker;
const running: ChildProcess[] = [];

beforeAll(async () => {
  broker = await TestBroker.start(0, {
    authenticate: (_client, username, password, done) => {
      if (username === 'sim' && password?.toString() === 'secret') return done(null, true);
      done(Object.assign(new Error('bad user name or password'), { returnCode: 4 }) as AuthenticateError, null);
    },
  });
});

afterAll(async () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await broker?.stop();
});

describe('sim:vehicle', () => {
  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await npm(['--help']).done;
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm run -s sim:vehicle -- [options]');
    expect(stdout).toContain('--sparkplug-share <f>');
  }, SPAWN_TIMEOUT);

  it('bad options: a clear error and exit 2', async () => {
    const { code, stdout, stderr } = await npm(['--assets', '0', '--broker', 'mqtt://localhost:1']).done;
    expect(code).toBe(2);
    expect(stderr).toContain('sim:vehicle: error: --assets must be an integer from 1 to 9999, got "0"');
    expect(stdout).toBe('');
  }, SPAWN_TIMEOUT);

  it('an unreadable model or a fault the model cannot take: exit 2 naming the problem (in-process)', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await main(['--model', '/nonexistent/car.yaml'])).toBe(2);
      expect(await main(['--model', join(ROOT, 'examples/elevator-fleet.model.yaml'), '--fault', 'car-0001:brake-wear@0'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors[0]).toContain('cannot read /nonexistent/car.yaml: no such file');
    expect(errors[1]).toContain('fault brake-wear needs statuses the model');
  });

  it('prints what it publishes where; SIGINT publishes NDEATH and offline status, disconnects and exits 0', async () => {
    const run = sim([
      ...['--broker', broker.url, '--username', 'sim', '--password', 'secret', '--assets', '3', '--sparkplug-share', '0.34'],
      ...['--rate', '5', '--time-scale', '600', '--seed', '7', '--stats', '0', '--fault', 'car-0001:impact@0'],
    ]);
    running.push(run.child);
    await waitFor('the birth of car-0003 and telemetry of car-0001', () =>
      broker.tapped.some((m) => m.topic === 'spBv1.0/pss/DBIRTH/car-0003/vehicle') && broker.tapped.some((m) => m.topic === 'vehicles/car-0001/telemetry'),
    );
    const out = run.stdout();
    expect(out).toContain('vehicle-mqtt: 3 vehicles of model passenger-car (72 statuses each), seed 7');
    expect(out).toContain('JSON (2): vehicles/{vehicle}/telemetry QoS 0');
    expect(out).toContain('Sparkplug B (1): spBv1.0/pss/NBIRTH/{vehicle}');
    expect(out).toContain('fault car-0001: impact from sim +0s');
    expect(out).toContain('ss.body fires');
    const since = Date.now();
    run.child.kill('SIGINT');
    const { code, stdout } = await run.done;
    expect(code).toBe(0);
    expect(stdout).toContain('SIGINT: publishing NDEATH / offline status and disconnecting');
    expect(stdout).toContain('stopped');
    const after = broker.tapped.filter((m) => m.at >= since);
    const ndeath = after.find((m) => m.topic === 'spBv1.0/pss/NDEATH/car-0003');
    expect(ndeath && toNumber(decodePayload(ndeath.payload).metrics![0].value)).toBe(0);
    expect(after.filter((m) => m.topic.endsWith('/status')).map((m) => JSON.parse(m.payload.toString()).online)).toEqual([false, false]);
    await waitFor('no simulator client left', () => broker.aedes.connectedClients === 0);
  }, SPAWN_TIMEOUT);

  it('--duration stops by itself (exit 0); refused credentials exit 1', async () => {
    const ok = sim(['--broker', broker.url, '--username', 'sim', '--password', 'secret', '--assets', '1', '--rate', '10', '--duration', '1s', '--stats', '0']);
    const bad = sim(['--broker', broker.url, '--username', 'sim', '--password', 'wrong', '--assets', '2', '--stats', '0']);
    running.push(ok.child, bad.child);
    const [r1, r2] = await Promise.all([ok.done, bad.done]);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain('--duration 1s: publishing NDEATH / offline status and disconnecting');
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/sim:vehicle: broker mqtt:\/\/127\.0\.0\.1:\d+ refused car-000[12]: Connection refused: Bad username or password/);
  }, SPAWN_TIMEOUT);
});
