// HTTP API of the trigger events: manual triggers, listings, the live trigger matrix, re-planning parked events.
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Principal, Roles } from '../platform/tokens';
import { BodyReader, Caller, notFound, queryInteger, queryOneOf } from './http';
import { EVENT_FILTERS, TriggerEventView } from './trigger-store';
import { MatrixRow, TriggerService } from './trigger.service';

@ApiTags('triggers')
@ApiBearerAuth()
@Controller('api')
export class TriggersController {
  constructor(@Inject(TriggerService) private readonly triggers: TriggerService) {}

  @Post('triggers')
  @Roles('planner', 'admin')
  @ApiOperation({ summary: 'Request a service by hand: {asset, trigger, deadline?} (deadline in epoch ms; default: the trigger window)' })
  @ApiBody({ schema: { type: 'object', required: ['asset', 'trigger'], properties: { asset: { type: 'string' }, trigger: { type: 'string' }, deadline: { type: 'integer' } } } })
  async create(@Caller() principal: Principal, @Body() body: unknown): Promise<TriggerEventView> {
    const r = new BodyReader(body, 'body', ['asset', 'trigger', 'deadline']);
    const asset = r.string('asset', { maxLength: 128 });
    const trigger = r.string('trigger', { maxLength: 128 });
    const deadline = r.optionalInteger('deadline', { min: 0, max: 8.64e15, what: 'an integer epoch ms' });
    r.done();
    return this.triggers.createManual(principal, { asset, trigger, ...(deadline === undefined ? {} : { deadline }) });
  }

  @Get('triggers')
  @Roles('viewer', 'planner', 'admin')
  @ApiOperation({ summary: 'Trigger events, newest first; state = open | planned | unplanned | closed | active (default: active = not closed)' })
  @ApiQuery({ name: 'state', required: false, enum: EVENT_FILTERS })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async list(@Caller() principal: Principal, @Query('state') state?: string, @Query('limit') limit?: string): Promise<TriggerEventView[]> {
    const filter = queryOneOf('state', state, EVENT_FILTERS) ?? 'active';
    return this.triggers.list(principal.tenant, filter, queryInteger('limit', limit, 200, 1, 1000));
  }

  @Get('triggers/:id')
  @Roles('viewer', 'planner', 'admin')
  @ApiOperation({ summary: 'One trigger event, with its state and, when it cannot be planned, the issue' })
  async get(@Caller() principal: Principal, @Param('id') id: string): Promise<TriggerEventView> {
    const event = await this.triggers.get(principal.tenant, id);
    if (event === null) throw notFound(`trigger event "${id}"`);
    return event;
  }

  @Post('triggers/:id/replan')
  @HttpCode(200)
  @Roles('planner', 'admin')
  @ApiOperation({ summary: 'Put an unplanned event (unknown asset, trigger or contract) back in line once the registry is fixed' })
  async replan(@Caller() principal: Principal, @Param('id') id: string): Promise<TriggerEventView> {
    return this.triggers.replan(principal.tenant, id);
  }

  @Get('matrix')
  @Roles('viewer', 'planner', 'admin')
  @ApiOperation({ summary: 'The live trigger matrix: per asset, the 0/1 vector of open services over its model\'s triggers' })
  async matrix(@Caller() principal: Principal): Promise<MatrixRow[]> {
    return this.triggers.matrix(principal.tenant);
  }
}
