// Which database the cloud uses: PostgreSQL when DATABASE_URL names one, else PGlite in-process (in
// PGLITE_DATA_DIR, or in memory).
import { Database } from './database';
import { PgDatabase } from './pg-database';
import { PgliteDatabase } from './pglite-database';

export interface DatabaseChoice {
  kind: 'postgres' | 'pglite';
  /** For the start-up log: the server (without password) or the PGlite location. */
  description: string;
}

export function chooseDatabase(env: NodeJS.ProcessEnv = process.env): DatabaseChoice {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: 'postgres', description: `PostgreSQL at ${redactPassword(url)}` };
  const dir = env.PGLITE_DATA_DIR?.trim();
  return { kind: 'pglite', description: dir ? `PGlite in ${dir}` : 'PGlite in memory (nothing is kept after a stop: set DATABASE_URL or PGLITE_DATA_DIR)' };
}

export async function openDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  const url = env.DATABASE_URL?.trim();
  if (url) return new PgDatabase({ connectionString: url });
  const dir = env.PGLITE_DATA_DIR?.trim();
  return PgliteDatabase.open(dir ? { dataDir: dir } : {});
}

/** postgres://user:secret@host/db → postgres://user:***@host/db */
export function redactPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):[^@]*@/i, '$1:***@');
}
