// The two databases the persistence specs run against: PGlite in-process, and a real PostgreSQL server
// (@pss/test-servers). Used by spec files only.
import { RunningPostgres, startPostgres } from '@pss/test-servers';
import { Database, Queryable } from '../database';
import { PgDatabase } from '../pg-database';
import { PgliteDatabase } from '../pglite-database';

export interface Backend {
  readonly name: 'PGlite' | 'PostgreSQL';
  /** A Database on the backend's one database: for PostgreSQL a new pool each time (another "instance"). */
  open(): Promise<Database>;
  /** Closes what open() returned and stops the server. */
  dispose(): Promise<void>;
}

export async function startPgliteBackend(): Promise<Backend> {
  const db = await PgliteDatabase.open();
  let closed = false;
  return {
    name: 'PGlite',
    // One in-process database: every open() shares it (PGlite has a single connection anyway).
    open: async () => db,
    dispose: async () => {
      if (!closed) await db.close();
      closed = true;
    },
  };
}

export async function startPostgresBackend(): Promise<Backend> {
  const server: RunningPostgres = await startPostgres({ database: 'pss_cloud' });
  const opened: PgDatabase[] = [];
  return {
    name: 'PostgreSQL',
    open: async () => {
      const db = new PgDatabase({ connectionString: server.url, max: 8 });
      opened.push(db);
      return db;
    },
    dispose: async () => {
      await Promise.all(opened.map((db) => db.close()));
      await server.dispose();
    },
  };
}

export const BACKENDS: [string, () => Promise<Backend>][] = [
  ['PGlite', startPgliteBackend],
  ['PostgreSQL', startPostgresBackend],
];

/** An empty database: drops everything the migrations made (and schema_migrations). */
export async function resetSchema(db: Queryable): Promise<void> {
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}

/** Empties every table of the schema, keeping the tables. */
export async function truncateAll(db: Queryable): Promise<void> {
  await db.exec(
    `TRUNCATE models, assets, batches, configuration_runs, trigger_events, work_orders, work_order_history, activity_records,
       resource_records, pending_closes, gateways, api_keys, contracts`,
  );
}
