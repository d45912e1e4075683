// The closed loop: finished work orders close their events, close commands reach the gateways until acknowledged,
// gateway births trigger re-sends.
import { Module } from '@nestjs/common';
import { TriggersModule } from '../triggers/triggers.module';
import { FeedbackController } from './feedback.controller';
import { FeedbackHandler } from './feedback.handler';
import { FeedbackService } from './feedback.service';

@Module({
  imports: [TriggersModule],
  controllers: [FeedbackController, FeedbackHandler],
  providers: [FeedbackService],
  exports: [FeedbackService],
})
export class FeedbackModule {}
