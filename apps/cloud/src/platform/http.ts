// The HTTP pipeline in front of the controllers: request metrics, body parsers (JSON, and text for YAML
// documents), and JSON answers for bodies the parsers refuse (bad JSON, too large) instead of Express's HTML page.
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { HttpRequest, HttpResponse, NextFunction } from './http-types';
import { HttpMetrics, httpMetricsMiddleware } from './metrics';

/** Models and problems are documents of some size; the biggest shipped one is well under 1 MB. */
export const BODY_LIMIT = '5mb';

/** Content types read as text: YAML documents (and JSON sent as text/plain). */
export const TEXT_BODY_TYPES = ['text/yaml', 'text/x-yaml', 'application/yaml', 'application/x-yaml', 'text/plain'];

interface BodyParserError extends Error {
  status?: number;
  type?: string;
}

export function configureHttp(app: NestExpressApplication, metrics: HttpMetrics): void {
  app.use(httpMetricsMiddleware(metrics));
  app.useBodyParser('json', { limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] });
  app.useBodyParser('text', { limit: BODY_LIMIT, type: TEXT_BODY_TYPES });
  app.use((error: BodyParserError, _request: HttpRequest, response: HttpResponse, next: NextFunction) => {
    const status = error.status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(error);
    const message =
      error.type === 'entity.parse.failed'
        ? `invalid JSON: ${error.message}`
        : error.type === 'entity.too.large'
          ? `body too large (limit ${BODY_LIMIT})`
          : error.message;
    response.status(status).json({ error: message, issues: [{ path: 'body', message }] });
  });
}
