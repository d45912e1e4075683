// HTTP routes for the dashboard: a status history and the latest values of an asset, for the caller's tenant.
import {
  Controller,
  ExecutionContext,
  Get,
  Inject,
  Logger,
  Param,
  Query,
  ServiceUnavailableException,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Principal, Roles } from '../platform/tokens';
import { ErrorResponseDto, LatestResponseDto, LatestValueDto, SeriesPointDto, SeriesResponseDto } from './telemetry.dto';
import { LatestResponse, SeriesResponse, TelemetryService } from './telemetry.service';
import { TelemetryStoreUnavailableError } from './telemetry-store';

/** The Principal the auth guard attached to the request (request.principal). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  // Routes with @Roles are behind the auth guard; no principal here means the guard is missing, not a bad caller.
  if (!principal) throw new UnauthorizedException({ error: 'not authenticated' });
  return principal;
});

@ApiTags('telemetry')
@ApiBearerAuth()
@ApiExtraModels(SeriesPointDto, LatestValueDto)
@Controller('api/telemetry')
export class TelemetryController {
  constructor(@Inject(TelemetryService) private readonly telemetry: TelemetryService) {}

  @Get(':asset')
  @Roles('viewer', 'planner', 'admin', 'technician')
  @ApiOperation({
    summary: 'Status history of an asset',
    description:
      'Samples of the asset in [from, to), per status. With step, one point per interval (mean as value, min, max). ' +
      'Ranges longer than 24 h, or older than the raw retention (7 d), are answered from the 1-minute aggregates ' +
      '(resolution "1m", step rounded up to whole minutes).',
  })
  @ApiParam({ name: 'asset', description: 'Asset id', example: 'car-0017' })
  @ApiQuery({ name: 'status', required: false, isArray: true, type: String, description: 'Status reference(s) <part>.<status>, repeated or comma-separated; absent = all', example: 'p.axle.vibration_rms' })
  @ApiQuery({ name: 'from', required: false, description: 'Epoch ms or ISO 8601 with zone; default to minus 1 h', example: '2026-03-02T08:00:00Z' })
  @ApiQuery({ name: 'to', required: false, description: 'Epoch ms or ISO 8601 with zone (exclusive); default now', example: '1772439300000' })
  @ApiQuery({ name: 'step', required: false, description: 'Aggregation interval: ms or with a unit (500ms, 10s, 5m, 1h, 1d); absent = stored points', example: '1m' })
  @ApiOkResponse({ type: SeriesResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A parameter is invalid; issues name each one' })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'The telemetry store (InfluxDB) does not answer' })
  async series(@CurrentPrincipal() principal: Principal, @Param('asset') asset: string, @Query() query: Record<string, unknown>): Promise<SeriesResponse> {
    return unavailableAs503(() => this.telemetry.series(principal.tenant, asset, query));
  }

  @Get(':asset/latest')
  @Roles('viewer', 'planner', 'admin', 'technician')
  @ApiOperation({ summary: 'Latest value of each status of an asset' })
  @ApiParam({ name: 'asset', description: 'Asset id', example: 'car-0017' })
  @ApiOkResponse({ type: LatestResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto })
  async latest(@CurrentPrincipal() principal: Principal, @Param('asset') asset: string): Promise<LatestResponse> {
    return unavailableAs503(() => this.telemetry.latest(principal.tenant, asset));
  }
}

const logger = new Logger('Telemetry');

async function unavailableAs503<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof TelemetryStoreUnavailableError)) throw error;
    // The detail names an internal server: it goes to the log, the caller learns what failed.
    logger.error(`telemetry: query failed: ${error.message}`);
    throw new ServiceUnavailableException({ error: 'the telemetry store is not answering; try again later' });
  }
}
