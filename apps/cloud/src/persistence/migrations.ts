// Schema migrations: SQL files `NNNN_name.sql` applied in order, each in its own transaction, recorded in
// schema_migrations with a checksum of the file. Several instances may start at once: a transaction-scoped advisory
// lock makes them take turns, and each re-reads what is applied after it got the lock, so every migration runs once.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Database, Queryable } from './database';

/** apps/cloud/migrations, from this file's folder (src/persistence). */
export const DEFAULT_MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/** The advisory lock key all instances agree on ("pssmigr" in ASCII, fits a bigint). */
export const MIGRATION_LOCK_KEY = '31652136985651058';

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  /** sha256 hex of the file with line endings normalized to \n (a checkout with CRLF is the same migration). */
  checksum: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

export interface MigrationResult {
  /** Applied by this call, in order. */
  applied: AppliedMigration[];
  /** Recorded in the database but without a file here: a newer instance migrated further (allowed: rolling update). */
  unknown: AppliedMigration[];
}

export class MigrationFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationFileError';
  }
}

/** An applied migration's file changed: the database was built from other SQL than the code now ships. */
export class MigrationChecksumError extends Error {
  constructor(
    readonly version: number,
    readonly file: string,
    readonly appliedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `migration ${file} was changed after it was applied (checksum in schema_migrations ${appliedChecksum}, file ${fileChecksum}): ` +
        'never edit an applied migration, add a new one; refusing to start',
    );
    this.name = 'MigrationChecksumError';
  }
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/** Reads and checks the migration files of `dir`, in version order. */
export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationFileError(`${join(dir, file)}: a migration is named NNNN_lower_case_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2], file, sql, checksum: checksumOf(sql) });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new MigrationFileError(`${dir}: ${migrations[i - 1].file} and ${migrations[i].file} have the same version`);
    }
  }
  if (migrations.length > 0 && migrations[0].version < 1) throw new MigrationFileError(`${dir}: versions start at 0001`);
  return migrations;
}

/**
 * Brings the database up to the newest migration. Throws MigrationChecksumError (and applies nothing) when an
 * applied migration's file changed; a failing migration is rolled back whole and its error rethrown with the file.
 */
export async function runMigrations(db: Database, migrations: Migration[] = loadMigrations()): Promise<MigrationResult> {
  const applied: AppliedMigration[] = [];
  let unknown: AppliedMigration[] = [];
  for (;;) {
    const next = await db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      const recorded = await appliedMigrations(tx);
      unknown = checkApplied(recorded, migrations);
      const done = new Set(recorded.map((m) => m.version));
      const pending = migrations.find((m) => !done.has(m.version));
      if (pending === undefined) return null;
      try {
        await tx.exec(pending.sql);
      } catch (error) {
        throw new Error(`migration ${pending.file} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [pending.version, pending.name, pending.checksum]);
      return { version: pending.version, name: pending.name, checksum: pending.checksum };
    });
    if (next === null) return { applied, unknown };
    applied.push(next);
  }
}

async function appliedMigrations(tx: Queryable): Promise<AppliedMigration[]> {
  await tx.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      checksum   text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  return tx.query<AppliedMigration>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
}

/** Throws on a changed file; returns the applied migrations this code has no file for. */
function checkApplied(recorded: AppliedMigration[], migrations: Migration[]): AppliedMigration[] {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const unknown: AppliedMigration[] = [];
  for (const row of recorded) {
    const file = byVersion.get(row.version);
    if (file === undefined) unknown.push(row);
    else if (file.checksum !== row.checksum) throw new MigrationChecksumError(row.version, file.file, row.checksum, file.checksum);
  }
  return unknown;
}
