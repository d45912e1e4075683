// The global guard: every HTTP route is authenticated by `Authorization: Bearer <api key>` and authorized by its
// @Roles, unless it is @Public. A route with neither is refused (403) for everyone, so that nothing is open by
// accident. Admin keys pass every @Roles route. MQTT handlers are not guarded here: the broker authenticated the
// publisher (embedded-broker.ts), and handlers check the topic's tenant against the payload.
//
//   no or malformed Authorization, unknown or revoked key  → 401 (with WWW-Authenticate: Bearer)
//   a valid key whose role the route does not allow         → 403
import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { HttpRequest, HttpResponse } from './http-types';
import { ApiError } from './errors';
import { ApiKeyAuthenticator } from './authenticator';
import { PUBLIC_KEY, Principal, ROLES_KEY, Role } from './tokens';

/** The ApiKeyAuthenticator instance (platform.module.ts). */
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

/** The principal the guard attached to the request (`request.principal`). */
export function principalOf(request: { principal?: Principal }): Principal {
  const principal = request.principal;
  if (principal === undefined) throw new Error('no principal on the request: the route is @Public or the guard did not run');
  return principal;
}

/** Handler parameter: the caller (`@CurrentPrincipal() principal: Principal`); on @Roles routes only. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => principalOf(context.switchToHttp().getRequest<HttpRequest>()));

export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match ? match[1] : undefined;
}

/** Whether `role` may call a route that allows `allowed`. */
export function roleAllowed(role: Role, allowed: readonly Role[]): boolean {
  return role === 'admin' || allowed.includes(role);
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true) return true;

    const request = context.switchToHttp().getRequest<HttpRequest>();
    const header = request.headers.authorization;
    const token = bearerToken(header);
    if (token === undefined) {
      throw this.unauthorized(context, header === undefined ? 'missing Authorization: Bearer <api key>' : 'malformed Authorization header: expected "Bearer <api key>"');
    }
    const principal = await this.authenticator.authenticate(token);
    if (principal === null) throw this.unauthorized(context, 'unknown or revoked API key');
    request.principal = principal;

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed === undefined) {
      throw new ApiError(HttpStatus.FORBIDDEN, { error: `${request.method} ${request.route?.path ?? request.path} declares no roles: refused for everyone` });
    }
    if (!roleAllowed(principal.role, allowed)) {
      throw new ApiError(HttpStatus.FORBIDDEN, { error: `role ${principal.role} may not ${request.method} ${request.route?.path ?? request.path} (allowed: ${['admin', ...allowed.filter((r) => r !== 'admin')].join(', ')})` });
    }
    return true;
  }

  private unauthorized(context: ExecutionContext, error: string): ApiError {
    context.switchToHttp().getResponse<HttpResponse>().setHeader('WWW-Authenticate', 'Bearer realm="pss-cloud"');
    return new ApiError(HttpStatus.UNAUTHORIZED, { error });
  }
}
