// npm run -s sim:vehicle -- --assets 200 --broker mqtt://localhost:1883 --seed 7 --rate 1 --time-scale 60 \
//   --sparkplug-share 0.2 --fault car-0003:brake-wear@60
// Prints what it publishes where; SIGINT/SIGTERM (or --duration) publish NDEATH / offline and disconnect cleanly.
import { resolve } from 'path';
import { PssModel, ValidationError } from '@pss/model';
import { loadDocument } from '@pss/documents';
import { CliOptions, EXIT, UsageError, faultList, helpText, parseCli } from './cli';
import { FleetConfigError } from './fleet';
import { VehicleSimulator } from './simulator';

const DEFAULT_MODEL = resolve(__dirname, '../../../examples/passenger-car.model.yaml');

function readModel(file: string): PssModel {
  const { document } = loadDocument(file);
  if (document.kind === 'PssModel') return document.value;
  if (document.kind === 'ConfigurationProblem') return document.value.model;
  throw new UsageError(`--model ${file}: a ${document.kind} has no parts or statuses (give a PssModel)`);
}

async function run(options: CliOptions): Promise<number> {
  const model = readModel(options.model);
  let fatal: string | null = null;
  const simulator = new VehicleSimulator({
    model,
    assets: options.assets,
    seed: options.seed,
    broker: options.broker,
    rate: options.rate,
    timeScale: options.timeScale,
    sparkplugShare: options.sparkplugShare,
    faults: options.faults,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.start !== undefined ? { start: options.start } : {}),
    group: options.group,
    topicPrefix: options.topicPrefix,
    clientPrefix: options.clientPrefix,
    reconnectMinMs: options.reconnectMinMs,
    reconnectMaxMs: options.reconnectMaxMs,
    statsEveryMs: options.statsEveryMs,
    verbose: options.verbose,
    log: (line) => console.log(line),
    onEvent: (event) => {
      if (event.type === 'fatal') {
        fatal = event.message;
        finish('fatal');
      }
    },
  });

  let finish: (why: string) => void = () => undefined;
  const done = new Promise<string>((resolveDone) => {
    finish = resolveDone;
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      console.error(`${signal} again: exiting without a clean disconnect`);
      process.exit(130);
    }
    finish(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  for (const line of simulator.describe()) console.log(line);
  simulator.start();
  const durationMs = options.durationMs;
  const timer = durationMs !== undefined ? setTimeout(() => finish(`--duration ${durationMs / 1000}s`), durationMs) : null;

  const why = await done;
  if (timer) clearTimeout(timer);
  if (why !== 'fatal') console.log(`${why}: publishing NDEATH / offline status and disconnecting`);
  await simulator.stop();
  console.log(simulator.statsLine());
  console.log('stopped');
  if (fatal !== null) {
    console.error(`sim:vehicle: ${fatal}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = parseCli(argv, DEFAULT_MODEL);
    if (command.kind === 'help') {
      process.stdout.write(helpText('examples/passenger-car.model.yaml'));
      return EXIT.ok;
    }
    if (command.kind === 'list-faults') {
      process.stdout.write(faultList());
      return EXIT.ok;
    }
    return await run(command.options);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`sim:vehicle: error: ${error.message}\n(see --help)`);
      return EXIT.usage;
    }
    // A model that does not load, or a fault the model cannot take: the input is wrong, not the program.
    if (error instanceof ValidationError || error instanceof FleetConfigError) {
      console.error(`sim:vehicle: error: ${error.message}`);
      return EXIT.usage;
    }
    const e = error as Error;
    console.error(`sim:vehicle: internal error: ${e.stack ?? e.message}`);
    return 70;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
