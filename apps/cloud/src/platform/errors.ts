// HTTP errors as JSON `{error, issues?, warnings?}` with the right status code. Services throw ApiError (or
// Nest's HttpExceptions); ApiExceptionFilter gives every error response that one shape, and answers anything
// unexpected with 500 after logging it with its stack (the client gets no internals).
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { HttpRequest, HttpResponse } from './http-types';
import type { Logger } from 'pino';
import { LOGGER } from './tokens';

export interface ApiIssue {
  /** Where in the request: `body.weights.time`, `query.version`, `resources[2].id`. */
  path: string;
  message: string;
}

export interface ApiErrorBody {
  error: string;
  issues?: ApiIssue[];
  warnings?: ApiIssue[];
}

export class ApiError extends HttpException {
  constructor(status: number, readonly body: ApiErrorBody) {
    super(body, status);
    this.name = 'ApiError';
  }
}

export function badRequest(error: string, issues: ApiIssue[] = [], warnings: ApiIssue[] = []): ApiError {
  return new ApiError(HttpStatus.BAD_REQUEST, { error, ...(issues.length ? { issues } : {}), ...(warnings.length ? { warnings } : {}) });
}

export function notFound(error: string): ApiError {
  return new ApiError(HttpStatus.NOT_FOUND, { error });
}

export function conflict(error: string): ApiError {
  return new ApiError(HttpStatus.CONFLICT, { error });
}

export function unprocessable(error: string, issues: ApiIssue[] = []): ApiError {
  return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, { error, ...(issues.length ? { issues } : {}) });
}

/** A body from any HttpException, in the `{error, issues?}` shape. */
export function errorBody(exception: HttpException): ApiErrorBody {
  const response = exception.getResponse();
  if (typeof response === 'string') return { error: response };
  const r = response as Record<string, unknown>;
  if (typeof r.error === 'string' && r.statusCode === undefined) return r as unknown as ApiErrorBody;
  // Nest's own exceptions: {statusCode, message, error: 'Not Found'}; message may be a list (pipes).
  const message = r.message;
  if (Array.isArray(message)) return { error: r.error !== undefined ? String(r.error) : exception.message, issues: message.map((m) => ({ path: '', message: String(m) })) };
  return { error: typeof message === 'string' ? message : exception.message };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly rpc = new BaseRpcExceptionFilter();

  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    // MQTT handlers: Nest's RPC filter logs and drops (an event has no one to answer).
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    const http = host.switchToHttp();
    const response = http.getResponse<HttpResponse>();
    const request = http.getRequest<HttpRequest>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) this.logger.error({ err: exception, method: request.method, url: request.originalUrl }, 'request failed');
      response.status(status).json(errorBody(exception));
      return undefined;
    }
    this.logger.error({ err: exception, method: request.method, url: request.originalUrl }, 'unexpected error answering a request');
    if (!response.headersSent) response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ error: 'internal error (logged on the server)' });
    return undefined;
  }
}
