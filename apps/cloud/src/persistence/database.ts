// The database port of the cloud service: plain SQL against PostgreSQL, through one of two adapters (a pg pool
// against a PostgreSQL server, or PGlite in-process). Repositories take a Queryable, so the same code runs on the
// database directly or inside a transaction.

/**
 * A value a query parameter may take. JSON goes in as a string with a `::jsonb` cast in the SQL (`toJson`): the
 * drivers would turn a JavaScript array into a PostgreSQL array, not a JSON array.
 */
export type SqlValue = string | number | boolean | null | readonly string[] | readonly number[];

export interface Queryable {
  /** One statement with $1, $2, ... parameters; the rows it returns (none for most writes without RETURNING). */
  query<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /** Default: read committed (PostgreSQL's default). */
  isolation?: IsolationLevel;
}

export interface Database extends Queryable {
  /** Which adapter this is, for logs and the health endpoint. */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws (the
   * error is rethrown). Serialization failures and deadlocks are not retried here: the caller knows whether its
   * work may run twice (see isRetryableTransactionError).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Ends every connection; the Database is unusable afterwards. */
  close(): Promise<void>;
}

export function beginStatement(options: TransactionOptions | undefined): string {
  return options?.isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}`;
}

/** A JSON parameter: pass it as `$n::jsonb`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}
