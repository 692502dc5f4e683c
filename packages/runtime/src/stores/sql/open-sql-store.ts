import { createPgliteSqlStore } from './pglite-sql-store';
import { createPostgresSqlStore } from './postgres-sql-store';
import type { SqlStore } from './sql-store';

export interface OpenSqlStoreOptions {
  /** Real PostgreSQL to use; when absent the service keeps its tables in an embedded PGlite. */
  databaseUrl?: string;
  /** PGlite only: where the embedded database lives, e.g. `./.gatehouse/<service>`. */
  dataDir: string;
  /** PostgreSQL only: the service's own schema (see `PostgresSqlStoreOptions.schema`). */
  schema?: string;
  /** PostgreSQL only. Default: 10. */
  poolSize?: number;
  /** PostgreSQL only. Default: 5000 ms. */
  statementTimeoutMs?: number;
  /** PostgreSQL only. Default: 3000 ms. */
  connectTimeoutMs?: number;
  /** PostgreSQL only: errors of idle pooled connections. Default: ignored. */
  onError?: (error: unknown) => void;
}

/** The one place that chooses the SQL backend: PostgreSQL when `databaseUrl` is set, else PGlite under `dataDir`. */
export async function openSqlStore(options: OpenSqlStoreOptions): Promise<SqlStore> {
  const { databaseUrl, dataDir, ...postgresOptions } = options;
  if (databaseUrl !== undefined && databaseUrl !== '') {
    return createPostgresSqlStore({ databaseUrl, ...postgresOptions });
  }
  return createPgliteSqlStore({ dataDir });
}
