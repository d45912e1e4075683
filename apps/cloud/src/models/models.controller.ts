// /api/models: PSS models as versioned documents, and each model's multilayer network for the dashboard.
import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../platform/auth.guard';
import { queryInteger } from '../platform/body';
import { Roles, Principal } from '../platform/tokens';
import { ModelNetwork } from './network';
import { ModelsService, StoredDocumentSummary, StoredDocumentView, UploadResult, viewOf } from './models.service';

export const DOCUMENT_CONTENT_TYPES = ['application/json', 'text/yaml', 'application/yaml'];

@ApiTags('models')
@ApiBearerAuth()
@Controller('api/models')
export class ModelsController {
  // @Inject: the app also runs under tsx (esbuild), which emits no decorator metadata.
  constructor(@Inject(ModelsService) private readonly models: ModelsService) {}

  @Post()
  @Roles('planner')
  @ApiOperation({
    summary: 'Store a PSS model as a new version',
    description: 'JSON or YAML (MODEL.md section 1). Every problem is answered at once as 400 {error, issues:[{path, message}], warnings}. Resource ids must be MQTT topic segments.',
  })
  @ApiConsumes(...DOCUMENT_CONTENT_TYPES)
  @ApiQuery({ name: 'id', required: false, description: 'the model id (default: from its name)' })
  @ApiBody({ description: 'a PssModel document', schema: { type: 'object' } })
  @ApiResponse({ status: 201, description: 'stored: id, version, warnings' })
  @ApiResponse({ status: 400, description: 'not a valid model: every issue with its path' })
  @ApiResponse({ status: 409, description: 'the id belongs to a problem' })
  async upload(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Query('id') id?: string): Promise<UploadResult> {
    return this.models.uploadModel(principal.tenant, body, id);
  }

  @Get()
  @Roles('viewer', 'planner')
  @ApiOperation({ summary: 'The newest version of every model' })
  async list(@CurrentPrincipal() principal: Principal): Promise<StoredDocumentSummary[]> {
    return this.models.list(principal.tenant, ['model']);
  }

  @Get(':id')
  @Roles('viewer', 'planner', 'gateway')
  @ApiOperation({ summary: 'One model: the newest version, or ?version=' })
  @ApiQuery({ name: 'version', required: false, type: Number })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query('version') version?: string): Promise<StoredDocumentView> {
    return viewOf(await this.models.get(principal.tenant, id, queryInteger(version, 'version'), ['model']));
  }

  @Get(':id/network')
  @Roles('viewer', 'planner')
  @ApiOperation({
    summary: 'The multilayer network of a model',
    description: 'Parts with PartRank importance, part links, triggers, activities with importance I_a, flows with their structure, graph and alternatives, resources, and the connection matrices.',
  })
  @ApiQuery({ name: 'version', required: false, type: Number })
  async network(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query('version') version?: string): Promise<ModelNetwork> {
    return this.models.network(principal.tenant, id, queryInteger(version, 'version'));
  }
}
