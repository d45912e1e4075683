// Batches → configuration problems → the optimizer → runs with a chosen solution → work orders.
import { Module } from '@nestjs/common';
import { FeedbackModule } from '../feedback/feedback.module';
import { TriggersModule } from '../triggers/triggers.module';
import { WorkOrdersModule } from '../work-orders/work-orders.module';
import { BatchScheduler } from './batch-scheduler';
import { ConfigurationService } from './configuration.service';
import { OptimizerService } from './optimizer.service';
import { RunsController } from './runs.controller';

@Module({
  imports: [TriggersModule, FeedbackModule, WorkOrdersModule],
  controllers: [RunsController],
  providers: [ConfigurationService, OptimizerService, BatchScheduler],
  exports: [ConfigurationService, BatchScheduler],
})
export class ConfigurationModule {}
