// The cloud service: the global platform (configuration, database, MQTT, auth, health, metrics) and the domain
// modules. `AppModule` reads its configuration from the environment; `AppModule.forRoot({config})` takes one
// (tests, embedding).
import { DynamicModule, Inject, Injectable, Module, Type } from '@nestjs/common';
import { ConfigurationModule } from './configuration/configuration.module';
import { ContractsModule } from './contracts/contracts.module';
import { FeedbackModule } from './feedback/feedback.module';
import { ModelsModule } from './models/models.module';
import { HealthRegistry } from './platform/health';
import { PlatformModule, PlatformOptions } from './platform/platform.module';
import { HEALTH } from './platform/tokens';
import { TelemetryModule } from './telemetry/telemetry.module';
import { TelemetryService } from './telemetry/telemetry.service';
import { TriggersModule } from './triggers/triggers.module';
import { WorkOrdersModule } from './work-orders/work-orders.module';

export const DOMAIN_MODULES: Type<unknown>[] = [
  ModelsModule,
  ContractsModule,
  TriggersModule,
  ConfigurationModule,
  WorkOrdersModule,
  FeedbackModule,
  TelemetryModule,
];

/** GET /health reports the telemetry store; not critical: without InfluxDB the service still plans and dispatches. */
@Injectable()
export class TelemetryHealth {
  constructor(@Inject(HEALTH) health: HealthRegistry, @Inject(TelemetryService) telemetry: TelemetryService) {
    health.register(
      'telemetry',
      () => {
        const store = telemetry.health();
        return { state: store.ok ? 'up' : 'down', kind: store.kind, detail: store.detail };
      },
      { critical: false },
    );
  }
}

@Module({})
class ConfiguredAppModule {}

@Module({ imports: [PlatformModule.forRoot(), ...DOMAIN_MODULES], providers: [TelemetryHealth] })
export class AppModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return { module: ConfiguredAppModule, imports: [PlatformModule.forRoot(options), ...DOMAIN_MODULES], providers: [TelemetryHealth] };
  }
}
