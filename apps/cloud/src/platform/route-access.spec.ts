// Every HTTP route × every caller → the expected answer class: 401 without a valid key, 403 for a role the route
// does not allow, anything but 401/403 (and no 5xx) for a role it allows. The route list comes from the running
// app's Express router, so a route added without a decision in ROUTE_ACCESS fails the first test: the decision
// table is the role matrix (docs/operations.md, "Cloud service", mirrors it).
import { Role } from './tokens';
import { TestCloud, startTestCloud } from './testing/cloud-harness';

jest.setTimeout(120_000);

type Access = 'public' | readonly Role[];

/** METHOD path → the roles that may call it besides admin (admin may call every non-public route). */
const ROUTE_ACCESS: Record<string, Access> = {
  // platform
  'GET /health': 'public',
  'GET /metrics': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/': 'public',
  'GET /api/docs/index.html': 'public',
  'GET /api/docs/swagger-ui-init.js': 'public',
  'GET /api/docs/docs/swagger-ui-init.js': 'public',
  'GET /api/docs/LICENSE': 'public',
  'GET /api/docs-json': 'public',
  'GET /api/docs-yaml': 'public',
  'POST /api/keys': [],
  'GET /api/keys': [],
  'DELETE /api/keys/:id': [],
  // models
  'POST /api/models': ['planner'],
  'GET /api/models': ['viewer', 'planner'],
  'GET /api/models/:id': ['viewer', 'planner', 'gateway'],
  'GET /api/models/:id/network': ['viewer', 'planner'],
  'POST /api/problems': ['planner'],
  'GET /api/problems': ['viewer', 'planner'],
  'GET /api/problems/:id': ['viewer', 'planner'],
  'PUT /api/assets/:id': ['planner'],
  'GET /api/assets': ['viewer', 'planner', 'gateway'],
  'GET /api/assets/:id': ['viewer', 'planner', 'gateway'],
  // contracts
  'POST /api/contracts/configure': ['planner'],
  'GET /api/contracts': ['viewer', 'planner'],
  'GET /api/contracts/:id': ['viewer', 'planner'],
  // triggers
  'POST /api/triggers': ['planner'],
  'GET /api/triggers': ['viewer', 'planner'],
  'GET /api/triggers/:id': ['viewer', 'planner'],
  'POST /api/triggers/:id/replan': ['planner'],
  'GET /api/matrix': ['viewer', 'planner'],
  // configuration runs
  'GET /api/runs': ['viewer', 'planner'],
  'GET /api/runs/:id': ['viewer', 'planner'],
  'POST /api/runs/:id/approve': ['planner'],
  // work orders
  'GET /api/work-orders': ['viewer', 'planner', 'technician'],
  'GET /api/work-orders/:id': ['viewer', 'planner', 'technician'],
  'POST /api/work-orders/:id/progress': ['planner', 'technician'],
  'POST /api/work-orders/:id/cancel': ['planner'],
  // feedback
  'POST /api/triggers/:id/close': ['planner'],
  'GET /api/feedback/:modelId': ['viewer', 'planner'],
  // telemetry
  'GET /api/telemetry/:asset': ['viewer', 'planner', 'technician'],
  'GET /api/telemetry/:asset/latest': ['viewer', 'planner', 'technician'],
};

const ROLES: readonly Role[] = ['viewer', 'planner', 'admin', 'technician', 'gateway'];

interface RouteLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

/** The routes Express knows (Nest's controllers and Swagger's document routes), as "METHOD path". */
function expressRoutes(cloud: TestCloud): string[] {
  const express = cloud.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } };
  const routes = new Set<string>();
  for (const layer of express.router.stack) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all' && method !== 'head') routes.add(`${method.toUpperCase()} ${layer.route.path}`);
    }
  }
  return [...routes].sort();
}

function concretePath(pattern: string): string {
  return pattern.replace(/:([A-Za-z_]+)/g, 'no-such-$1');
}

describe('route access (every route × every role)', () => {
  let cloud: TestCloud;
  const keys = new Map<Role | 'bootstrap', string>();

  beforeAll(async () => {
    cloud = await startTestCloud();
    keys.set('bootstrap', cloud.adminKey);
    for (const role of ROLES) keys.set(role, (await cloud.createKey(role, role === 'technician' ? { resource: 'pr.li' } : {})).key);
  });

  afterAll(async () => {
    await cloud?.close();
  });

  it('every route has a decision in the table, and every decision a route', () => {
    const routes = expressRoutes(cloud);
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !(r in ROUTE_ACCESS))).toEqual([]);
    expect(Object.keys(ROUTE_ACCESS).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('the OpenAPI document lists every route but its own, with bearer auth on the non-public ones', async () => {
    const doc = (await cloud.request('GET', '/api/docs-json')).body as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`));
    const expected = Object.keys(ROUTE_ACCESS).filter((r) => !r.includes('/api/docs'));
    expect(documented.sort()).toEqual(expected.sort());
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const access = ROUTE_ACCESS[`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`];
        if (access === 'public') expect({ route: `${method} ${path}`, security: op.security }).toEqual({ route: `${method} ${path}`, security: undefined });
        else expect({ route: `${method} ${path}`, security: op.security }).toEqual({ route: `${method} ${path}`, security: [{ bearer: [] }] });
      }
    }
  });

  const cases = Object.entries(ROUTE_ACCESS).flatMap(([route, access]) => {
    const callers: (Role | 'bootstrap' | 'none' | 'bad-key')[] = ['none', 'bad-key', 'bootstrap', ...ROLES];
    return callers.map((caller) => {
      const allowed = access === 'public' || caller === 'bootstrap' || caller === 'admin' || (caller !== 'none' && caller !== 'bad-key' && access.includes(caller));
      const expected = allowed ? 'allowed' : caller === 'none' || caller === 'bad-key' ? 401 : 403;
      return [route, caller, expected] as const;
    });
  });

  test.each(cases)('%s as %s → %s', async (route, caller, expected) => {
    const [method, pattern] = route.split(' ');
    const key = caller === 'none' ? undefined : caller === 'bad-key' ? 'pss_not-a-key' : keys.get(caller);
    const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const answer = await cloud.request(method, concretePath(pattern), { key, ...(withBody ? { body: {} } : {}) });
    if (expected === 'allowed') {
      expect({ route, caller, status: answer.status, allowed: answer.status !== 401 && answer.status !== 403 && answer.status < 500 }).toEqual({
        route,
        caller,
        status: answer.status,
        allowed: true,
      });
    } else {
      expect({ route, caller, status: answer.status }).toEqual({ route, caller, status: expected });
      expect(typeof (answer.body as { error?: unknown }).error).toBe('string');
      if (expected === 401) expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });
});
