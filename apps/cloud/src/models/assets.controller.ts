// /api/assets: the customer's products, each an instance of a stored model behind a gateway, with its contract
// (the triggers, i.e. the services, the customer bought).
import { Body, Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { checkSegment } from '@pss/protocol';
import { CurrentPrincipal } from '../platform/auth.guard';
import { badRequest } from '../platform/errors';
import { Roles, Principal } from '../platform/tokens';
import { AssetView, AssetsService } from './assets.service';

@ApiTags('assets')
@ApiBearerAuth()
@Controller('api/assets')
export class AssetsController {
  // @Inject: the app also runs under tsx (esbuild), which emits no decorator metadata.
  constructor(@Inject(AssetsService) private readonly assets: AssetsService) {}

  @Put(':id')
  @Roles('planner')
  @ApiOperation({ summary: 'Register an asset, or change its model version, gateway or contract' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['model', 'gateway'],
      properties: {
        model: { type: 'string', description: 'a stored model id' },
        modelVersion: { type: 'integer', description: 'default: the newest version' },
        gateway: { type: 'string', description: 'the gateway the asset is behind (an MQTT topic segment)' },
        triggers: { type: 'array', items: { type: 'string' }, nullable: true, description: 'the triggers the contract covers; null or absent: all' },
      },
    },
  })
  @ApiResponse({ status: 200, description: 'the asset as stored' })
  @ApiResponse({ status: 400, description: 'invalid body, unknown model or trigger' })
  async put(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<AssetView> {
    return this.assets.put(principal.tenant, id, body);
  }

  @Get()
  @Roles('viewer', 'planner', 'gateway')
  @ApiOperation({ summary: 'Every asset, or those behind ?gateway=' })
  @ApiQuery({ name: 'gateway', required: false })
  async list(@CurrentPrincipal() principal: Principal, @Query('gateway') gateway?: string): Promise<AssetView[]> {
    if (gateway !== undefined) {
      const problem = checkSegment('gateway', gateway);
      if (problem) throw badRequest('invalid query parameter gateway', [{ path: 'query.gateway', message: problem }]);
    }
    return this.assets.list(principal.tenant, gateway);
  }

  @Get(':id')
  @Roles('viewer', 'planner', 'gateway')
  @ApiOperation({ summary: 'One asset' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<AssetView> {
    return this.assets.get(principal.tenant, id);
  }
}
