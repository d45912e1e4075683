// The Database port on a PostgreSQL server, through a pg connection pool: what the cloud runs on in production
// (DATABASE_URL), where several instances share one database.
import { Pool, PoolClient, types as pgTypes } from 'pg';
import { Database, Queryable, SqlValue, TransactionOptions, beginStatement } from './database';

const INT8_OID = 20;

/**
 * bigint columns (epoch ms, counts) as JavaScript numbers, as PGlite returns them: pg's default is a string, to
 * keep values above 2^53 exact, which no value of this schema comes near (epoch ms reach 2^53 in the year 287396).
 */
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pgTypes.getTypeParser(oid, format ?? 'text')) as typeof pgTypes.getTypeParser,
};

export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database` */
  connectionString: string;
  /** Pool size (default 10). */
  max?: number;
  /** Shown in pg_stat_activity (default "pss-cloud"). */
  applicationName?: string;
  /**
   * Called when a connection fails outside a statement (the server restarted, the network dropped it): an idle
   * pooled one, or one in a transaction between two statements. It is discarded and the next query opens another.
   */
  onIdleError?: (error: Error) => void;
}

export class PgDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  private idleErrorCount = 0;
  private readonly onIdleError: ((error: Error) => void) | undefined;

  constructor(options: PgDatabaseOptions) {
    this.onIdleError = options.onIdleError;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'pss-cloud',
      types: typeParsers,
    });
    this.pool.on('error', (error) => {
      this.idleErrorCount += 1;
      this.onIdleError?.(error);
    });
  }

  /** From DATABASE_URL; throws when it is not set. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: Omit<PgDatabaseOptions, 'connectionString'> = {}): PgDatabase {
    const url = env.DATABASE_URL;
    if (url === undefined || url.trim() === '') throw new Error('DATABASE_URL is not set: it must name the PostgreSQL database (postgres://user@host:port/db)');
    return new PgDatabase({ ...options, connectionString: url });
  }

  /** Connections that failed outside a statement and were discarded, since the start. */
  get idleErrors(): number {
    return this.idleErrorCount;
  }

  async query<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.pool.query(sql, [...params]);
    return result.rows as T[];
  }

  async exec(sql: string): Promise<void> {
    // Without parameters pg uses the simple query protocol, which runs several statements.
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // While checked out, a client's connection errors (the server went away between two statements) are emitted
    // on the client, where the pool no longer listens: unheard, they would end the process. The transaction's
    // next statement fails instead, and the connection is discarded.
    const onConnectionError = (error: Error): void => {
      broken = error;
      this.idleErrorCount += 1;
      this.onIdleError?.(error);
    };
    client.on('error', onConnectionError);
    try {
      await client.query(beginStatement(options));
      try {
        const result = await fn(clientQueryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable (the server went away): the pool must not hand it out again.
          broken ??= rollbackError as Error;
        }
        throw error;
      }
    } finally {
      client.removeListener('error', onConnectionError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function clientQueryable(client: PoolClient): Queryable {
  return {
    query: async <T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> => (await client.query(sql, [...params])).rows as T[],
    exec: async (sql: string): Promise<void> => {
      await client.query(sql);
    },
  };
}
