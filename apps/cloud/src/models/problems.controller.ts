// /api/problems: ConfigurationProblems (their model inline, or a stored model by "id" or "id@version") and
// PesProblems, stored as versioned documents beside the models.
import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../platform/auth.guard';
import { queryInteger } from '../platform/body';
import { Roles, Principal } from '../platform/tokens';
import { DOCUMENT_CONTENT_TYPES } from './models.controller';
import { ModelsService, StoredDocumentSummary, StoredDocumentView, UploadResult, viewOf } from './models.service';

const PROBLEM_KINDS = ['problem', 'pes-problem'] as const;

@ApiTags('models')
@ApiBearerAuth()
@Controller('api/problems')
export class ProblemsController {
  // @Inject: the app also runs under tsx (esbuild), which emits no decorator metadata.
  constructor(@Inject(ModelsService) private readonly models: ModelsService) {}

  @Post()
  @Roles('planner')
  @ApiOperation({
    summary: 'Store a ConfigurationProblem or PesProblem as a new version',
    description: 'A ConfigurationProblem names a stored model by `model: "<id>"` (newest version, pinned when stored) or `"<id>@<version>"`, or carries it inline.',
  })
  @ApiConsumes(...DOCUMENT_CONTENT_TYPES)
  @ApiQuery({ name: 'id', required: false, description: 'the problem id (default: from its name)' })
  @ApiBody({ description: 'a ConfigurationProblem or PesProblem document', schema: { type: 'object' } })
  @ApiResponse({ status: 201, description: 'stored' })
  @ApiResponse({ status: 400, description: 'not a valid problem, or its model is not stored' })
  async upload(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Query('id') id?: string): Promise<UploadResult> {
    return this.models.uploadProblem(principal.tenant, body, id);
  }

  @Get()
  @Roles('viewer', 'planner')
  @ApiOperation({ summary: 'The newest version of every problem' })
  async list(@CurrentPrincipal() principal: Principal): Promise<StoredDocumentSummary[]> {
    return this.models.list(principal.tenant, PROBLEM_KINDS);
  }

  @Get(':id')
  @Roles('viewer', 'planner')
  @ApiOperation({ summary: 'One problem: the newest version, or ?version=' })
  @ApiQuery({ name: 'version', required: false, type: Number })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query('version') version?: string): Promise<StoredDocumentView> {
    return viewOf(await this.models.get(principal.tenant, id, queryInteger(version, 'version'), PROBLEM_KINDS));
  }
}
