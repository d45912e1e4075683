// HTTP API of the configuration runs: the list, one run (front, choice, explanation, Gantt), approval.
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Principal, Roles } from '../platform/tokens';
import { BodyReader, Caller, queryInteger, queryOneOf } from '../triggers/http';
import { RunSummary } from '../triggers/live-events';
import { ConfigurationService, RunDetail } from './configuration.service';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('api/runs')
export class RunsController {
  constructor(@Inject(ConfigurationService) private readonly configuration: ConfigurationService) {}

  @Get()
  @Roles('viewer', 'planner', 'admin')
  @ApiOperation({ summary: 'Configuration runs, newest first' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async list(@Caller() principal: Principal, @Query('limit') limit?: string): Promise<RunSummary[]> {
    return this.configuration.list(principal.tenant, queryInteger('limit', limit, 50, 1, 500));
  }

  @Get(':id')
  @Roles('viewer', 'planner', 'admin')
  @ApiOperation({ summary: 'One run: front, chosen solution, explanation, and the Gantt rows (epoch ms) of the chosen solution or of ?solution=i' })
  @ApiQuery({ name: 'solution', required: false, type: Number })
  @ApiQuery({ name: 'include', required: false, enum: ['problem'] })
  async get(@Caller() principal: Principal, @Param('id') id: string, @Query('solution') solution?: string, @Query('include') include?: string): Promise<RunDetail> {
    const index = solution === undefined || solution === '' ? undefined : queryInteger('solution', solution, 0, 0, 1_000_000);
    const includeProblem = queryOneOf('include', include, ['problem'] as const) === 'problem';
    return this.configuration.detail(principal.tenant, id, { ...(index === undefined ? {} : { solution: index }), includeProblem });
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('planner', 'admin')
  @ApiOperation({ summary: 'Approve a solution of a solved run ({index}; default: the policy\'s choice): its work orders are created and dispatched' })
  @ApiBody({ schema: { type: 'object', properties: { index: { type: 'integer', minimum: 0 } } } })
  async approve(@Caller() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<{ run: RunSummary; workOrders: number }> {
    const r = new BodyReader(body ?? {}, 'body', ['index']);
    const index = r.optionalInteger('index', { min: 0 });
    r.done();
    return this.configuration.approve(principal, id, index);
  }
}
