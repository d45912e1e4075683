// The platform every domain module builds on (global): configuration, clock, logger, metrics registry, health
// registry, the database (migrated at start), the MQTT broker connection (the embedded broker when MQTT_URL is
// not set) and publisher, the auth guard and the error filter, and the platform's own routes (/health, /metrics,
// /api/keys).
//
// Shutdown (app.close(), on SIGTERM/SIGINT with enableShutdownHooks): Nest first runs onModuleDestroy and
// beforeApplicationShutdown of every module (domain modules stop their timers and work there), then closes the
// HTTP server (no new connections; requests in flight finish) and the MQTT transport, then runs
// onApplicationShutdown, where PlatformLifecycle closes the publisher, the embedded broker and the database, in
// that order. Global modules' hooks run first, so domain modules must not use the database in their own
// onApplicationShutdown.
import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Database, chooseDatabase, openDatabase, redactPassword, runMigrations } from '../persistence';
import { ApiKeysController } from './api-keys.controller';
import { AUTHENTICATOR, AuthGuard } from './auth.guard';
import { ApiKeyAuthenticator } from './authenticator';
import { CloudConfig, loadCloudConfig } from './config';
import { EMBEDDED_BROKER, EmbeddedBroker } from './embedded-broker';
import { ApiExceptionFilter } from './errors';
import { HealthController, HealthRegistry } from './health';
import { createLogger } from './logger';
import { HTTP_METRICS, HttpMetrics, MetricsController, createHttpMetrics, createMetricsRegistry } from './metrics';
import { MqttJsPublisher } from './mqtt-publisher';
import { CLOCK, CLOUD_CONFIG, Clock, DATABASE, HEALTH, LOGGER, METRICS, MQTT_CONNECTION, MQTT_PUBLISHER, MqttConnection } from './tokens';

export interface PlatformOptions {
  /** Default: loadCloudConfig(process.env), read when the module is instantiated. */
  config?: CloudConfig;
  /** Default: pino on stdout at config.logLevel. */
  logger?: Logger;
}

/** aedes has no shared subscriptions, and one instance owns the embedded broker: no group there. */
export function effectiveConfig(config: CloudConfig): CloudConfig {
  return config.mqttUrl === undefined && config.shareGroup !== undefined ? { ...config, shareGroup: undefined } : config;
}

/** Closes what the platform opened, in dependency order, once Nest has stopped HTTP and the MQTT transport. */
@Injectable()
export class PlatformLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EMBEDDED_BROKER) private readonly broker: EmbeddedBroker | null,
    @Inject(MQTT_PUBLISHER) private readonly publisher: MqttJsPublisher,
    @Inject(MQTT_CONNECTION) private readonly connection: MqttConnection,
    @Inject(HEALTH) health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    health.register('database', async () => {
      await db.query('SELECT 1');
      return { state: 'up', kind: db.kind };
    });
    const url = redactPassword(connection.url);
    health.register('mqttBroker', () => {
      if (broker) {
        const status = broker.status();
        return { state: status.state === 'listening' ? 'up' : 'down', embedded: true, port: status.port, clients: status.clients, refused: status.refused };
      }
      // An external broker: reachable when our client is connected to it.
      return { state: publisher.connected ? 'up' : 'down', embedded: false, url };
    });
    health.register('mqttPublisher', () => ({ state: publisher.connected ? 'up' : 'down', url }));
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal }, 'shutting down: closing the MQTT publisher, the embedded broker and the database');
    await this.step('MQTT publisher', () => this.publisher.close());
    if (this.broker) await this.step('embedded MQTT broker', () => this.broker!.stop());
    await this.step('database', () => this.db.close());
    this.logger.info({ signal }, 'shut down');
  }

  /** One failing step must not keep the others from closing: logged, and the next one runs. */
  private async step(what: string, close: () => Promise<void>): Promise<void> {
    try {
      await close();
    } catch (error) {
      this.logger.error({ err: error }, `shutdown: closing the ${what} failed`);
    }
  }
}

function platformProviders(options: PlatformOptions): Provider[] {
  return [
    { provide: CLOUD_CONFIG, useFactory: (): CloudConfig => effectiveConfig(options.config ?? loadCloudConfig()) },
    { provide: CLOCK, useValue: ((): number => Date.now()) satisfies Clock },
    {
      provide: LOGGER,
      inject: [CLOUD_CONFIG],
      useFactory: (config: CloudConfig): Logger => options.logger ?? createLogger({ level: config.logLevel, instanceId: config.instanceId }),
    },
    { provide: METRICS, inject: [CLOUD_CONFIG], useFactory: (config: CloudConfig): Registry => createMetricsRegistry({ instance: config.instanceId }) },
    { provide: HTTP_METRICS, inject: [METRICS], useFactory: (registry: Registry): HttpMetrics => createHttpMetrics(registry) },
    { provide: HEALTH, useFactory: (): HealthRegistry => new HealthRegistry() },
    {
      provide: DATABASE,
      inject: [CLOUD_CONFIG, LOGGER],
      useFactory: async (config: CloudConfig, logger: Logger): Promise<Database> => {
        const env = { DATABASE_URL: config.databaseUrl, PGLITE_DATA_DIR: config.pgliteDataDir };
        logger.info({ database: chooseDatabase(env).description }, 'opening the database');
        const db = await openDatabase(env);
        try {
          const { applied, unknown } = await runMigrations(db);
          logger.info({ applied: applied.map((m) => `${m.version}_${m.name}`), unknown: unknown.map((m) => `${m.version}_${m.name}`) }, 'database migrated');
        } catch (error) {
          await db.close();
          throw error;
        }
        return db;
      },
    },
    {
      provide: AUTHENTICATOR,
      inject: [DATABASE, CLOUD_CONFIG],
      useFactory: (db: Database, config: CloudConfig): ApiKeyAuthenticator => new ApiKeyAuthenticator(db, config.adminKey, config.tenant),
    },
    {
      provide: EMBEDDED_BROKER,
      inject: [CLOUD_CONFIG, AUTHENTICATOR, LOGGER],
      useFactory: async (config: CloudConfig, authenticator: ApiKeyAuthenticator, logger: Logger): Promise<EmbeddedBroker | null> => {
        if (config.mqttUrl !== undefined) return null;
        const broker = new EmbeddedBroker({ port: config.mqttPort, host: config.mqttHost ?? '0.0.0.0', authenticator, logger: logger.child({ module: 'embedded-broker' }) });
        await broker.start();
        return broker;
      },
    },
    {
      provide: MQTT_CONNECTION,
      inject: [CLOUD_CONFIG, EMBEDDED_BROKER],
      useFactory: (config: CloudConfig, broker: EmbeddedBroker | null): MqttConnection =>
        broker
          ? { url: broker.localUrl, username: broker.internalCredential.username, password: broker.internalCredential.password, embedded: true }
          : { url: config.mqttUrl!, username: config.mqttUsername, password: config.mqttPassword, embedded: false },
    },
    {
      provide: MQTT_PUBLISHER,
      inject: [MQTT_CONNECTION, CLOUD_CONFIG, LOGGER, EMBEDDED_BROKER],
      useFactory: async (connection: MqttConnection, config: CloudConfig, logger: Logger, broker: EmbeddedBroker | null): Promise<MqttJsPublisher> => {
        try {
          return await MqttJsPublisher.connect(connection, `pss-cloud-${config.instanceId}`, logger.child({ module: 'mqtt-publisher' }));
        } catch (error) {
          await broker?.stop();
          throw error;
        }
      },
    },
    PlatformLifecycle,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ];
}

const EXPORTS = [CLOUD_CONFIG, CLOCK, LOGGER, METRICS, HTTP_METRICS, HEALTH, DATABASE, AUTHENTICATOR, EMBEDDED_BROKER, MQTT_CONNECTION, MQTT_PUBLISHER];

@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions = {}): DynamicModule {
    return {
      global: true,
      module: PlatformModule,
      controllers: [HealthController, MetricsController, ApiKeysController],
      providers: platformProviders(options),
      exports: EXPORTS,
    };
  }
}
