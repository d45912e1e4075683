import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningPostgres, startPostgres } from '@pss/test-servers';
import { runMigrations } from './migrations';
import { chooseDatabase, openDatabase, redactPassword } from './open-database';
import { PgDatabase } from './pg-database';
import { repositories } from './repositories';
import { newEvent } from './testing/fixtures';

jest.setTimeout(120_000);

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('chooseDatabase', () => {
  it('takes PostgreSQL from DATABASE_URL, else PGlite in PGLITE_DATA_DIR, else PGlite in memory', () => {
    expect(chooseDatabase({ DATABASE_URL: 'postgres://pss:secret@db:5432/pss' })).toEqual({ kind: 'postgres', description: 'PostgreSQL at postgres://pss:***@db:5432/pss' });
    expect(chooseDatabase({ DATABASE_URL: ' ', PGLITE_DATA_DIR: '/var/lib/pss' })).toEqual({ kind: 'pglite', description: 'PGlite in /var/lib/pss' });
    expect(chooseDatabase({})).toMatchObject({ kind: 'pglite', description: expect.stringMatching(/^PGlite in memory/) });
  });

  it('hides only the password of a URL', () => {
    expect(redactPassword('postgres://pss@db/pss')).toBe('postgres://pss@db/pss');
    expect(redactPassword('postgresql://u:p%40ss@h:1/d?sslmode=require')).toBe('postgresql://u:***@h:1/d?sslmode=require');
  });
});

describe('openDatabase', () => {
  it('keeps a PGlite database in PGLITE_DATA_DIR across a close and a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pss-pglite-'));
    try {
      const env = { PGLITE_DATA_DIR: join(dir, 'db') };
      const first = await openDatabase(env);
      expect(first.kind).toBe('pglite');
      await runMigrations(first);
      await repositories(first).events.insertIfNew(newEvent({ eventId: 'kept' }));
      await first.close();

      const second = await openDatabase(env);
      try {
        expect((await runMigrations(second)).applied).toEqual([]);
        expect((await repositories(second).events.get('acme', 'kept'))?.eventId).toBe('kept');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('with DATABASE_URL', () => {
    let server: RunningPostgres;
    beforeAll(async () => {
      server = await startPostgres({ database: 'pss' });
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it('connects to that PostgreSQL server', async () => {
      const db = await openDatabase({ DATABASE_URL: server.url });
      try {
        expect(db).toBeInstanceOf(PgDatabase);
        expect(await db.query<{ db: string }>('SELECT current_database() AS db')).toEqual([{ db: 'pss' }]);
      } finally {
        await db.close();
      }
    });

    it('survives the server restarting under an idle pool, and a connection lost in a transaction', async () => {
      const idle: Error[] = [];
      const db = new PgDatabase({ connectionString: server.url, max: 2, onIdleError: (e) => idle.push(e) });
      try {
        await Promise.all([db.query('SELECT 1'), db.query('SELECT 1')]);
        await server.restart();
        // The server closed the pooled connections: reported, discarded, and the next query opens a new one.
        await until(() => idle.length > 0);
        expect(db.idleErrors).toBe(idle.length);
        expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);

        const lost = db.transaction(async (tx) => {
          await tx.query('SELECT 1');
          const before = db.idleErrors;
          await server.kill();
          // The orphaned backend notices its postmaster is gone and says so; only then is the loss certain (a
          // statement sent before that could still be answered).
          await until(() => db.idleErrors > before);
          await tx.query('SELECT 2');
        });
        await expect(lost).rejects.toThrow();
        await server.restart();
        expect(await db.query<{ two: number }>('SELECT 2 AS two')).toEqual([{ two: 2 }]);
      } finally {
        await db.close();
      }
    });

    it('refuses to start without DATABASE_URL when asked for PostgreSQL from the environment', () => {
      expect(() => PgDatabase.fromEnv({})).toThrow(/DATABASE_URL is not set/);
    });
  });
});
