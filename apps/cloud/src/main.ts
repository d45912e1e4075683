// The cloud service:  npm run cloud
// Configuration from the environment only (platform/config.ts; docs/operations.md, "Cloud service"). Prints
// `CLOUD READY http=<port> mqtt=<url>` on stdout once it accepts HTTP requests and MQTT connections; logs are
// JSON lines (pino) on stdout. SIGTERM/SIGINT: graceful shutdown. Exit codes: 2 invalid configuration, 1 could
// not start.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { RunningCloud, startCloudApp } from './platform/bootstrap';
import { CloudConfig, ConfigError, loadCloudConfig } from './platform/config';
import type { Logger } from './platform/logger';

export interface StartOptions {
  /** Default: loadCloudConfig(process.env). */
  config?: CloudConfig;
  logger?: Logger;
  /** Close the app on SIGTERM/SIGINT (main does; tests close it themselves). */
  shutdownHooks?: boolean;
}

/** Builds and starts the service; resolves once it listens. */
export async function startCloud(options: StartOptions = {}): Promise<RunningCloud> {
  const module = options.config === undefined && options.logger === undefined ? AppModule : AppModule.forRoot({ config: options.config, logger: options.logger });
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true, bodyParser: false, abortOnError: false });
  if (options.shutdownHooks) app.enableShutdownHooks();
  try {
    return await startCloudApp(app);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

async function main(): Promise<number> {
  let config: CloudConfig;
  try {
    config = loadCloudConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`invalid configuration: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let cloud: RunningCloud;
  try {
    cloud = await startCloud({ config, shutdownHooks: true });
  } catch (error) {
    process.stderr.write(`the cloud service could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
  process.stdout.write(`CLOUD READY http=${cloud.httpPort} mqtt=${cloud.mqttUrl}\n`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
