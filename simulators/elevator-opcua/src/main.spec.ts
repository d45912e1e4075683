// The CLI: option parsing on its own, then the real command as a child process (tsx, as
// `npm run sim:elevator` runs it): --help, a bad option (exit 2), and a start that a Ctrl-C
// (SIGINT to the process group, as a terminal sends it) shuts down cleanly.
import { spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FAULT_KINDS } from './fleet';
import { faultTable, parseCli, parseFault } from './main';
import { DEMO_PASSWORD, DEMO_USER, defaultPkiDir, isDemoPassword, resolveCredentials } from './settings';

const ROOT = join(__dirname, '..', '..', '..');
// A started simulator generates its certificate and loads node-opcua: seconds on a busy machine.
jest.setTimeout(40_000);

/** Children still running (pid -> exited), killed in afterAll should a test give up on one. */
const running = new Map<number, Promise<void>>();
const dir = mkdtempSync(join(tmpdir(), 'pss-sim-elevator-cli-'));

// One hook, in this order: a simulator left running by a failed test would otherwise recreate its
// PKI folder after the folder was removed (inner afterAll hooks run before outer ones).
afterAll(async () => {
  for (const pid of running.keys()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await Promise.all(running.values());
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI through tsx in its own process group. `onOutput` sees stdout as it grows and may
 * return a signal to send to the group (once).
 */
function runCli(args: string[], onOutput?: (stdout: string) => NodeJS.Signals | undefined, timeoutMs = 25_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), '--tsconfig', 'tsconfig.base.json', 'simulators/elevator-opcua/src/main.ts', ...args], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SIM_ELEVATOR_USER: '', SIM_ELEVATOR_PASSWORD: '' },
    });
    if (child.pid) running.set(child.pid, new Promise((exited) => child.once('exit', () => exited())));
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const timer = setTimeout(() => {
      // Never leave a simulator behind, even when the test fails.
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`CLI did not finish in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const signal = onOutput?.(stdout);
      if (signal && !signalled && child.pid) {
        signalled = true;
        process.kill(-child.pid, signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (child.pid) running.delete(child.pid);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('parseCli', () => {
  it('has defaults for everything', () => {
    const parsed = parseCli([]);
    if (!('options' in parsed)) throw new Error('expected options');
    expect(parsed.options).toMatchObject({ assets: 10, seed: 1, port: 4840, timeScale: 1, intervalMs: 1000, stepSeconds: 1, faults: [], timestamps: 'simulated', login: true, anonymous: true });
    expect(parsed.options.modelFile).toBe(join(ROOT, 'examples', 'elevator-fleet.model.yaml'));
  });

  it('reads the documented example command line', () => {
    const parsed = parseCli('--assets 50 --port 4840 --seed 7 --model examples/elevator-fleet.model.yaml --time-scale 60 --fault elevator-03:bearing-wear@120'.split(' '));
    if (!('options' in parsed)) throw new Error('expected options');
    expect(parsed.options).toMatchObject({
      assets: 50,
      port: 4840,
      seed: 7,
      modelFile: 'examples/elevator-fleet.model.yaml',
      timeScale: 60,
      faults: [{ asset: 'elevator-03', kind: 'bearing-wear', at: 120, duration: undefined }],
    });
  });

  it('reads every other option', () => {
    const parsed = parseCli([
      '--fault', 'elevator-01:door-obstruction@300+420', '--fault', 'elevator-02:brake-wear@0', '--interval', '250', '--step', '5', '--timestamps', 'wall',
      '--pki-dir', '/tmp/x', '--user', 'u', '--password', 'p', '--no-anonymous', '--hostname', 'localhost', '--port', '0',
    ]);
    if (!('options' in parsed)) throw new Error('expected options');
    expect(parsed.options).toMatchObject({
      faults: [
        { asset: 'elevator-01', kind: 'door-obstruction', at: 300, duration: 420 },
        { asset: 'elevator-02', kind: 'brake-wear', at: 0, duration: undefined },
      ],
      intervalMs: 250,
      stepSeconds: 5,
      timestamps: 'wall',
      pkiDir: '/tmp/x',
      user: 'u',
      password: 'p',
      anonymous: false,
      login: true,
      hostname: 'localhost',
      port: 0,
    });
    expect(parseCli(['-h'])).toEqual({ help: true });
    expect(parseCli(['--list-faults'])).toEqual({ listFaults: true });
  });

  it.each([
    [['--assets', '0'], '--assets must be an integer in 1..9999, got "0"'],
    [['--assets', 'ten'], '--assets must be an integer in 1..9999, got "ten"'],
    [['--port', '70000'], '--port must be an integer in 0..65535'],
    [['--seed', '-1'], "Option '--seed' argument is ambiguous"],
    [['--seed', '1.5'], '--seed must be an integer in 0..4294967295'],
    [['--time-scale', '0'], '--time-scale must be a number > 0'],
    [['--interval', '5'], '--interval must be a number > 10'],
    [['--timestamps', 'utc'], '--timestamps must be simulated or wall'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['positional'], "Unexpected argument 'positional'"],
    [['--assets', '5', '--fault', 'elevator-06:brake-wear@1'], 'no elevator elevator-06 (the fleet has elevator-01..elevator-05)'],
    [['--fault', 'elevator-01:melt@1'], 'unknown fault kind melt'],
    [['--fault', 'elevator-01:brake-wear'], 'expected ELEVATOR:KIND@SECONDS[+DURATION]'],
    [['--fault', 'elevator-01:door-obstruction@1+0'], 'the duration must be > 0 seconds'],
    [['--no-login', '--no-anonymous'], 'leaves no way to log in'],
    [['--no-login', '--user', 'x'], '--no-login contradicts --user/--password'],
  ])('rejects %j', (args, message) => {
    expect(() => parseCli(args)).toThrow(message);
  });

  it('parses fault specs against the fleet', () => {
    const ids = new Set(['elevator-01']);
    expect(parseFault(' elevator-01:rope-stretch@12.5+60 ', ids)).toEqual({ asset: 'elevator-01', kind: 'rope-stretch', at: 12.5, duration: 60 });
  });

  it('lists every fault kind with its trigger', () => {
    const table = faultTable();
    for (const kind of FAULT_KINDS) expect(table).toContain(`${kind}\n  fires ss.`);
  });
});

describe('settings', () => {
  it('credentials: option, else environment, else the demo defaults; null = no login', () => {
    expect(resolveCredentials(undefined, {})).toEqual({ user: DEMO_USER, password: DEMO_PASSWORD });
    expect(isDemoPassword(resolveCredentials(undefined, {}))).toBe(true);
    expect(resolveCredentials(undefined, { SIM_ELEVATOR_USER: 'env-user', SIM_ELEVATOR_PASSWORD: 'env-pw' })).toEqual({ user: 'env-user', password: 'env-pw' });
    expect(resolveCredentials({ password: 'opt-pw' }, { SIM_ELEVATOR_USER: 'env-user' })).toEqual({ user: 'env-user', password: 'opt-pw' });
    expect(resolveCredentials(null, { SIM_ELEVATOR_USER: 'env-user' })).toBeNull();
  });

  it('keeps the PKI folder under the OS temp dir unless told otherwise', () => {
    expect(defaultPkiDir({})).toBe(join(tmpdir(), 'pss-sim-elevator-pki'));
    expect(defaultPkiDir({ SIM_ELEVATOR_PKI_DIR: '/srv/pki' })).toBe('/srv/pki');
  });
});

describe('sim:elevator command', () => {
  it('--help lists the options and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const option of ['--assets', '--port', '--seed', '--model', '--time-scale', '--fault', '--pki-dir', '--user', '--password', '--help']) expect(run.stdout).toContain(option);
  });

  it('a bad option: a clear error on stderr and exit 2', async () => {
    const run = await runCli(['--assets', '5', '--fault', 'elevator-09:bearing-wear@120']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('sim-elevator: --fault "elevator-09:bearing-wear@120": no elevator elevator-09 (the fleet has elevator-01..elevator-05)\nRun with --help for the options.\n');
  });

  it('a model that does not load is a bad option too', async () => {
    const run = await runCli(['--model', join(dir, 'missing.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no such file');
  });

  it('prints the endpoint and the NodeId scheme, and shuts down cleanly on Ctrl-C', async () => {
    const run = await runCli(
      ['--assets', '3', '--port', '0', '--hostname', 'localhost', '--seed', '7', '--time-scale', '60', '--fault', 'elevator-03:bearing-wear@120', '--pki-dir', join(dir, 'pki')],
      (out) => (out.includes('Ctrl-C stops.') ? 'SIGINT' : undefined),
    );
    expect(run.stdout).toMatch(/^Endpoint: {2}opc\.tcp:\/\/localhost:\d+\/UA\/PSS-Elevators$/m);
    expect(run.stdout).toContain('NodeIds:   ns=1;s=<elevator>/<part>/<status>, e.g. ns=1;s=elevator-01/p.traction/vibration_rms');
    expect(run.stdout).toContain('elevator-03 bearing-wear at simulated t=120 s: fires ss.traction');
    expect(run.stdout).toContain(`PKI:       ${join(dir, 'pki')}`);
    expect(run.stdout).toContain('user "pss" with the demo password');
    expect(run.stdout).toContain('sim-elevator: SIGINT, shutting down');
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
  });
});
