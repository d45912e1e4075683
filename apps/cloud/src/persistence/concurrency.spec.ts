// Two cloud instances (two Databases, two connection pools) on one real PostgreSQL server race for the same work:
// storing the same events, batching and claiming them, saving and approving the run, creating the work orders,
// moving an order. Each time exactly one wins; the constraints and guarded statements decide, not timing.
import { Database } from './database';
import { loadMigrations, runMigrations } from './migrations';
import { PgDatabase } from './pg-database';
import { Repositories, repositories } from './repositories';
import { Backend, resetSchema, startPostgresBackend } from './testing/backends';
import { T0, newEvent } from './testing/fixtures';

jest.setTimeout(180_000);

const ROUNDS = 50;

describe('two cloud instances on one PostgreSQL', () => {
  let backend: Backend;
  let a: Database;
  let b: Database;

  beforeAll(async () => {
    backend = await startPostgresBackend();
    a = await backend.open();
    b = await backend.open();
    expect(a).toBeInstanceOf(PgDatabase);
    expect(b).not.toBe(a);
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it('apply the migrations once when they start together', async () => {
    const expected = loadMigrations().map((m) => m.version);
    for (let i = 0; i < 5; i++) {
      await resetSchema(a);
      const [ra, rb] = await Promise.all([runMigrations(a), runMigrations(b)]);
      const applied = [...ra.applied, ...rb.applied].map((m) => m.version).sort((x, y) => x - y);
      expect(applied).toEqual(expected);
      const recorded = await a.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(recorded.map((r) => r.version)).toEqual(expected);
    }
  });

  describe('racing for the same work', () => {
    let ra: Repositories;
    let rb: Repositories;

    beforeAll(async () => {
      await resetSchema(a);
      await runMigrations(a);
      ra = repositories(a);
      rb = repositories(b);
    });

    it(`each of ${ROUNDS} times, exactly one stores each event, claims the batch, saves and approves the run, creates the work orders and moves an order`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const tenant = `t${round}`;
        const now = T0 + round * 60_000;
        const events = ['car-1', 'car-2', 'car-3'].map((asset) => newEvent({ tenant, eventId: `${tenant}:${asset}`, asset }));

        // Both receive every event (at-least-once delivery to a shared subscription, or a redelivery).
        const inserts = await Promise.all(events.flatMap((e) => [ra.events.insertIfNew(e), rb.events.insertIfNew(e)]));
        expect(inserts.filter((r) => r.inserted)).toHaveLength(events.length);
        expect(inserts.filter((r) => !r.inserted && r.reason === 'duplicate')).toHaveLength(events.length);

        const [attachA, attachB] = await Promise.all([ra.batches.attachOpenEvents(tenant, now), rb.batches.attachOpenEvents(tenant, now)]);
        expect([...attachA.attached, ...attachB.attached].sort()).toEqual(events.map((e) => e.eventId).sort());
        const batchId = attachA.batchId ?? attachB.batchId;
        for (const attach of [attachA, attachB]) if (attach.attached.length > 0) expect(attach.batchId).toBe(batchId);
        const batches = await a.query<{ n: number }>('SELECT count(*) AS n FROM batches WHERE tenant = $1', [tenant]);
        expect(batches).toEqual([{ n: 1 }]);

        const claims = await Promise.all([
          ra.batches.claim('cloud-a', now, { collectMs: 0, leaseMs: 60_000 }),
          rb.batches.claim('cloud-b', now, { collectMs: 0, leaseMs: 60_000 }),
        ]);
        const won = claims.filter((c) => c !== null);
        expect(won).toHaveLength(1);
        expect(won[0]!.id).toBe(batchId);

        // Suppose both solved it (the loser's claim had expired, say): one run is saved, both see it.
        const run = (algorithm: string) => ({
          tenant,
          batchId: batchId!,
          problem: { round },
          algorithm,
          state: 'solved' as const,
          front: { solutions: [{}] },
          stats: null,
          chosenIndex: 0,
          policy: 'auto',
          explanation: null,
          createdAt: now,
        });
        const saves = await Promise.all([ra.runs.save(run('exact')), rb.runs.save(run('imodcs'))]);
        expect(saves.filter((s) => s.inserted)).toHaveLength(1);
        expect(saves[0].run.id).toBe(saves[1].run.id);
        const runId = saves[0].run.id;

        const approvals = await Promise.all([ra.runs.approve(tenant, runId, { by: 'planner-a', at: now }), rb.runs.approve(tenant, runId, { by: 'planner-b', at: now })]);
        expect(approvals.filter((r) => r.ok)).toHaveLength(1);

        const occurrences = events.flatMap((e) => [
          { eventId: e.eventId, activity: 'sa.inspect', startAt: now, endAt: now + 1000, resources: ['pr.li'] },
          { eventId: e.eventId, activity: 'sa.axle', startAt: now + 1000, endAt: now + 2000, resources: ['pr.li', 'pr.wang'] },
        ]);
        const dispatch = (db: Database) => db.transaction((tx) => repositories(tx).workOrders.createForRun(tenant, runId, 'car', occurrences, now));
        const dispatches = await Promise.all([dispatch(a), dispatch(b)]);
        const created = dispatches.map((d) => (d.ok ? d.created.length : -1)).sort();
        expect(created).toEqual([0, occurrences.length]);
        const orders = await ra.workOrders.listByRun(tenant, runId);
        expect(orders).toHaveLength(occurrences.length);

        const order = orders[0];
        const moves = await Promise.all([
          ra.workOrders.transition(tenant, order.id, { version: 0, from: 'planned', to: 'dispatched', actor: 'cloud-a', at: now }),
          rb.workOrders.transition(tenant, order.id, { version: 0, from: 'planned', to: 'cancelled', actor: 'planner-b', at: now }),
        ]);
        expect(moves.filter((m) => m.ok)).toHaveLength(1);
        expect(moves.filter((m) => !m.ok && m.reason === 'stale')).toHaveLength(1);
        const history = await ra.workOrders.history(tenant, order.id);
        expect(history.map((h) => h.version)).toEqual([0, 1]);

        const finishes = await Promise.all([
          ra.batches.finish(tenant, batchId!, 'cloud-a', { state: 'solved' }, now),
          rb.batches.finish(tenant, batchId!, 'cloud-b', { state: 'solved' }, now),
        ]);
        expect(finishes.filter((f) => f.finished)).toHaveLength(1);
      }
    });

    it('four instances draining many ready batches claim each exactly once', async () => {
      const dbs = [a, b, await backend.open(), await backend.open()];
      const tenants = Array.from({ length: 30 }, (_, i) => `drain-${i}`);
      for (const tenant of tenants) {
        await ra.events.insertIfNew(newEvent({ tenant, eventId: `${tenant}:e` }));
        await ra.batches.attachOpenEvents(tenant, T0);
      }
      const claimedBy = await Promise.all(
        dbs.map(async (db, i) => {
          const mine: string[] = [];
          for (;;) {
            const batch = await repositories(db).batches.claim(`cloud-${i}`, T0 + 1000, { collectMs: 0, leaseMs: 60_000 });
            if (batch === null) return mine;
            mine.push(batch.tenant);
          }
        }),
      );
      expect(claimedBy.flat().sort()).toEqual([...tenants].sort());
    });
  });
});
