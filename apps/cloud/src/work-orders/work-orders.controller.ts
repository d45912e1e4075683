// HTTP API of the work orders: lists, one order with its history, progress (technicians: their own orders), cancel.
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { PROGRESS_FROM_STATES, PROGRESS_STATES } from '@pss/protocol';
import { WORK_ORDER_STATES, WorkOrder, WorkOrderHistoryEntry } from '../persistence';
import { Principal, Roles } from '../platform/tokens';
import { BodyReader, Caller, queryId, queryInteger, queryOneOf } from '../triggers/http';
import { fromProtocolState } from './work-order-messages';
import { WorkOrderService } from './work-order.service';

const FROM_STATES = [...PROGRESS_FROM_STATES, 'dispatched'] as const;

@ApiTags('work-orders')
@ApiBearerAuth()
@Controller('api/work-orders')
export class WorkOrdersController {
  constructor(@Inject(WorkOrderService) private readonly workOrders: WorkOrderService) {}

  @Get()
  @Roles('viewer', 'planner', 'admin', 'technician')
  @ApiOperation({ summary: 'Work orders, latest planned start first (a technician sees only its own resource\'s)' })
  @ApiQuery({ name: 'state', required: false, enum: WORK_ORDER_STATES })
  @ApiQuery({ name: 'resource', required: false })
  @ApiQuery({ name: 'run', required: false })
  @ApiQuery({ name: 'event', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async list(
    @Caller() principal: Principal,
    @Query('state') state?: string,
    @Query('resource') resource?: string,
    @Query('run') run?: string,
    @Query('event') event?: string,
    @Query('limit') limit?: string,
  ): Promise<WorkOrder[]> {
    const filter = {
      state: queryOneOf('state', state, WORK_ORDER_STATES),
      resource: queryId('resource', resource),
      runId: queryId('run', run),
      eventId: queryId('event', event),
      limit: queryInteger('limit', limit, 200, 1, 1000),
    };
    return this.workOrders.list(principal, filter);
  }

  @Get(':id')
  @Roles('viewer', 'planner', 'admin', 'technician')
  @ApiOperation({ summary: 'One work order and its history (every transition, by version)' })
  async get(@Caller() principal: Principal, @Param('id') id: string): Promise<{ order: WorkOrder; history: WorkOrderHistoryEntry[] }> {
    return this.workOrders.get(principal, id);
  }

  @Post(':id/progress')
  @HttpCode(200)
  @Roles('technician', 'planner', 'admin')
  @ApiOperation({ summary: 'Move an order on: {version, from, to, note?} as in a progress report; 409 with the current order when stale' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['version', 'from', 'to'],
      properties: { version: { type: 'integer' }, from: { enum: [...FROM_STATES] }, to: { enum: [...PROGRESS_STATES] }, note: { type: 'string' } },
    },
  })
  async progress(@Caller() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<WorkOrder> {
    const r = new BodyReader(body, 'body', ['version', 'from', 'to', 'note']);
    const version = r.integer('version', { min: 0 });
    const from = r.oneOf('from', FROM_STATES);
    const to = r.oneOf('to', PROGRESS_STATES);
    const note = r.optionalString('note', { maxLength: 2000 });
    r.done();
    return this.workOrders.progress(principal, id, { version, from: fromProtocolState(from), to, ...(note === undefined ? {} : { note }) });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('planner', 'admin')
  @ApiOperation({ summary: 'Cancel an order that is not final: {version?, note?}; its resources are told' })
  async cancel(@Caller() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<WorkOrder> {
    const r = new BodyReader(body ?? {}, 'body', ['version', 'note']);
    const version = r.optionalInteger('version', { min: 0 });
    const note = r.optionalString('note', { maxLength: 2000 });
    r.done();
    return this.workOrders.cancel(principal, id, { ...(version === undefined ? {} : { version }), ...(note === undefined ? {} : { note }) });
  }
}
