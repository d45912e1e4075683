// Work orders: creation from approved runs, dispatch over MQTT and the webhook, progress, cancellation.
import { Module } from '@nestjs/common';
import { FeedbackModule } from '../feedback/feedback.module';
import { TriggersModule } from '../triggers/triggers.module';
import { ProgressHandler } from './progress.handler';
import { WebhookNotifier } from './webhook';
import { WorkOrderService } from './work-order.service';
import { WorkOrdersController } from './work-orders.controller';

@Module({
  imports: [TriggersModule, FeedbackModule],
  controllers: [WorkOrdersController, ProgressHandler],
  providers: [WorkOrderService, WebhookNotifier],
  exports: [WorkOrderService, WebhookNotifier],
})
export class WorkOrdersModule {}
