// The Database port on PGlite: PostgreSQL compiled to WebAssembly, in-process. The default when no DATABASE_URL is
// given (a single instance, a laptop, a demo), in memory or in a data directory. Same SQL as on a server: it is
// PostgreSQL, with one connection, so its transactions run one after another.
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Database, Queryable, SqlValue, TransactionOptions } from './database';

export interface PgliteDatabaseOptions {
  /** A directory to keep the database in; default: in memory (gone when closed). */
  dataDir?: string;
}

export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  static async open(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    const db = await PGlite.create({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      // Same types as PgDatabase returns: bigint as number.
      parsers: { [pgliteTypes.INT8]: (value: string) => Number(value) },
    });
    return new PgliteDatabase(db);
  }

  async query<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, [...params])).rows;
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.db.transaction(async (tx) => {
      if (options?.isolation !== undefined) await tx.query(`SET TRANSACTION ISOLATION LEVEL ${options.isolation.toUpperCase()}`);
      return fn({
        query: async <R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> => (await tx.query<R>(sql, [...params])).rows,
        exec: async (sql: string): Promise<void> => {
          await tx.exec(sql);
        },
      });
    });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
