// The edge gateway's command line:
//   npm run -s gateway -- --config deploy/edge/gateway.yaml [--check] [--data-dir DIR] [--http-port N] [--log-level L]
// Exit codes: 0 stopped cleanly, 2 bad usage or invalid configuration (nothing was connected), 1 could not start.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ValidationError, formatIssue } from '@pss/model';
import { loadConfig } from './config/load';
import { Gateway } from './gateway';
import { GATEWAY_VERSION } from './version';

const USAGE = `pss edge gateway ${GATEWAY_VERSION}

Usage: npm run -s gateway -- --config FILE [options]

  --config FILE      the gateway's YAML configuration (docs/configuration.md)
  --check            validate the configuration and the model, print a summary, exit
  --data-dir DIR     override dataDir (spool and trigger state)
  --http-port N      override http.port (0 = any free port)
  --log-level L      trace, debug, info (default), warn, error
  --help             this text
`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        check: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'http-port': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`--config is required\n\n${USAGE}`);
    return 2;
  }
  const level = values['log-level'] ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(level)) {
    process.stderr.write(`--log-level must be trace, debug, info, warn or error, got "${level}"\n`);
    return 2;
  }
  const httpPort = values['http-port'] === undefined ? undefined : Number(values['http-port']);
  if (httpPort !== undefined && !(Number.isInteger(httpPort) && httpPort >= 0 && httpPort <= 65535)) {
    process.stderr.write(`--http-port must be an integer from 0 to 65535, got "${values['http-port']}"\n`);
    return 2;
  }

  let loaded;
  try {
    loaded = loadConfig(values.config, {
      overrides: (raw) => {
        if (values['data-dir'] !== undefined) raw.dataDir = values['data-dir'];
        if (httpPort !== undefined) raw.http = { ...(typeof raw.http === 'object' && raw.http !== null ? raw.http : {}), port: httpPort };
      },
    });
  } catch (e) {
    if (e instanceof ValidationError) {
      process.stderr.write(`invalid configuration: ${e.message}\n`);
      for (const w of e.warnings) process.stderr.write(`  warning: ${formatIssue(w)}\n`);
      return 2;
    }
    throw e;
  }
  const { config, warnings } = loaded;
  for (const w of warnings) process.stderr.write(`warning: ${config.file}: ${formatIssue(w)}\n`);
  if (values.check) {
    process.stdout.write(
      `${config.file}: valid\n  gateway ${config.gateway} (tenant ${config.tenant}), model ${config.model.name} (${config.model.triggers.length} triggers)\n` +
        `  ${config.assets.length} assets, ${config.opcua.length} OPC UA bindings on ${config.opcuaEndpoints.length} endpoint(s), ${config.mqtt.length} MQTT bindings\n` +
        `  uplink ${config.uplink.url}, data in ${config.dataDir}\n`,
    );
    return 0;
  }

  const logger = pino({ level, base: { gateway: config.gateway } });
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({ config, logger, version: GATEWAY_VERSION });
  } catch (e) {
    logger.error({ err: (e as Error).message }, `could not start: ${(e as Error).message}`);
    return 1;
  }
  logger.info(
    { http: gateway.httpPort, assets: config.assets.length },
    `gateway ${config.gateway} up: ${config.assets.length} assets; metrics http://${config.http.host}:${gateway.httpPort}/metrics, health /health`,
  );
  // The line tests and scripts wait for (stdout, not the JSON log).
  process.stdout.write(`READY http=${gateway.httpPort}\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, `${signal}: stopping`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await gateway.stop();
  logger.info({}, 'stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`edge gateway: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
