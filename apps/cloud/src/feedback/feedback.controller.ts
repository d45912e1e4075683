// HTTP API of the closed loop: close a service by hand, read what finished work orders say about a model.
import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ObservedReliability } from '../persistence';
import { Principal, Roles } from '../platform/tokens';
import { Caller } from '../triggers/http';
import { CloseResult, FeedbackService } from './feedback.service';

@ApiTags('feedback')
@ApiBearerAuth()
@Controller('api')
export class FeedbackController {
  constructor(@Inject(FeedbackService) private readonly feedback: FeedbackService) {}

  @Post('triggers/:id/close')
  @HttpCode(200)
  @Roles('planner', 'admin')
  @ApiOperation({ summary: 'Close a service by hand (its work orders must be finished or cancelled); an edge event\'s gateway is told to unlatch' })
  async close(@Caller() principal: Principal, @Param('id') id: string): Promise<CloseResult> {
    return this.feedback.closeByPlanner(principal, id);
  }

  @Get('feedback/:modelId')
  @Roles('viewer', 'planner', 'admin')
  @ApiOperation({ summary: 'Observed reliabilities of a model from its finished work orders: r per activity, theta per resource' })
  async observed(@Caller() principal: Principal, @Param('modelId') modelId: string): Promise<ObservedReliability> {
    return this.feedback.observed(principal.tenant, modelId);
  }
}
