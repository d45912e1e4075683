// Inbound gateway status (births and deaths: a plain subscription on every instance, for the retained snapshot)
// and close acks (shared) over MQTT.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, MqttContext, Payload } from '@nestjs/microservices';
import { SCHEMAS } from '@pss/protocol';
import { Public } from '../platform/tokens';
import { InboundMessages, inboundExtras, inboundFilter } from '../triggers/inbound';
import { FeedbackService } from './feedback.service';

@Public()
@Controller()
export class FeedbackHandler {
  constructor(
    @Inject(InboundMessages) private readonly inbound: InboundMessages,
    @Inject(FeedbackService) private readonly feedback: FeedbackService,
  ) {}

  @EventPattern(inboundFilter('status'), inboundExtras('status'))
  async onStatus(@Payload() payload: unknown, @Ctx() context: MqttContext): Promise<void> {
    // An empty retained message retires a gateway at the broker (docs/protocol.md): nothing to read, not an error.
    if (payload === '' || payload === null || payload === undefined) return;
    const status = this.inbound.read('status', SCHEMAS.gatewayStatus, context.getTopic(), payload);
    if (status !== null) await this.feedback.onGatewayStatus(status);
  }

  @EventPattern(inboundFilter('close-ack'), inboundExtras('close-ack'))
  async onCloseAck(@Payload() payload: unknown, @Ctx() context: MqttContext): Promise<void> {
    const ack = this.inbound.read('close-ack', SCHEMAS.closeAck, context.getTopic(), payload);
    if (ack !== null) await this.feedback.onCloseAck(ack);
  }
}
