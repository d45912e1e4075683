// The telemetry module: MQTT ingest, dashboard queries, health and counters. Needs CLOUD_CONFIG and CLOCK
// (platform/tokens.ts) from a global provider; exports TelemetryService (health(), stats()) and the store.
import { DynamicModule, Module } from '@nestjs/common';
import { CloudConfig } from '../platform/config';
import { CLOCK, CLOUD_CONFIG, Clock } from '../platform/tokens';
import { TelemetryMqttController } from './telemetry-mqtt.controller';
import { TELEMETRY_STORE, TelemetryStore } from './telemetry-store';
import { TelemetryController } from './telemetry.controller';
import { TELEMETRY_OPTIONS, TelemetryOptions, TelemetryService, createTelemetryStore } from './telemetry.service';

@Module({
  controllers: [TelemetryController, TelemetryMqttController],
  providers: [
    {
      provide: TELEMETRY_STORE,
      inject: [CLOUD_CONFIG, CLOCK, { token: TELEMETRY_OPTIONS, optional: true }],
      useFactory: (config: CloudConfig, clock: Clock, options: TelemetryOptions | undefined): TelemetryStore =>
        createTelemetryStore(config, clock, options ?? {}),
    },
    {
      provide: TelemetryService,
      inject: [TELEMETRY_STORE, CLOCK, { token: TELEMETRY_OPTIONS, optional: true }],
      useFactory: (store: TelemetryStore, clock: Clock, options: TelemetryOptions | undefined): TelemetryService =>
        new TelemetryService(store, clock, options ?? {}),
    },
  ],
  exports: [TelemetryService, TELEMETRY_STORE],
})
export class TelemetryModule {
  /** The module with tuned bounds and retention (TelemetryOptions); plain TelemetryModule uses the defaults. */
  static withOptions(options: TelemetryOptions): DynamicModule {
    return { module: TelemetryModule, providers: [{ provide: TELEMETRY_OPTIONS, useValue: options }] };
  }
}
