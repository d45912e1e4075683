// CLI of the OPC UA elevator fleet simulator:
//   npm run -s sim:elevator -- --assets 50 --port 4840 --seed 7 --time-scale 60 --fault elevator-03:bearing-wear@120
// Exit codes: 0 after a clean shutdown (Ctrl-C / SIGTERM) or --help, 2 for bad options (including
// a model that does not load), 1 when the server cannot start or fails.
import { resolve } from 'path';
import { parseArgs } from 'util';
import { loadDocument } from '@pss/documents';
import type { PssModel } from '@pss/model';
import { FAULTS, FAULT_KINDS, assetIds, isFaultKind, type FaultEvent } from './fleet';
import { isDemoPassword } from './settings';

/** The example model, found from this file so that the CLI works from any directory. */
const DEFAULT_MODEL = resolve(__dirname, '../../../examples/elevator-fleet.model.yaml');

const USAGE = `Usage: npm run -s sim:elevator -- [options]

An OPC UA server simulating a fleet of elevators of a PSS model: one variable per status of
every part of every elevator, values evolving with simulated time (traffic, wear, noise) and
faults that fire the model's service triggers.

Options:
  --model FILE        PSS model (YAML or JSON; a ConfigurationProblem's model works too)
                      (default: examples/elevator-fleet.model.yaml)
  --assets N          number of elevators, 1..9999 (default 10)
  --seed N            PRNG seed, 0..4294967295: same seed and faults, same values (default 1)
  --port N            TCP port, 0 = any free port (default 4840)
  --hostname NAME     host name in the endpoint URL (default: this machine's name)
  --time-scale X      simulated seconds per real second, e.g. 60 (default 1)
  --interval MS       real milliseconds between value updates (default 1000)
  --step S            simulated seconds per simulation step (default 1; raise it for
                      very large time scales and fleets: the cost is assets x steps)
  --fault SPEC        schedule a fault, repeatable: ELEVATOR:KIND@SECONDS[+DURATION]
                      (simulated seconds after start), e.g. elevator-03:bearing-wear@120,
                      elevator-05:door-obstruction@300+420
  --timestamps MODE   simulated (default: start + simulated time) or wall
  --pki-dir DIR       certificate store (default: $SIM_ELEVATOR_PKI_DIR, else
                      <os temp dir>/pss-sim-elevator-pki)
  --user NAME         login user (default: $SIM_ELEVATOR_USER, else "pss": demo only)
  --password PW       login password (default: $SIM_ELEVATOR_PASSWORD, else "pss-demo": demo only)
  --no-login          no user/password login at all (anonymous only)
  --no-anonymous      refuse anonymous sessions (a login is required)
  --list-faults       print the fault kinds and the triggers they fire, then exit
  -h, --help          print this help and exit

Fault kinds: ${FAULT_KINDS.join(', ')}.
Security: None, and Basic256Sha256 with Sign or SignAndEncrypt.
NodeIds: ns=1;s=<elevator>/<part>/<status>, e.g. ns=1;s=elevator-01/p.traction/vibration_rms
`;

class UsageError extends Error {}

export interface CliOptions {
  modelFile: string;
  assets: number;
  seed: number;
  port: number;
  hostname?: string;
  timeScale: number;
  intervalMs: number;
  stepSeconds: number;
  faults: FaultEvent[];
  timestamps: 'simulated' | 'wall';
  pkiDir?: string;
  user?: string;
  password?: string;
  login: boolean;
  anonymous: boolean;
}

export type ParsedCli = { help: true } | { listFaults: true } | { options: CliOptions };

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        assets: { type: 'string' },
        seed: { type: 'string' },
        port: { type: 'string' },
        hostname: { type: 'string' },
        'time-scale': { type: 'string' },
        interval: { type: 'string' },
        step: { type: 'string' },
        fault: { type: 'string', multiple: true },
        timestamps: { type: 'string' },
        'pki-dir': { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        'no-login': { type: 'boolean' },
        'no-anonymous': { type: 'boolean' },
        'list-faults': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    // parseArgs's messages are good ("Unknown option '--x'"), minus its advice about '--'.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** Parses argv (without node and script); throws UsageError with a message fit for the user. */
export function parseCli(argv: string[]): ParsedCli {
  const values = parseOptions(argv);
  if (values.help) return { help: true };
  if (values['list-faults']) return { listFaults: true };

  const assets = integer('--assets', values.assets, 10, 1, 9999);
  const timestamps = values.timestamps ?? 'simulated';
  if (timestamps !== 'simulated' && timestamps !== 'wall') throw new UsageError(`--timestamps must be simulated or wall, got ${timestamps}`);
  if (values['no-login'] && (values.user !== undefined || values.password !== undefined)) throw new UsageError('--no-login contradicts --user/--password');
  if (values['no-login'] && values['no-anonymous']) throw new UsageError('--no-login with --no-anonymous leaves no way to log in');
  const ids = new Set(assetIds(assets));
  return {
    options: {
      modelFile: values.model ?? DEFAULT_MODEL,
      assets,
      seed: integer('--seed', values.seed, 1, 0, 0xffffffff),
      port: integer('--port', values.port, 4840, 0, 65535),
      hostname: values.hostname,
      timeScale: positive('--time-scale', values['time-scale'], 1),
      intervalMs: positive('--interval', values.interval, 1000, 10),
      stepSeconds: positive('--step', values.step, 1),
      faults: (values.fault ?? []).map((spec) => parseFault(spec, ids)),
      timestamps,
      pkiDir: values['pki-dir'],
      user: values.user,
      password: values.password,
      login: !values['no-login'],
      anonymous: !values['no-anonymous'],
    },
  };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = NUMBER.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer in ${min}..${max}, got ${JSON.stringify(text)}`);
  return n;
}

function positive(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  const n = NUMBER.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n < min) throw new UsageError(`${name} must be a number > ${min}, got ${JSON.stringify(text)}`);
  return n;
}

/** ELEVATOR:KIND@SECONDS[+DURATION] */
export function parseFault(spec: string, assets: ReadonlySet<string>): FaultEvent {
  const m = /^([^:@+\s]+):([a-z-]+)@([0-9.]+)(?:\+([0-9.]+))?$/.exec(spec.trim());
  if (!m) throw new UsageError(`--fault ${JSON.stringify(spec)}: expected ELEVATOR:KIND@SECONDS[+DURATION], e.g. elevator-03:bearing-wear@120`);
  const [, asset, kind, atText, durationText] = m;
  if (!assets.has(asset)) {
    const list = [...assets];
    throw new UsageError(`--fault ${JSON.stringify(spec)}: no elevator ${asset} (the fleet has ${list[0]}..${list[list.length - 1]})`);
  }
  if (!isFaultKind(kind)) throw new UsageError(`--fault ${JSON.stringify(spec)}: unknown fault kind ${kind} (known: ${FAULT_KINDS.join(', ')})`);
  const at = Number(atText);
  const duration = durationText === undefined ? undefined : Number(durationText);
  if (!Number.isFinite(at)) throw new UsageError(`--fault ${JSON.stringify(spec)}: bad time ${atText}`);
  if (duration !== undefined && !(duration > 0)) throw new UsageError(`--fault ${JSON.stringify(spec)}: the duration must be > 0 seconds`);
  return { asset, kind, at, duration };
}

function readModel(file: string): PssModel {
  let loaded;
  try {
    loaded = loadDocument(file);
  } catch (error) {
    throw new UsageError(`--model: ${(error as Error).message}`);
  }
  const doc = loaded.document;
  if (doc.kind === 'PssModel') return doc.value;
  if (doc.kind === 'ConfigurationProblem') return doc.value.model;
  throw new UsageError(`--model ${file}: a ${doc.kind} has no parts to simulate; give a PssModel`);
}

export function faultTable(): string {
  return FAULT_KINDS.map((k) => {
    const f = FAULTS[k];
    const duration = Number.isFinite(f.defaultDurationSeconds) ? `${f.defaultDurationSeconds} s` : 'until ClearFaults';
    return `${k}\n  fires ${f.trigger} via ${f.clause}\n  ${f.firesAfterSeconds}-${f.firesWithinSeconds} simulated s after onset; default duration ${duration}\n  ${f.description}`;
  }).join('\n');
}

async function main(argv: string[]): Promise<number> {
  let parsed: ParsedCli;
  let model: PssModel;
  try {
    parsed = parseCli(argv);
    if ('help' in parsed) {
      process.stdout.write(USAGE);
      return 0;
    }
    if ('listFaults' in parsed) {
      process.stdout.write(`${faultTable()}\n`);
      return 0;
    }
    model = readModel(parsed.options.modelFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`sim-elevator: ${error.message}\nRun with --help for the options.\n`);
    return 2;
  }
  const o = parsed.options;

  // Loaded only now: node-opcua takes a second or two to load, which --help and option errors need not wait for.
  const { startElevatorServer } = await import('./server');
  const server = await startElevatorServer({
    model,
    assets: o.assets,
    seed: o.seed,
    port: o.port,
    hostname: o.hostname,
    timeScale: o.timeScale,
    updateIntervalMs: o.intervalMs,
    stepSeconds: o.stepSeconds,
    faults: o.faults,
    timestamps: o.timestamps,
    pkiDir: o.pkiDir,
    // Only the parts given on the command line override the environment and demo defaults.
    credentials: o.login ? { user: o.user, password: o.password } : null,
    allowAnonymous: o.anonymous,
  });

  const first = server.fleet.statuses[0];
  const login = server.credentials ? `user "${server.credentials.user}"${isDemoPassword(server.credentials) ? ' with the demo password (demo only: see the README)' : ''}` : 'no user login';
  const lines = [
    `PSS elevator fleet simulator: ${o.assets} elevators of model "${model.name}", seed ${o.seed}, time scale ${o.timeScale} (1 real s = ${o.timeScale} simulated s), step ${o.stepSeconds} s, updates every ${o.intervalMs} ms`,
    `Endpoint:  ${server.endpointUrl}`,
    `Security:  None; Basic256Sha256 Sign, SignAndEncrypt. Sessions: ${o.anonymous ? 'anonymous, ' : ''}${login}`,
    `PKI:       ${server.pkiDir}`,
    `Namespace: ns=1 = ${server.namespaceUri}`,
    `NodeIds:   ns=1;s=<elevator>/<part>/<status>, e.g. ${first ? server.nodeIdOf(server.fleet.assets[0], first.ref) : '(the model has no statuses)'}`,
    `           elevators ${server.fleet.assets[0]}..${server.fleet.assets[server.fleet.assets.length - 1]} under Objects/Elevators (ns=1;s=Elevators)`,
    `Methods:   ns=1;s=<elevator>/InjectFault(kind: String, durationSeconds: Double), ns=1;s=<elevator>/ClearFaults()`,
    ...o.faults.map((f) => `Fault:     ${f.asset} ${f.kind} at simulated t=${f.at} s${f.duration ? ` for ${f.duration} s` : ''}: fires ${FAULTS[f.kind].trigger} ${FAULTS[f.kind].firesAfterSeconds}-${FAULTS[f.kind].firesWithinSeconds} s after`),
    'Ctrl-C stops.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  return new Promise<number>((done) => {
    let stoppingSince: number | null = null;
    const stop = (signal: NodeJS.Signals): void => {
      if (stoppingSince !== null) {
        // Launchers relay signals: with `npm run` or tsx, a signal sent to the process group
        // arrives here twice within milliseconds. Only a later one is a second Ctrl-C, meaning
        // "now": do not wait for the clean shutdown.
        if (Date.now() - stoppingSince < 1500) return;
        process.stderr.write(`sim-elevator: ${signal} again, exiting without waiting\n`);
        process.exit(130);
      }
      stoppingSince = Date.now();
      process.stdout.write(`sim-elevator: ${signal}, shutting down\n`);
      server.shutdown(500).then(
        () => done(0),
        (error: unknown) => {
          process.stderr.write(`sim-elevator: shutdown failed: ${(error as Error).message}\n`);
          done(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // System errors (EADDRINUSE, EACCES...) explain themselves; anything else is a bug: show where.
      const system = error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
      process.stderr.write(`sim-elevator: ${system ? `cannot run: ${(error as Error).message}` : ((error as Error).stack ?? String(error))}\n`);
      process.exit(1);
    },
  );
}
