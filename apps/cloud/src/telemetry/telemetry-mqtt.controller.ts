// The inbound telemetry stream: `@EventPattern` on the telemetry filter of cloudSubscriptions (a shared
// subscription `$share/{group}/pss/v1/+/+/telemetry` with an external broker, so that instances split the batches).
import { Controller, Inject, Logger, OnModuleInit } from '@nestjs/common';
import { Ctx, EventPattern, MqttContext, Payload } from '@nestjs/microservices';
import { Subscription, cloudSubscriptions } from '@pss/protocol';
import { CloudConfig, loadCloudConfig } from '../platform/config';
import { CLOUD_CONFIG } from '../platform/tokens';
import { TelemetryService } from './telemetry.service';

/** The telemetry subscription for a shared-subscription group (undefined = a plain subscription). */
export function telemetrySubscription(group: string | undefined): Subscription {
  return cloudSubscriptions({ group }).find((subscription) => subscription.kind === 'telemetry')!;
}

/**
 * The share group by platform/config.ts's rule (MQTT_SHARE_GROUP, default pss-cloud, "" = none; none with the
 * embedded broker, i.e. without MQTT_URL), read from the environment when this file loads: decorators are static.
 */
export const TELEMETRY_SHARE_GROUP = loadCloudConfig({ MQTT_URL: process.env.MQTT_URL, MQTT_SHARE_GROUP: process.env.MQTT_SHARE_GROUP }).shareGroup;
export const TELEMETRY_SUBSCRIPTION = telemetrySubscription(TELEMETRY_SHARE_GROUP);

@Controller()
export class TelemetryMqttController implements OnModuleInit {
  constructor(
    @Inject(TelemetryService) private readonly telemetry: TelemetryService,
    @Inject(CLOUD_CONFIG) private readonly config: Pick<CloudConfig, 'shareGroup'>,
  ) {}

  onModuleInit(): void {
    // The filter was fixed from the environment; a configuration built otherwise (tests, embedding) may differ.
    if (this.config.shareGroup !== TELEMETRY_SHARE_GROUP) {
      new Logger('Telemetry').warn(
        `telemetry: subscribed with ${TELEMETRY_SUBSCRIPTION.filter} (from the environment), but the configuration's share group is ${this.config.shareGroup ?? 'none'}`,
      );
    }
  }

  @EventPattern(TELEMETRY_SUBSCRIPTION.filter, { qos: TELEMETRY_SUBSCRIPTION.qos })
  async onBatch(@Payload() payload: unknown, @Ctx() context: MqttContext): Promise<void> {
    // The transport parsed the payload already; the packet still has the raw bytes for the size limit.
    const raw: unknown = context.getPacket()?.payload;
    await this.telemetry.handle(context.getTopic(), payload, raw instanceof Uint8Array ? raw.length : undefined);
  }
}
