// API keys of the caller's tenant (admin only). The secret is in the answer to POST once; the database keeps its
// sha256. Technician keys name the resource (the model's resource id) the technician is.
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { checkSegment } from '@pss/protocol';
import { API_KEY_ROLES, ApiKey, ApiKeyRepository, ApiKeyRole, Database, generateApiKeySecret, hashApiKey } from '../persistence';
import { CurrentPrincipal } from './auth.guard';
import { EMBEDDED_BROKER, EmbeddedBroker } from './embedded-broker';
import { FieldReader, objectBody } from './body';
import { notFound } from './errors';
import { CLOCK, Clock, DATABASE, Roles, Principal } from './tokens';

export interface ApiKeyView {
  id: string;
  name: string;
  role: ApiKeyRole;
  resource: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface CreatedApiKey extends ApiKeyView {
  /** The secret: shown once, never again. `Authorization: Bearer <key>`, or the MQTT password. */
  key: string;
}

function view(key: ApiKey): ApiKeyView {
  return { id: key.id, name: key.name, role: key.role, resource: key.resource, createdAt: key.createdAt, revokedAt: key.revokedAt };
}

@ApiTags('platform')
@ApiBearerAuth()
@Controller('api/keys')
export class ApiKeysController {
  private readonly keys: ApiKeyRepository;

  constructor(
    @Inject(DATABASE) db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EMBEDDED_BROKER) private readonly broker: EmbeddedBroker | null,
  ) {
    this.keys = new ApiKeyRepository(db);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create an API key', description: 'Returns the secret once. `resource` is required for technicians and refused for other roles.' })
  @ApiBody({ schema: { type: 'object', required: ['name', 'role'], properties: { name: { type: 'string' }, role: { enum: [...API_KEY_ROLES] }, resource: { type: 'string' } } } })
  @ApiResponse({ status: 201, description: 'the key, with its secret in `key`' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<CreatedApiKey> {
        const fields = new FieldReader(objectBody(body, 'API key'));
    fields.knownKeys(['name', 'role', 'resource']);
    const name = fields.string('name', { required: true, max: 200 });
    const role = fields.oneOf('role', API_KEY_ROLES, true);
    const resource = fields.string('resource');
    if (role === 'technician' && resource === undefined) fields.issues.add('body.resource', 'is required for a technician: the model resource id the technician is');
    if (role !== undefined && role !== 'technician' && resource !== undefined) fields.issues.add('body.resource', `only technician keys have a resource, this one is ${role}`);
    if (resource !== undefined) {
      const problem = checkSegment('resource', resource);
      if (problem) fields.issues.add('body.resource', problem);
    }
    fields.check('API key');
    const secret = generateApiKeySecret();
    const key = await this.keys.insert({
      tenant: principal.tenant,
      name: name,
      role: role as ApiKeyRole,
      keyHash: hashApiKey(secret),
      resource: resource ?? null,
      createdAt: this.clock(),
    });
    return { ...view(key), key: secret };
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: "The tenant's API keys (without secrets), revoked ones included" })
  async list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyView[]> {
    return (await this.keys.list(principal.tenant)).map(view);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key', description: 'Takes effect on the next request; the embedded broker also closes the MQTT connections made with it.' })
  @ApiResponse({ status: 204, description: 'revoked' })
  @ApiResponse({ status: 404, description: 'no such active key' })
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    const tenant = principal.tenant;
    const revoked = await this.keys.revoke(tenant, id, this.clock());
    if (!revoked) throw notFound(`no active API key ${id}`);
    this.broker?.disconnectKey(tenant, id);
  }
}
