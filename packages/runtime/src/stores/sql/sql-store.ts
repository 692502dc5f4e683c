/**
 * A row as returned by the driver: column name to value. Both backends return int8/bigint and
 * numeric columns as strings (exact; convert money with `BigInt(row.amount_micros)`), integer and
 * float columns as numbers, timestamptz as Date.
 */
export type SqlRow = Record<string, unknown>;

export interface SqlResult<Row extends SqlRow = SqlRow> {
  rows: Row[];
  /** Rows returned or affected. */
  rowCount: number;
}

/** Runs parameterized statements ($1, $2, ...). Implemented by a store and by a transaction. */
export interface SqlExecutor {
  /**
   * With params, `text` is one statement. Without params (or with none), it may hold several
   * statements separated by `;` (as migrations do) and the result is the last statement's.
   */
  query<Row extends SqlRow = SqlRow>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
}

/**
 * The durable store of a service: real PostgreSQL (`pg`) when DATABASE_URL is set, else an
 * embedded PostgreSQL (PGlite) under the service's data directory. The same SQL runs on both.
 */
export interface SqlStore extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** One `SELECT 1` round trip; rejects when the database cannot answer. */
  ping(): Promise<void>;
  /** Waits for running statements, then closes every connection. */
  close(): Promise<void>;
}
