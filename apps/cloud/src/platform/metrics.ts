// Prometheus metrics: one prom-client Registry per service instance (the METRICS token; never prom-client's
// global one, so that two apps in one process, as in tests, do not collide), served at GET /metrics. HTTP
// requests are counted and timed by an Express middleware, which also sees what guards refuse (401, 403) and
// routes that do not exist (route="unmatched").
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse, NextFunction } from './http-types';
import { Counter, Histogram, Registry, collectDefaultMetrics, register as globalRegistry } from 'prom-client';
import { METRICS, Public } from './tokens';

export function createMetricsRegistry(labels: { instance: string }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ instance: labels.instance });
  collectDefaultMetrics({ register: registry, prefix: 'pss_cloud_' });
  return registry;
}

/** The HttpMetrics (request counter and histogram) the HTTP middleware records into. */
export const HTTP_METRICS = Symbol('HTTP_METRICS');

export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({ name: 'pss_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    duration: new Histogram({
      name: 'pss_http_request_duration_seconds',
      help: 'HTTP request duration from arrival to the last byte of the answer, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

/** The route pattern (`/api/models/:id`), never the raw path: ids in labels would grow the series without bound. */
export function routeLabel(request: HttpRequest): string {
  const route = (request as HttpRequest & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${request.baseUrl ?? ''}${route.path}`;
  return 'unmatched';
}

export function httpMetricsMiddleware(metrics: HttpMetrics): (request: HttpRequest, response: HttpResponse, next: NextFunction) => void {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const labels = { method: request.method, route: routeLabel(request), status: String(response.statusCode) };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

@ApiTags('platform')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly registry: Registry) {}

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiProduces('text/plain')
  async metrics(): Promise<string> {
    // Metrics a module registered in prom-client's global registry are served too (the METRICS registry is the
    // place for them: the global one is shared by every app in the process).
    if (globalRegistry.getMetricsAsArray().length === 0) return this.registry.metrics();
    return `${await this.registry.metrics()}\n${await globalRegistry.metrics()}`;
  }
}
