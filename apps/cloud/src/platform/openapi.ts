// The OpenAPI document of every controller, served at /api/docs (Swagger UI) and /api/docs-json. Public, like
// /health and /metrics: it describes the API, it grants nothing.
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SERVICE_VERSION } from './version';

export const OPENAPI_PATH = 'api/docs';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('PSS cloud service')
    .setDescription(
      'Models, assets, contracts, triggers, configuration runs, work orders and feedback of the PSS platform. ' +
        'Every route but /health, /metrics and these docs takes `Authorization: Bearer <api key>`; see the role matrix in docs/operations.md.',
    )
    .setVersion(SERVICE_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key (pss_...) or the bootstrap PSS_ADMIN_KEY' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: `${OPENAPI_PATH}-json`, yamlDocumentUrl: `${OPENAPI_PATH}-yaml` });
  return document;
}
