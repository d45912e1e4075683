// The batch and run queries of the configuration service, on PGlite.
import { Database, repositories, runMigrations } from '../persistence';
import { Backend, startPgliteBackend } from '../persistence/testing/backends';
import { newEvent } from '../persistence/testing/fixtures';
import { RunQueries } from './run-queries';

jest.setTimeout(60_000);

describe('RunQueries', () => {
  let backend: Backend;
  let db: Database;

  beforeAll(async () => {
    backend = await startPgliteBackend();
    db = await backend.open();
    await runMigrations(db);
  });
  afterAll(() => backend?.dispose());

  it('releases the events of a failed batch only after the pause, into a new batch', async () => {
    const repos = repositories(db);
    const queries = new RunQueries(db);
    await repos.events.insertIfNew(newEvent({ eventId: 'e1' }));
    await repos.events.insertIfNew(newEvent({ eventId: 'e2', asset: 'car-0018' }));
    expect(await queries.tenantsWithUnbatchedEvents()).toEqual(['acme']);
    const attached = await repos.batches.attachOpenEvents('acme', 1000);
    expect(await queries.tenantsWithUnbatchedEvents()).toEqual([]);
    const batch = (await repos.batches.claim('cloud-a', 2000, { collectMs: 0, leaseMs: 60_000 }))!;
    expect(batch.id).toBe(attached.batchId);

    // One event goes to a later batch (another model's); the batch then fails.
    await queries.detach('acme', batch.id, ['e2']);
    expect((await repos.events.get('acme', 'e2'))!.batchId).toBeNull();
    await repos.batches.finish('acme', batch.id, 'cloud-a', { state: 'failed', error: 'no feasible solution', releaseEvents: false }, 3000);
    expect(await queries.releaseFailed(2999)).toBe(0);
    expect((await repos.events.get('acme', 'e1'))!.batchId).toBe(batch.id);
    expect(await queries.releaseFailed(3000)).toBe(1);
    expect((await repos.events.get('acme', 'e1'))!.batchId).toBeNull();
    const next = await repos.batches.attachOpenEvents('acme', 4000);
    expect(next.attached).toEqual(['e1', 'e2']);
    expect(next.batchId).not.toBe(batch.id);
  });

  it('summarizes runs and finds those a policy chose but nobody approved', async () => {
    const repos = repositories(db);
    const queries = new RunQueries(db);
    const batch = (await repos.batches.claim('cloud-a', 10_000, { collectMs: 0, leaseMs: 60_000 }))!;
    const saved = await repos.runs.save({
      tenant: 'acme',
      batchId: batch.id,
      problem: {},
      algorithm: 'auto:exact',
      state: 'solved',
      front: { solutions: [{}, {}] },
      stats: { plan: { events: [{}, {}] } },
      chosenIndex: 1,
      policy: 'knee',
      explanation: {},
      createdAt: 10_000,
    });
    expect(await queries.awaitingAutoApproval(10)).toEqual([{ tenant: 'acme', id: saved.run.id }]);
    expect(await queries.summary('acme', saved.run.id)).toMatchObject({ state: 'solved', policy: 'knee', chosenIndex: 1, solutions: 2, events: 2 });
    await queries.setExplanation('acme', saved.run.id, { summary: 'x' });
    expect((await repos.runs.get('acme', saved.run.id))!.explanation).toEqual({ summary: 'x' });
    await repos.runs.approve('acme', saved.run.id, { by: 'planner', at: 11_000 });
    expect(await queries.awaitingAutoApproval(10)).toEqual([]);
    expect((await queries.list('acme', 10)).map((r) => r.id)).toContain(saved.run.id);
  });
});
