// Inbound progress reports over MQTT (shared subscription). The topic's resource must be the report's
// (decodeValue checks), and the transition is applied only if that resource is on the order.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, MqttContext, Payload } from '@nestjs/microservices';
import { SCHEMAS } from '@pss/protocol';
import { Public } from '../platform/tokens';
import { InboundMessages, inboundExtras, inboundFilter } from '../triggers/inbound';
import { WorkOrderService } from './work-order.service';

@Public()
@Controller()
export class ProgressHandler {
  constructor(
    @Inject(InboundMessages) private readonly inbound: InboundMessages,
    @Inject(WorkOrderService) private readonly workOrders: WorkOrderService,
  ) {}

  @EventPattern(inboundFilter('progress'), inboundExtras('progress'))
  async onProgress(@Payload() payload: unknown, @Ctx() context: MqttContext): Promise<void> {
    const report = this.inbound.read('progress', SCHEMAS.progressReport, context.getTopic(), payload);
    if (report !== null) await this.workOrders.onProgressReport(report);
  }
}
