import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { startPostgres } from './postgres';

jest.setTimeout(120_000);

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  it('starts a real server on a free port that answers queries, keeps its data across a restart and a kill, and removes its directory', async () => {
    const pg = await startPostgres({ database: 'pss_test' });
    try {
      expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/pss_test`);
      const version = await withClient(pg.url, async (c) => {
        expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        await c.query('CREATE TABLE kept (id int PRIMARY KEY, note text)');
        await c.query("INSERT INTO kept VALUES (1, 'before restart')");
        return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
      });
      expect(version).toMatch(/^\d+/);

      await pg.restart();
      await withClient(pg.url, async (c) => {
        expect((await c.query('SELECT note FROM kept')).rows).toEqual([{ note: 'before restart' }]);
        await c.query("INSERT INTO kept VALUES (2, 'before kill')");
      });

      // A crash: the committed row survives (crash recovery replays the WAL on the next start).
      await pg.kill();
      expect(pg.process.running).toBe(false);
      await pg.restart();
      const rows = await withClient(pg.url, async (c) => (await c.query('SELECT id FROM kept ORDER BY id')).rows);
      expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      await pg.dispose();
    }
    expect(pg.process.running).toBe(false);
    expect(existsSync(pg.dataDir)).toBe(false);
  });

  it('closes open connections on stop instead of waiting for them', async () => {
    const pg = await startPostgres();
    const client = new Client({ connectionString: pg.url });
    // The server's "terminating connection due to administrator command" arrives as an 'error' event.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await pg.stop();
      expect(pg.process.running).toBe(false);
      await expect(client.query('SELECT 1')).rejects.toThrow();
    } finally {
      await client.end();
      await pg.dispose();
    }
  });
});
