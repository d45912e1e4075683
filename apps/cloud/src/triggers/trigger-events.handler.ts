// Inbound trigger events over MQTT (shared subscription: one instance of the group gets each delivery).
// Authentication is the broker's (per-gateway ACLs); the payload is checked against its topic by decodeValue.
import { Controller, Inject, Logger, OnModuleInit } from '@nestjs/common';
import { Ctx, EventPattern, MqttContext, Payload } from '@nestjs/microservices';
import { SCHEMAS } from '@pss/protocol';
import { CloudConfig } from '../platform/config';
import { CLOUD_CONFIG, Public } from '../platform/tokens';
import { INBOUND_SHARE_GROUP, InboundMessages, inboundExtras, inboundFilter } from './inbound';
import { TriggerService } from './trigger.service';

@Public()
@Controller()
export class TriggerEventsHandler implements OnModuleInit {
  private readonly logger = new Logger('TriggerEventsHandler');

  constructor(
    @Inject(InboundMessages) private readonly inbound: InboundMessages,
    @Inject(TriggerService) private readonly triggers: TriggerService,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.shareGroup !== INBOUND_SHARE_GROUP) {
      this.logger.warn(
        `MQTT share group: the configuration says ${JSON.stringify(this.config.shareGroup ?? null)}, the subscriptions were built with ` +
          `${JSON.stringify(INBOUND_SHARE_GROUP ?? null)} from MQTT_SHARE_GROUP when the handlers loaded (that one applies)`,
      );
    }
  }

  @EventPattern(inboundFilter('trigger-event'), inboundExtras('trigger-event'))
  async onTriggerEvent(@Payload() payload: unknown, @Ctx() context: MqttContext): Promise<void> {
    const message = this.inbound.read('trigger-event', SCHEMAS.triggerEvent, context.getTopic(), payload);
    if (message !== null) await this.triggers.ingest(message);
  }
}
