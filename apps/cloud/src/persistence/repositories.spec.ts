import { EXAMPLES, EXAMPLE_LAST_WILL, GatewayStatus, SCHEMAS } from '@pss/protocol';
import { Database } from './database';
import { runMigrations } from './migrations';
import { Repositories, fromProtocolEvent, generateApiKeySecret, hashApiKey, repositories } from './repositories';
import { SQLSTATE, isRetryableTransactionError, sqlState, violatedConstraint } from './sql-errors';
import { BACKENDS, Backend, truncateAll } from './testing/backends';
import { T0, approvedRunFor, newEvent, seedModelAndAsset } from './testing/fixtures';
import { transitionWorkOrder } from './work-order-progress';
import { WorkOrderState } from './work-order-states';

jest.setTimeout(120_000);

const HOUR = 3600_000;

/** The SQLSTATE a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<{ code: string | undefined; constraint: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    return { code: sqlState(error), constraint: violatedConstraint(error) };
  }
  throw new Error('expected the statement to be refused');
}

describe.each(BACKENDS)('persistence on %s', (_name, start) => {
  let backend: Backend;
  let db: Database;
  let repos: Repositories;

  beforeAll(async () => {
    backend = await start();
    db = await backend.open();
    await runMigrations(db);
    repos = repositories(db);
  });
  afterAll(async () => {
    await backend?.dispose();
  });
  beforeEach(async () => {
    await truncateAll(db);
  });

  describe('the Database port', () => {
    it('returns bigint as number, jsonb as objects and text[] as arrays', async () => {
      const rows = await db.query<{ big: number; doc: unknown; list: string[]; n: number }>(
        'SELECT $1::bigint AS big, $2::jsonb AS doc, $3::text[] AS list, count(*) AS n FROM (VALUES (1), (2)) AS v(x)',
        [T0, JSON.stringify({ a: [1, 2] }), ['x', 'y']],
      );
      expect(rows).toEqual([{ big: T0, doc: { a: [1, 2] }, list: ['x', 'y'], n: 2 }]);
    });

    it('commits a transaction that resolves and rolls back one that throws, rethrowing its error', async () => {
      await db.transaction((tx) => tx.query("INSERT INTO gateways VALUES ('acme', 'gw-1', 'online', 's1', '1.0', 0, 0, NULL, 0, 0)"));
      const failure = new Error('changed my mind');
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO gateways VALUES ('acme', 'gw-2', 'online', 's1', '1.0', 0, 0, NULL, 0, 0)");
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await db.query('SELECT id FROM gateways ORDER BY id')).toEqual([{ id: 'gw-1' }]);
    });

    it('runs a transaction at the isolation level asked for', async () => {
      const level = await db.transaction((tx) => tx.query<{ transaction_isolation: string }>('SHOW transaction_isolation'), { isolation: 'serializable' });
      expect(level).toEqual([{ transaction_isolation: 'serializable' }]);
    });

    it('reports constraint violations with their SQLSTATE and constraint name', async () => {
      const refused = await rejection(db.query("INSERT INTO api_keys (tenant, name, role, key_hash, created_at) VALUES ('acme', 'k', 'admin', 'not-hex', 0)"));
      expect(refused).toEqual({ code: SQLSTATE.checkViolation, constraint: 'api_keys_key_hash_check' });
      expect(isRetryableTransactionError({ code: SQLSTATE.serializationFailure })).toBe(true);
      expect(isRetryableTransactionError({ code: SQLSTATE.uniqueViolation })).toBe(false);
    });
  });

  describe('models and assets', () => {
    it('stores immutable versions and reads the newest or a given one', async () => {
      const v1 = await repos.models.addVersion({ tenant: 'acme', id: 'car', name: 'Car', kind: 'model', document: { rev: 1 }, createdAt: T0 });
      const v2 = await repos.models.addVersion({ tenant: 'acme', id: 'car', name: 'Car', kind: 'model', document: { rev: 2 }, createdAt: T0 + 1 });
      await repos.models.addVersion({ tenant: 'other', id: 'car', name: 'Their car', kind: 'model', document: { rev: 1 }, createdAt: T0 });
      expect([v1.version, v2.version]).toEqual([1, 2]);
      expect((await repos.models.get('acme', 'car'))?.document).toEqual({ rev: 2 });
      expect((await repos.models.get('acme', 'car', 1))?.document).toEqual({ rev: 1 });
      expect(await repos.models.get('acme', 'car', 3)).toBeNull();
      expect((await repos.models.listLatest('acme')).map((m) => [m.id, m.version])).toEqual([['car', 2]]);
      expect((await repos.models.listLatest('other')).map((m) => m.name)).toEqual(['Their car']);
    });

    it('numbers concurrent saves of one model without a gap or a duplicate', async () => {
      const saves = Array.from({ length: 5 }, (_, i) =>
        repos.models.addVersion({ tenant: 'acme', id: 'car', name: 'Car', kind: 'model', document: { i }, createdAt: T0 }),
      );
      expect((await Promise.all(saves)).map((m) => m.version).sort()).toEqual([1, 2, 3, 4, 5]);
    });

    it('registers an asset of a model, and refuses one of an unknown model or of a problem', async () => {
      await seedModelAndAsset(db);
      const moved = await repos.assets.upsert({ tenant: 'acme', id: 'car-0017', modelId: 'car', modelVersion: 1, gateway: 'gw-2', contractTriggers: ['ss.running'], createdAt: T0 + 5 });
      expect(moved).toMatchObject({ gateway: 'gw-2', contractTriggers: ['ss.running'], createdAt: T0 });
      expect((await repos.assets.listByGateway('acme', 'gw-2')).map((a) => a.id)).toEqual(['car-0017']);

      const unknownModel = repos.assets.upsert({ tenant: 'acme', id: 'x', modelId: 'nope', modelVersion: 1, gateway: 'g', contractTriggers: null, createdAt: T0 });
      expect((await rejection(unknownModel)).code).toBe(SQLSTATE.foreignKeyViolation);
      // Another tenant's model is as unknown as no model.
      const otherTenant = repos.assets.upsert({ tenant: 'other', id: 'x', modelId: 'car', modelVersion: 1, gateway: 'g', contractTriggers: null, createdAt: T0 });
      expect((await rejection(otherTenant)).code).toBe(SQLSTATE.foreignKeyViolation);
      await repos.models.addVersion({ tenant: 'acme', id: 'prob', name: 'A problem', kind: 'problem', document: {}, createdAt: T0 });
      const ofProblem = repos.assets.upsert({ tenant: 'acme', id: 'y', modelId: 'prob', modelVersion: 1, gateway: 'g', contractTriggers: null, createdAt: T0 });
      expect((await rejection(ofProblem)).code).toBe(SQLSTATE.foreignKeyViolation);
    });
  });

  describe('trigger events', () => {
    it('stores an event once however often it is delivered', async () => {
      const event = fromProtocolEvent(EXAMPLES[SCHEMAS.triggerEvent], T0 + 2000);
      expect(await repos.events.insertIfNew(event)).toEqual({ inserted: true });
      expect(await repos.events.insertIfNew(event)).toEqual({ inserted: false, reason: 'duplicate' });
      expect(await repos.events.insertIfNew({ ...event, receivedAt: T0 + 9000 })).toEqual({ inserted: false, reason: 'duplicate' });
      const stored = await repos.events.get('acme', event.eventId);
      expect(stored).toEqual({ ...event, state: 'open', batchId: null, plannedRun: null, closedAt: null });
      expect(stored?.windowValues).toEqual({ "avg(p.axle.vibration_rms, '10m')": 7.18 });
    });

    it('keeps one open service per asset and trigger: a second firing is refused until the first is closed', async () => {
      expect(await repos.events.insertIfNew(newEvent({ eventId: 'e1' }))).toEqual({ inserted: true });
      expect(await repos.events.insertIfNew(newEvent({ eventId: 'e2', firedAt: T0 + 5 }))).toEqual({ inserted: false, reason: 'open-event-exists', openEventId: 'e1' });
      expect(await repos.events.insertIfNew(newEvent({ eventId: 'e3', trigger: 'ss.steering' }))).toEqual({ inserted: true });
      expect(await repos.events.insertIfNew(newEvent({ eventId: 'e4', tenant: 'other' }))).toEqual({ inserted: true });

      expect(await repos.events.close('acme', 'e1', T0 + HOUR)).toEqual({ closed: true, closeCommandQueued: true });
      expect(await repos.events.close('acme', 'e1', T0 + 2 * HOUR)).toEqual({ closed: false, closeCommandQueued: false });
      expect(await repos.events.insertIfNew(newEvent({ eventId: 'e2', firedAt: T0 + 2 * HOUR }))).toEqual({ inserted: true });
      expect((await repos.events.listOpen('acme')).map((e) => e.eventId)).toEqual(['e3', 'e2']);
      expect(await repos.events.get('acme', 'e1')).toMatchObject({ state: 'closed', closedAt: T0 + HOUR });
    });

    it('refuses an event whose window ends before it starts', async () => {
      const refused = await rejection(repos.events.insertIfNew(newEvent({ eventId: 'bad', windowStart: T0 + 10, deadline: T0 })));
      expect(refused.code).toBe(SQLSTATE.checkViolation);
    });

    it('owes a close command to the gateway of an edge event until the gateway acknowledges it', async () => {
      await repos.events.insertIfNew(newEvent({ eventId: 'e1' }));
      await repos.events.insertIfNew(newEvent({ eventId: 'e2', asset: 'car-0018' }));
      await repos.events.insertIfNew(newEvent({ eventId: 'm1', asset: 'car-0019', source: 'manual' }));
      await repos.events.insertIfNew(newEvent({ eventId: 'x1', gateway: 'gw-other', asset: 'car-0020' }));
      for (const id of ['e2', 'e1', 'm1', 'x1']) await repos.events.close('acme', id, T0 + HOUR);

      // A manual event has no gateway latch to release.
      expect(await repos.events.close('acme', 'm1', T0 + HOUR)).toEqual({ closed: false, closeCommandQueued: false });
      const pending = await repos.pendingCloses.forGateway('acme', 'gw-depot-1');
      expect(pending).toEqual([
        { tenant: 'acme', gateway: 'gw-depot-1', eventId: 'e1', asset: 'car-0017', trigger: 'ss.running', closedAt: T0 + HOUR },
        { tenant: 'acme', gateway: 'gw-depot-1', eventId: 'e2', asset: 'car-0018', trigger: 'ss.running', closedAt: T0 + HOUR },
      ]);
      // Acks are redelivered, and may name ids of another gateway or none at all.
      expect(await repos.pendingCloses.ack('acme', 'gw-depot-1', ['e1', 'x1', 'nope'], T0 + 2 * HOUR)).toEqual(['e1']);
      expect(await repos.pendingCloses.ack('acme', 'gw-depot-1', ['e1'], T0 + 3 * HOUR)).toEqual([]);
      expect((await repos.pendingCloses.forGateway('acme', 'gw-depot-1')).map((p) => p.eventId)).toEqual(['e2']);
      expect((await repos.pendingCloses.forGateway('acme', 'gw-other')).map((p) => p.eventId)).toEqual(['x1']);
    });
  });

  describe('batches', () => {
    const claimOptions = { collectMs: 30_000, leaseMs: 5 * 60_000 };

    it('collects open events into one batch per tenant, claimable once it has collected long enough', async () => {
      expect(await repos.batches.attachOpenEvents('acme', T0)).toEqual({ batchId: null, attached: [] });
      await repos.events.insertIfNew(newEvent({ eventId: 'e1' }));
      await repos.events.insertIfNew(newEvent({ eventId: 'e2', asset: 'car-0018' }));
      const first = await repos.batches.attachOpenEvents('acme', T0);
      expect(first.attached).toEqual(['e1', 'e2']);
      await repos.events.insertIfNew(newEvent({ eventId: 'e3', asset: 'car-0019' }));
      const second = await repos.batches.attachOpenEvents('acme', T0 + 10_000);
      expect(second).toEqual({ batchId: first.batchId, attached: ['e3'] });
      expect(await repos.batches.attachOpenEvents('acme', T0 + 20_000)).toEqual({ batchId: first.batchId, attached: [] });

      expect(await repos.batches.claim('cloud-a', T0 + 29_999, claimOptions)).toBeNull();
      const claimed = await repos.batches.claim('cloud-a', T0 + 30_000, claimOptions);
      expect(claimed).toMatchObject({ id: first.batchId, state: 'solving', claimedBy: 'cloud-a', claimedAt: T0 + 30_000, attempts: 1 });
      expect(await repos.batches.claim('cloud-b', T0 + 30_000, claimOptions)).toBeNull();
      expect((await repos.events.listByBatch('acme', first.batchId!)).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);

      // Events arriving now go to the next batch: the claimed one is closed to newcomers.
      await repos.events.insertIfNew(newEvent({ eventId: 'e4', asset: 'car-0020' }));
      const next = await repos.batches.attachOpenEvents('acme', T0 + 31_000);
      expect(next.attached).toEqual(['e4']);
      expect(next.batchId).not.toBe(first.batchId);
    });

    it('lets only the claiming instance finish a batch, and another take it over when the claim expired', async () => {
      await repos.events.insertIfNew(newEvent({ eventId: 'e1' }));
      const { batchId } = await repos.batches.attachOpenEvents('acme', T0);
      await repos.batches.claim('cloud-a', T0 + 30_000, claimOptions);
      expect(await repos.batches.claim('cloud-b', T0 + 30_000 + claimOptions.leaseMs - 1, claimOptions)).toBeNull();
      const takenOver = await repos.batches.claim('cloud-b', T0 + 30_000 + claimOptions.leaseMs, claimOptions);
      expect(takenOver).toMatchObject({ id: batchId, claimedBy: 'cloud-b', attempts: 2 });

      expect(await repos.batches.finish('acme', batchId!, 'cloud-a', { state: 'solved' }, T0 + HOUR)).toEqual({ finished: false, released: [] });
      expect(await repos.batches.finish('acme', batchId!, 'cloud-b', { state: 'solved' }, T0 + HOUR)).toEqual({ finished: true, released: [] });
      expect(await repos.batches.get('acme', batchId!)).toMatchObject({ state: 'solved', finishedAt: T0 + HOUR, error: null });
      expect(await repos.batches.claim('cloud-c', T0 + 10 * HOUR, claimOptions)).toBeNull();
      expect(await repos.batches.get('acme', 'not-a-uuid')).toBeNull();
    });

    it('releases the events of a failed batch for the next one', async () => {
      await repos.events.insertIfNew(newEvent({ eventId: 'e1' }));
      const { batchId } = await repos.batches.attachOpenEvents('acme', T0);
      await repos.batches.claim('cloud-a', T0 + 30_000, claimOptions);
      const failed = await repos.batches.finish('acme', batchId!, 'cloud-a', { state: 'failed', error: 'optimizer crashed', releaseEvents: true }, T0 + 40_000);
      expect(failed).toEqual({ finished: true, released: ['e1'] });
      expect(await repos.batches.get('acme', batchId!)).toMatchObject({ state: 'failed', error: 'optimizer crashed' });
      const again = await repos.batches.attachOpenEvents('acme', T0 + 50_000);
      expect(again.attached).toEqual(['e1']);
      expect(again.batchId).not.toBe(batchId);
    });

    it('never claims an empty batch', async () => {
      await db.query("INSERT INTO batches (tenant, created_at) VALUES ('acme', $1)", [T0]);
      expect(await repos.batches.claim('cloud-a', T0 + HOUR, claimOptions)).toBeNull();
    });
  });

  describe('configuration runs', () => {
    it('saves one run per batch and lets one approval through', async () => {
      await repos.events.insertIfNew(newEvent({ eventId: 'e1' }));
      const { batchId } = await repos.batches.attachOpenEvents('acme', T0);
      await repos.batches.claim('cloud-a', T0, { collectMs: 0, leaseMs: HOUR });
      const run = {
        tenant: 'acme',
        batchId: batchId!,
        problem: { kind: 'ConfigurationProblem', triggered: [] },
        algorithm: 'imodcs',
        state: 'solved' as const,
        front: { kind: 'ParetoFront', solutions: [{ objectives: { time: 1 } }, { objectives: { time: 2 } }] },
        stats: { wallMs: 12 },
        chosenIndex: null,
        policy: null,
        explanation: null,
        createdAt: T0 + 1,
      };
      const saved = await repos.runs.save(run);
      expect(saved.inserted).toBe(true);
      expect(saved.run).toMatchObject({ batchId, state: 'solved', front: run.front, problem: run.problem, chosenIndex: null, approvedBy: null });
      const twice = await repos.runs.save({ ...run, algorithm: 'nsga2' });
      expect(twice).toEqual({ inserted: false, run: saved.run });

      const id = saved.run.id;
      expect(await repos.runs.approve('acme', 'no-such-run', { by: 'p', at: T0 })).toEqual({ ok: false, reason: 'not-found' });
      expect((await repos.runs.approve('acme', id, { by: 'p', at: T0 })).ok).toBe(false);
      expect(await repos.runs.approve('acme', id, { by: 'p', at: T0, chosenIndex: 2 })).toMatchObject({ ok: false, reason: 'no-such-solution' });
      const approved = await repos.runs.approve('acme', id, { by: 'planner-1', at: T0 + 5, chosenIndex: 1 });
      expect(approved).toMatchObject({ ok: true, run: { state: 'approved', chosenIndex: 1, approvedBy: 'planner-1', approvedAt: T0 + 5 } });
      expect(await repos.runs.approve('acme', id, { by: 'planner-2', at: T0 + 6, chosenIndex: 0 })).toMatchObject({
        ok: false,
        reason: 'not-solved',
        run: { approvedBy: 'planner-1', chosenIndex: 1 },
      });
      expect(await repos.runs.getByBatch('acme', batchId!)).toMatchObject({ id, state: 'approved' });
    });

    it('stores a failed run with its error and refuses one without', async () => {
      await repos.events.insertIfNew(newEvent({ eventId: 'e1' }));
      const { batchId } = await repos.batches.attachOpenEvents('acme', T0);
      const failed = await repos.runs.save({ tenant: 'acme', batchId: batchId!, problem: {}, algorithm: 'exact', state: 'failed', error: 'no feasible solution', stats: null, createdAt: T0 });
      expect(failed.run).toMatchObject({ state: 'failed', error: 'no feasible solution', front: null });
      expect(await repos.runs.approve('acme', failed.run.id, { by: 'p', at: T0, chosenIndex: 0 })).toMatchObject({ ok: false, reason: 'not-solved' });
      const refused = await rejection(
        db.query("INSERT INTO configuration_runs (tenant, batch_id, problem, algorithm, state, created_at) VALUES ('acme', $1, '{}', 'x', 'failed', 0)", [batchId!]),
      );
      expect(refused.code).toBe(SQLSTATE.checkViolation);
    });
  });

  describe('work orders', () => {
    beforeEach(() => seedModelAndAsset(db));

    const plan = (eventId: string, activity: string, startAt: number, resources: string[]) => ({ eventId, activity, startAt, endAt: startAt + 2 * HOUR, resources });

    it('creates the orders of an approved run once, however often the dispatch runs', async () => {
      const run = await approvedRunFor(repos, [newEvent({ eventId: 'e1' }), newEvent({ eventId: 'e2', asset: 'car-0018' })]);
      const occurrences = [plan('e1', 'sa.inspect', T0, ['pr.li']), plan('e1', 'sa.axle', T0 + 2 * HOUR, ['pr.li', 'pr.wang']), plan('e2', 'sa.inspect', T0, ['pr.zhao'])];
      const first = await db.transaction((tx) => repositories(tx).workOrders.createForRun('acme', run.runId, 'car', occurrences, T0 + HOUR));
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      expect(first.refused).toEqual([]);
      expect(first.existing).toBe(0);
      expect(first.created.map((o) => [o.eventId, o.activity, o.asset, o.trigger, o.state, o.version])).toEqual([
        ['e1', 'sa.inspect', 'car-0017', 'ss.running', 'planned', 0],
        ['e1', 'sa.axle', 'car-0017', 'ss.running', 'planned', 0],
        ['e2', 'sa.inspect', 'car-0018', 'ss.running', 'planned', 0],
      ]);
      expect(await repos.events.get('acme', 'e1')).toMatchObject({ state: 'planned', plannedRun: run.runId });

      const again = await repos.workOrders.createForRun('acme', run.runId, 'car', occurrences, T0 + 2 * HOUR);
      expect(again).toEqual({ ok: true, created: [], existing: 3, refused: [] });
      expect(await repos.workOrders.listByRun('acme', run.runId)).toHaveLength(3);
      expect((await repos.workOrders.listByEvent('acme', 'e1')).map((o) => o.activity)).toEqual(['sa.inspect', 'sa.axle']);
      expect((await repos.workOrders.listForResource('acme', 'pr.li')).map((o) => o.activity)).toEqual(['sa.inspect', 'sa.axle']);
      expect(await repos.workOrders.history('acme', first.created[0].id)).toEqual([{ version: 0, from: null, to: 'planned', actor: 'system', at: T0 + HOUR, note: null }]);
    });

    it('creates orders only for events of the run’s own batch, and only from an approved run', async () => {
      const run = await approvedRunFor(repos, [newEvent({ eventId: 'e1' }), newEvent({ eventId: 'closed', asset: 'car-0019' })]);
      await repos.events.close('acme', 'closed', T0);
      await repos.events.insertIfNew(newEvent({ eventId: 'elsewhere', asset: 'car-0018' }));
      const result = await repos.workOrders.createForRun(
        'acme',
        run.runId,
        'car',
        [plan('e1', 'sa.inspect', T0, ['pr.li']), plan('elsewhere', 'sa.inspect', T0, ['pr.li']), plan('ghost', 'sa.inspect', T0, []), plan('closed', 'sa.inspect', T0, [])],
        T0,
      );
      expect(result).toMatchObject({
        ok: true,
        existing: 0,
        refused: [
          { eventId: 'closed', reason: 'closed' },
          { eventId: 'elsewhere', reason: 'not-in-run-batch' },
          { eventId: 'ghost', reason: 'unknown-event' },
        ],
      });
      expect(result.ok && result.created.map((o) => o.eventId)).toEqual(['e1']);
      expect(await repos.workOrders.createForRun('acme', 'not-a-uuid', 'car', [], T0)).toEqual({ ok: false, reason: 'run-not-found' });

      // A second batch with a solved but not approved run.
      await repos.batches.attachOpenEvents('acme', T0);
      const batch = await repos.batches.claim('cloud-a', T0 + HOUR, { collectMs: 0, leaseMs: HOUR });
      const unapproved = await repos.runs.save({ tenant: 'acme', batchId: batch!.id, problem: {}, algorithm: 'exact', state: 'solved', front: { solutions: [] }, stats: null, chosenIndex: null, policy: null, explanation: null, createdAt: T0 });
      expect(await repos.workOrders.createForRun('acme', unapproved.run.id, 'car', [plan('elsewhere', 'a', T0, [])], T0)).toEqual({ ok: false, reason: 'run-not-approved' });

      // Below the repository, the schema itself refuses an order for an event that run did not plan.
      const direct = await rejection(
        db.query(
          `INSERT INTO work_orders (tenant, run_id, event_id, model_id, asset, trigger, activity, start_at, end_at, created_at, updated_at)
           VALUES ('acme', $1, 'elsewhere', 'car', 'car-0018', 'ss.running', 'sa.inspect', 0, 1, 0, 0)`,
          [run.runId],
        ),
      );
      expect(direct.code).toBe(SQLSTATE.foreignKeyViolation);
    });

    it('moves an order by optimistic transitions, logging each, and tells why a transition did not happen', async () => {
      const run = await approvedRunFor(repos, [newEvent({ eventId: 'e1' })]);
      const created = await repos.workOrders.createForRun('acme', run.runId, 'car', [plan('e1', 'sa.axle', T0, ['pr.li', 'pr.wang'])], T0);
      if (!created.ok) throw new Error(created.reason);
      const id = created.created[0].id;
      const step = (version: number, from: WorkOrderState, to: WorkOrderState, extra = {}) =>
        repos.workOrders.transition('acme', id, { version, from, to, actor: 'pr.li', at: T0 + version * 1000, ...extra });

      expect(await step(0, 'planned', 'dispatched')).toMatchObject({ ok: true, order: { state: 'dispatched', version: 1, updatedAt: T0 } });
      expect(await step(0, 'planned', 'dispatched')).toMatchObject({ ok: false, reason: 'already-applied', order: { version: 1 } });
      expect(await step(0, 'planned', 'accepted')).toMatchObject({ ok: false, reason: 'invalid-transition' });
      expect(await step(1, 'accepted', 'in_progress')).toMatchObject({ ok: false, reason: 'stale', order: { state: 'dispatched', version: 1 } });
      expect(await step(1, 'dispatched', 'accepted', { resource: 'pr.zhao' })).toMatchObject({ ok: false, reason: 'not-assigned' });
      expect(await step(1, 'dispatched', 'accepted', { resource: 'pr.wang', note: 'on my way' })).toMatchObject({ ok: true, order: { state: 'accepted', version: 2, note: 'on my way' } });
      expect(await repos.workOrders.transition('acme', 'nope', { version: 0, from: 'planned', to: 'dispatched', actor: 'x', at: T0 })).toEqual({ ok: false, reason: 'not-found' });

      expect((await repos.workOrders.history('acme', id)).map((h) => [h.version, h.from, h.to, h.actor])).toEqual([
        [0, null, 'planned', 'system'],
        [1, 'planned', 'dispatched', 'pr.li'],
        [2, 'dispatched', 'accepted', 'pr.li'],
      ]);
    });

    it('counts a finished order once towards the reliability of its activity and its resources', async () => {
      const run = await approvedRunFor(repos, [newEvent({ eventId: 'e1' }), newEvent({ eventId: 'e2', asset: 'car-0018' })]);
      const created = await repos.workOrders.createForRun(
        'acme',
        run.runId,
        'car',
        [plan('e1', 'sa.axle', T0, ['pr.li', 'pr.wang']), plan('e2', 'sa.axle', T0, ['pr.li']), plan('e2', 'sa.inspect', T0 + 2 * HOUR, ['pr.li'])],
        T0,
      );
      if (!created.ok) throw new Error(created.reason);
      const [axle1, axle2, inspect2] = created.created;
      const move = (id: string, version: number, from: WorkOrderState, to: WorkOrderState, at: number) =>
        transitionWorkOrder(db, 'acme', id, { version, from, to, actor: 'pr.li', at });
      const runThrough = async (id: string, startAt: number, finishAt: number, end: 'done' | 'failed') => {
        await move(id, 0, 'planned', 'dispatched', startAt - 10);
        await move(id, 1, 'dispatched', 'accepted', startAt - 5);
        await move(id, 2, 'accepted', 'in_progress', startAt);
        return move(id, 3, 'in_progress', end, finishAt);
      };
      // 1.5 h of a planned 2 h: in time. 3 h: late. The third fails.
      expect(await runThrough(axle1.id, T0, T0 + 1.5 * HOUR, 'done')).toMatchObject({ ok: true, order: { state: 'done', startedAt: T0, finishedAt: T0 + 1.5 * HOUR } });
      await runThrough(axle2.id, T0, T0 + 3 * HOUR, 'done');
      await runThrough(inspect2.id, T0, T0 + HOUR, 'failed');
      // The final report delivered again: not applied, not counted.
      expect(await move(axle1.id, 3, 'in_progress', 'done', T0 + 2 * HOUR)).toMatchObject({ ok: false, reason: 'already-applied' });

      const observed = await repos.feedback.observed('acme', 'car');
      expect(observed.activities).toEqual([
        { activity: 'sa.axle', completed: 2, completedInTime: 1, failed: 0, executed: 2, reliability: 0.5, meanDurationMs: 2.25 * HOUR },
        { activity: 'sa.inspect', completed: 0, completedInTime: 0, failed: 1, executed: 1, reliability: 0, meanDurationMs: null },
      ]);
      expect(observed.resources).toEqual([
        { resource: 'pr.li', activity: 'sa.axle', inTime: 1, total: 2, theta: 0.5 },
        { resource: 'pr.li', activity: 'sa.inspect', inTime: 0, total: 1, theta: 0 },
        { resource: 'pr.wang', activity: 'sa.axle', inTime: 1, total: 1, theta: 1 },
      ]);
      expect(observed.resourceTotals).toEqual([
        { resource: 'pr.li', inTime: 1, total: 3, theta: 1 / 3 },
        { resource: 'pr.wang', inTime: 1, total: 1, theta: 1 },
      ]);
      expect(await repos.feedback.observed('acme', 'other-model')).toEqual({ activities: [], resources: [], resourceTotals: [] });
      expect((await repos.workOrders.listForResource('acme', 'pr.li')).length).toBe(0);
      expect((await repos.workOrders.listForResource('acme', 'pr.li', { includeFinished: true })).length).toBe(3);
    });

    it('does not count a cancelled order', async () => {
      const run = await approvedRunFor(repos, [newEvent({ eventId: 'e1' })]);
      const created = await repos.workOrders.createForRun('acme', run.runId, 'car', [plan('e1', 'sa.axle', T0, ['pr.li'])], T0);
      if (!created.ok) throw new Error(created.reason);
      const cancelled = await transitionWorkOrder(db, 'acme', created.created[0].id, { version: 0, from: 'planned', to: 'cancelled', actor: 'planner-1', at: T0 });
      expect(cancelled).toMatchObject({ ok: true, order: { state: 'cancelled', finishedAt: T0 } });
      expect((await repos.feedback.observed('acme', 'car')).activities).toEqual([]);
    });
  });

  describe('gateways', () => {
    const birth: GatewayStatus = EXAMPLES[SCHEMAS.gatewayStatus];

    it('applies a birth, a death only of its own session, and never revives a dead session', async () => {
      expect(await repos.gateways.applyStatus(birth, birth.time + 10)).toMatchObject({
        applied: true,
        gateway: { state: 'online', session: birth.session, version: '0.4.0', spoolDepth: 0, lastSeen: birth.time + 10, reason: null },
      });
      const oldWill = { ...EXAMPLE_LAST_WILL, session: 'gw-depot-1.1772000000000' };
      expect(await repos.gateways.applyStatus(oldWill, birth.time + 20)).toMatchObject({ applied: false, gateway: { state: 'online', lastSeen: birth.time + 20 } });
      expect(await repos.gateways.applyStatus(EXAMPLE_LAST_WILL, birth.time + 30)).toMatchObject({ applied: true, gateway: { state: 'offline', reason: 'connection-lost' } });
      // The retained birth of the dead session, delivered again.
      expect(await repos.gateways.applyStatus(birth, birth.time + 40)).toMatchObject({ applied: false, gateway: { state: 'offline' } });

      const newSession: GatewayStatus = { ...birth, session: 'gw-depot-1.1772440000000', time: 1772440000000, spoolDepth: 12 };
      expect(await repos.gateways.applyStatus(newSession, 1772440000100)).toMatchObject({ applied: true, gateway: { state: 'online', spoolDepth: 12 } });
      // An older birth (of a session before) arrives late: ignored.
      const older: GatewayStatus = { ...birth, session: 'gw-depot-1.1772430000000', time: 1772430000000 };
      expect(await repos.gateways.applyStatus(older, 1772440000200)).toMatchObject({ applied: false, gateway: { session: newSession.session } });
      expect((await repos.gateways.list('acme')).map((g) => [g.id, g.state, g.lastSeen])).toEqual([['gw-depot-1', 'online', 1772440000200]]);
    });

    it('records a death from a gateway never seen online', async () => {
      expect(await repos.gateways.applyStatus(EXAMPLE_LAST_WILL, 5)).toMatchObject({ applied: true, gateway: { state: 'offline', spoolDepth: null } });
    });
  });

  describe('API keys', () => {
    it('finds an active key by the hash of its secret, and no longer once revoked', async () => {
      const secret = generateApiKeySecret();
      expect(secret).toMatch(/^pss_[A-Za-z0-9_-]{43}$/);
      const key = await repos.apiKeys.insert({ tenant: 'acme', name: 'Li’s phone', role: 'technician', keyHash: hashApiKey(secret), resource: 'pr.li', createdAt: T0 });
      expect(await repos.apiKeys.findByHash(hashApiKey(secret))).toEqual(key);
      expect(await repos.apiKeys.findByHash(hashApiKey(secret + 'x'))).toBeNull();
      expect(await repos.apiKeys.revoke('other', key.id, T0 + 1)).toBe(false);
      expect(await repos.apiKeys.revoke('acme', key.id, T0 + 1)).toBe(true);
      expect(await repos.apiKeys.revoke('acme', key.id, T0 + 2)).toBe(false);
      expect(await repos.apiKeys.revoke('acme', 'not-a-uuid', T0 + 2)).toBe(false);
      expect(await repos.apiKeys.findByHash(hashApiKey(secret))).toBeNull();
      expect((await repos.apiKeys.list('acme')).map((k) => [k.name, k.revokedAt])).toEqual([['Li’s phone', T0 + 1]]);
    });

    it('ties a resource to technicians only, and a hash to one key', async () => {
      const hash = hashApiKey('s1');
      const noResource = await rejection(repos.apiKeys.insert({ tenant: 'acme', name: 't', role: 'technician', keyHash: hash, resource: null, createdAt: T0 }));
      expect(noResource.code).toBe(SQLSTATE.checkViolation);
      const plannerWithResource = await rejection(repos.apiKeys.insert({ tenant: 'acme', name: 'p', role: 'planner', keyHash: hash, resource: 'pr.li', createdAt: T0 }));
      expect(plannerWithResource.code).toBe(SQLSTATE.checkViolation);
      await repos.apiKeys.insert({ tenant: 'acme', name: 'p', role: 'planner', keyHash: hash, resource: null, createdAt: T0 });
      const sameHash = await rejection(repos.apiKeys.insert({ tenant: 'other', name: 'p', role: 'viewer', keyHash: hash, resource: null, createdAt: T0 }));
      expect(sameHash).toEqual({ code: SQLSTATE.uniqueViolation, constraint: 'api_keys_key_hash_key' });
    });
  });
});
