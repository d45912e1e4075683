import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from './database';
import { DEFAULT_MIGRATIONS_DIR, MigrationChecksumError, MigrationFileError, checksumOf, loadMigrations, runMigrations } from './migrations';
import { BACKENDS, Backend, resetSchema } from './testing/backends';

jest.setTimeout(120_000);

const TABLES = [
  'activity_records',
  'api_keys',
  'assets',
  'batches',
  'configuration_runs',
  'contracts',
  'gateways',
  'models',
  'pending_closes',
  'resource_records',
  'schema_migrations',
  'trigger_events',
  'work_order_history',
  'work_orders',
];

describe('loadMigrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pss-migrations-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the shipped migrations in version order, each with the checksum of its text', () => {
    const migrations = loadMigrations();
    expect(migrations[0]).toMatchObject({ version: 1, name: 'init', file: '0001_init.sql' });
    expect(migrations[0].checksum).toBe(checksumOf(migrations[0].sql));
    expect(migrations.map((m) => m.version)).toEqual([...migrations.map((m) => m.version)].sort((a, b) => a - b));
  });

  it('gives a file the same checksum with CRLF line endings', () => {
    expect(checksumOf('CREATE TABLE a (x int);\r\nCREATE TABLE b (y int);\r\n')).toBe(checksumOf('CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n'));
  });

  it('refuses a badly named file and two files with one version, naming them', () => {
    writeFileSync(join(dir, '0001_a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '1_bad name.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(MigrationFileError);
    expect(() => loadMigrations(dir)).toThrow(/1_bad name\.sql: a migration is named NNNN_lower_case_name\.sql/);
    rmSync(join(dir, '1_bad name.sql'));
    writeFileSync(join(dir, '0001_b.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/0001_a\.sql and 0001_b\.sql have the same version/);
  });
});

describe.each(BACKENDS)('runMigrations on %s', (_name, start) => {
  let backend: Backend;
  let db: Database;
  let dir: string;

  beforeAll(async () => {
    backend = await start();
    db = await backend.open();
  });
  afterAll(async () => {
    await backend?.dispose();
  });
  beforeEach(async () => {
    await resetSchema(db);
    dir = mkdtempSync(join(tmpdir(), 'pss-migrations-'));
    copyFileSync(join(DEFAULT_MIGRATIONS_DIR, '0001_init.sql'), join(dir, '0001_init.sql'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function tables(): Promise<string[]> {
    const rows = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return rows.map((r) => r.table_name);
  }

  it('applies the shipped schema once, recording version, name and checksum', async () => {
    const first = await runMigrations(db);
    expect(first.applied.map((m) => m.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(await tables()).toEqual(TABLES);
    const recorded = await db.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations');
    expect(recorded[0]).toEqual({ version: 1, name: 'init', checksum: loadMigrations()[0].checksum });

    const again = await runMigrations(db);
    expect(again).toEqual({ applied: [], unknown: [] });
  });

  it('applies a new migration after the ones applied before', async () => {
    await runMigrations(db, loadMigrations(dir));
    writeFileSync(join(dir, '0002_notes.sql'), 'CREATE TABLE notes (tenant text NOT NULL, id text NOT NULL, PRIMARY KEY (tenant, id));\n');
    const result = await runMigrations(db, loadMigrations(dir));
    expect(result.applied).toEqual([{ version: 2, name: 'notes', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(await tables()).toContain('notes');
  });

  it('refuses to run when an applied migration was changed, and applies nothing', async () => {
    await runMigrations(db, loadMigrations(dir));
    writeFileSync(join(dir, '0001_init.sql'), '-- edited after it was applied\n' + loadMigrations(dir)[0].sql);
    writeFileSync(join(dir, '0002_notes.sql'), 'CREATE TABLE notes (id text PRIMARY KEY);\n');
    const attempt = runMigrations(db, loadMigrations(dir));
    await expect(attempt).rejects.toThrow(MigrationChecksumError);
    await expect(runMigrations(db, loadMigrations(dir))).rejects.toThrow(/migration 0001_init\.sql was changed after it was applied .* refusing to start/);
    expect(await tables()).not.toContain('notes');
  });

  it('rolls a failing migration back whole and names its file', async () => {
    await runMigrations(db, loadMigrations(dir));
    writeFileSync(join(dir, '0002_broken.sql'), 'CREATE TABLE half_done (id int);\nINSERT INTO no_such_table VALUES (1);\n');
    await expect(runMigrations(db, loadMigrations(dir))).rejects.toThrow(/migration 0002_broken\.sql failed: .*no_such_table/);
    expect(await tables()).not.toContain('half_done');
    const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions).toEqual([{ version: 1 }]);
  });

  it('reports applied migrations it has no file for (a newer instance migrated further) without failing', async () => {
    writeFileSync(join(dir, '0002_notes.sql'), 'CREATE TABLE notes (id text PRIMARY KEY);\n');
    await runMigrations(db, loadMigrations(dir));
    rmSync(join(dir, '0002_notes.sql'));
    const result = await runMigrations(db, loadMigrations(dir));
    expect(result.applied).toEqual([]);
    expect(result.unknown.map((m) => m.version)).toEqual([2]);
  });
});
