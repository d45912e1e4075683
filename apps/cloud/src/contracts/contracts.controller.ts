// /api/contracts: contract-time configuration of product-extension service packages (seed 003).
import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../platform/auth.guard';
import { queryInteger } from '../platform/body';
import { badRequest } from '../platform/errors';
import { Roles, Principal } from '../platform/tokens';
import { ConfigureOptions, ContractSummary, ContractView, ContractsService, PES_ALGORITHMS, PesAlgorithm } from './contracts.service';

/** Ten minutes: a contract is configured while a planner waits. */
export const MAX_TIME_LIMIT_MS = 600_000;

@ApiTags('contracts')
@ApiBearerAuth()
@Controller('api/contracts')
export class ContractsController {
  // @Inject: the app also runs under tsx (esbuild), which emits no decorator metadata.
  constructor(@Inject(ContractsService) private readonly contracts: ContractsService) {}

  @Post('configure')
  @Roles('planner')
  @ApiOperation({
    summary: 'Configure a service package: the Pareto front of a PesProblem, stored as a contract',
    description:
      'Body: a PesProblem (JSON or YAML, MODEL.md section 3) or {problem: "<stored PesProblem id>", version?}. ' +
      'Answers the front (performance max, cost min, response time min) and where each published scheme stands against it.',
  })
  @ApiConsumes('application/json', 'text/yaml', 'application/yaml')
  @ApiBody({ schema: { type: 'object' } })
  @ApiQuery({ name: 'algorithm', required: false, enum: [...PES_ALGORITHMS] })
  @ApiQuery({ name: 'seed', required: false, type: Number })
  @ApiQuery({ name: 'timeLimitMs', required: false, type: Number })
  @ApiResponse({ status: 201, description: 'the contract with its front' })
  @ApiResponse({ status: 400, description: 'invalid problem or parameters' })
  @ApiResponse({ status: 422, description: 'too large for the exact search: ask for nsga2 or a time limit' })
  async configure(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Query('algorithm') algorithm?: string,
    @Query('seed') seed?: string,
    @Query('timeLimitMs') timeLimitMs?: string,
  ): Promise<ContractView> {
    if (algorithm !== undefined && !(PES_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw badRequest('invalid query parameter algorithm', [{ path: 'query.algorithm', message: `must be one of ${PES_ALGORITHMS.join(', ')}, got ${JSON.stringify(algorithm)}` }]);
    }
    const limit = queryInteger(timeLimitMs, 'timeLimitMs', 1);
    if (limit !== undefined && limit > MAX_TIME_LIMIT_MS) {
      throw badRequest('invalid query parameter timeLimitMs', [{ path: 'query.timeLimitMs', message: `must be <= ${MAX_TIME_LIMIT_MS}, got ${limit}` }]);
    }
    const options: ConfigureOptions = { algorithm: algorithm as PesAlgorithm | undefined, seed: queryInteger(seed, 'seed', 0), timeLimitMs: limit };
    return this.contracts.configure(principal, body, options);
  }

  @Get()
  @Roles('viewer', 'planner')
  @ApiOperation({ summary: 'Contracts, newest first (without their fronts)' })
  async list(@CurrentPrincipal() principal: Principal): Promise<ContractSummary[]> {
    return this.contracts.list(principal.tenant);
  }

  @Get(':id')
  @Roles('viewer', 'planner')
  @ApiOperation({ summary: 'One contract with its front, scheme standings and problem' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ContractView> {
    return this.contracts.get(principal.tenant, id);
  }
}
