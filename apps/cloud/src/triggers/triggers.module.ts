// Trigger events in (MQTT and HTTP), the model catalog, the live event bus and the inbound message checks the
// other pipeline modules share. Needs the platform's DATABASE, MQTT_PUBLISHER, CLOUD_CONFIG and CLOCK.
import { Module } from '@nestjs/common';
import { InboundMessages } from './inbound';
import { LiveEvents } from './live-events';
import { ModelCatalog } from './model-catalog';
import { TriggerEventsHandler } from './trigger-events.handler';
import { TriggerService } from './trigger.service';
import { TriggersController } from './triggers.controller';

@Module({
  controllers: [TriggersController, TriggerEventsHandler],
  providers: [TriggerService, ModelCatalog, LiveEvents, InboundMessages],
  exports: [TriggerService, ModelCatalog, LiveEvents, InboundMessages],
})
export class TriggersModule {}
