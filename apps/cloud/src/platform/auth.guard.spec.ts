// The auth guard on a small app of its own: a route without @Roles or @Public is refused for everyone (even
// admins), @Public needs no key, @Roles lets its roles and admins in; keys come from a real database.
import { Controller, Get, INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import pino from 'pino';
import { ApiKeyRepository, Database, PgliteDatabase, generateApiKeySecret, hashApiKey, runMigrations } from '../persistence';
import { AUTHENTICATOR, AuthGuard, CurrentPrincipal, bearerToken } from './auth.guard';
import { ApiKeyAuthenticator, BOOTSTRAP_ADMIN_SUBJECT } from './authenticator';
import { ApiExceptionFilter } from './errors';
import { LOGGER, Principal, Public, Role, Roles } from './tokens';

jest.setTimeout(60_000);

@Controller('t')
class ProbeController {
  @Get('undecided')
  undecided(): string {
    return 'should never be reached';
  }

  @Get('public')
  @Public()
  open(): string {
    return 'public';
  }

  @Get('planners')
  @Roles('planner')
  planners(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}

@Controller('c')
@Roles('viewer')
class ClassRolesController {
  @Get('inherited')
  inherited(): string {
    return 'viewers';
  }

  @Get('overridden')
  @Roles('gateway')
  overridden(): string {
    return 'gateways';
  }
}

describe('AuthGuard', () => {
  let db: Database;
  let app: INestApplication;
  let base: string;
  const secrets = new Map<Role, string>();
  const ADMIN = 'pss_bootstrap_for_guard_spec';

  const get = async (path: string, key?: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${base}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
    return { status: response.status, body: await response.json().catch(() => null) };
  };

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await runMigrations(db);
    for (const role of ['viewer', 'planner', 'admin', 'technician', 'gateway'] as Role[]) {
      const secret = generateApiKeySecret();
      await new ApiKeyRepository(db).insert({ tenant: 'acme', name: role, role, keyHash: hashApiKey(secret), resource: role === 'technician' ? 'pr.li' : null, createdAt: 1 });
      secrets.set(role, secret);
    }
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController, ClassRolesController],
      providers: [
        { provide: AUTHENTICATOR, useValue: new ApiKeyAuthenticator(db, ADMIN, 'acme') },
        { provide: LOGGER, useValue: pino({ level: 'silent' }) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('refuses a route without a decision for everyone, admins included, after authenticating', async () => {
    expect((await get('/t/undecided')).status).toBe(401);
    expect(await get('/t/undecided', secrets.get('admin'))).toEqual({ status: 403, body: { error: 'GET /t/undecided declares no roles: refused for everyone' } });
    expect((await get('/t/undecided', ADMIN)).status).toBe(403);
  });

  it('answers @Public routes without a key, and with a bad one', async () => {
    expect((await get('/t/public')).status).toBe(200);
    expect((await get('/t/public', 'pss_garbage')).status).toBe(200);
  });

  it('tells 401 (who are you?) from 403 (not you)', async () => {
    expect(await get('/t/planners')).toEqual({ status: 401, body: { error: 'missing Authorization: Bearer <api key>' } });
    expect(await get('/t/planners', 'pss_garbage')).toEqual({ status: 401, body: { error: 'unknown or revoked API key' } });
    const malformed = await fetch(`${base}/t/planners`, { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    expect(await get('/t/planners', secrets.get('viewer'))).toEqual({ status: 403, body: { error: 'role viewer may not GET /t/planners (allowed: admin, planner)' } });
  });

  it('attaches the principal: tenant, role and key id; the bootstrap key is an admin of the configured tenant', async () => {
    const planner = await get('/t/planners', secrets.get('planner'));
    expect(planner.status).toBe(200);
    expect(planner.body).toMatchObject({ tenant: 'acme', role: 'planner', subject: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await get('/t/planners', ADMIN)).toEqual({ status: 200, body: { tenant: 'acme', role: 'admin', subject: BOOTSTRAP_ADMIN_SUBJECT } });
  });

  it('reads @Roles from the class, a method decision overriding it', async () => {
    expect((await get('/c/inherited', secrets.get('viewer'))).status).toBe(200);
    expect((await get('/c/inherited', secrets.get('gateway'))).status).toBe(403);
    expect((await get('/c/overridden', secrets.get('gateway'))).status).toBe(200);
    expect((await get('/c/overridden', secrets.get('viewer'))).status).toBe(403);
  });

  it('refuses a key once it is revoked', async () => {
    const secret = generateApiKeySecret();
    const key = await new ApiKeyRepository(db).insert({ tenant: 'acme', name: 'temp', role: 'planner', keyHash: hashApiKey(secret), resource: null, createdAt: 1 });
    expect((await get('/t/planners', secret)).status).toBe(200);
    await new ApiKeyRepository(db).revoke('acme', key.id, 2);
    expect((await get('/t/planners', secret)).status).toBe(401);
  });

  it('reads bearer tokens strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
