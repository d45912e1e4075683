// The few Express request/response members the platform uses (the repository has no @types/express).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from './tokens';

export interface HttpRequest extends IncomingMessage {
  method: string;
  /** The path without the query. */
  path: string;
  originalUrl: string;
  baseUrl: string;
  /** The matched route (Express sets it when a route handles the request). */
  route?: { path?: unknown };
  body?: unknown;
  /** Set by the auth guard. */
  principal?: Principal;
}

export interface HttpResponse extends ServerResponse {
  status(code: number): HttpResponse;
  json(body: unknown): HttpResponse;
}

export type NextFunction = (error?: unknown) => void;
