import { Pool, types as pgTypes, type CustomTypesConfig, type PoolClient, type QueryResult } from 'pg';
import { isDatabaseUnavailable, unavailableWhenDisconnected } from './database-unavailable';
import type { SqlExecutor, SqlResult, SqlRow, SqlStore } from './sql-store';

export interface PostgresSqlStoreOptions {
  /** `postgres://user[:password]@host:port/database[?sslmode=...]`. */
  databaseUrl: string;
  /**
   * Schema holding this store's tables: created when missing, and made the `search_path` of every
   * pooled connection, so unqualified table names resolve there. Lets services (and test files)
   * share one database. Default: the server's default `search_path` (usually `public`).
   */
  schema?: string;
  /** Most connections open at once. Default: 10. */
  poolSize?: number;
  /**
   * The server cancels any statement running longer than this, and the client gives up waiting
   * shortly after (so an unreachable server cannot hang a caller). Default: 5000 ms.
   */
  statementTimeoutMs?: number;
  /** Limit for getting a connection (opening one included) before a query rejects. Default: 3000 ms. */
  connectTimeoutMs?: number;
  /** Errors of idle pooled connections (the pool replaces them). Default: ignored. */
  onError?: (error: unknown) => void;
}

const INT8_OID = 20;

// int8/bigint columns stay strings (pg's default, pinned here per pool so no global parser change
// elsewhere can alter it): a JS number loses precision above 2^53, so callers convert money with
// BigInt(row.amount_micros).
const typesKeepingInt8AsString: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => value
      : pgTypes.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/** The SqlStore over real PostgreSQL, through a `pg.Pool`. */
export async function createPostgresSqlStore(options: PostgresSqlStoreOptions): Promise<SqlStore> {
  const { databaseUrl, schema } = options;
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    statement_timeout: statementTimeoutMs,
    // Client-side bound for a server that stopped answering (a partition): its own timeout never fires.
    query_timeout: statementTimeoutMs + 100,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
    types: typesKeepingInt8AsString,
    // A startup parameter, so the path is set before any statement runs on a new connection
    // (a SET after connecting would race with the first query).
    ...(schema === undefined
      ? {}
      : { options: `-c search_path=${escapeStartupOption(quoteIdentifier(schema))}` }),
  });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', options.onError ?? (() => undefined));

  if (schema !== undefined) {
    try {
      await createSchema(pool, schema);
    } catch (error) {
      await pool.end();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `could not create schema "${schema}" on PostgreSQL at ${describeServer(databaseUrl)}: ${reason}`,
        {
          cause: error,
        },
      );
    }
  }

  return {
    kind: 'postgres',
    query: (text, params) => runQuery(pool, text, params),

    async transaction(work) {
      const client = await pool.connect().catch((error: unknown) => {
        throw unavailableWhenDisconnected(error);
      });
      // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(executorOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A cut connection cannot roll back (and waiting for it would double the caller's wait):
        // destroying it makes the server abort the transaction.
        if (isDatabaseUnavailable(error)) broken = error as Error;
        else
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        throw unavailableWhenDisconnected(error);
      } finally {
        client.release(broken);
      }
    },

    async ping() {
      await pool.query('SELECT 1');
    },

    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}

function executorOf(client: PoolClient): SqlExecutor {
  return { query: (text, params) => runQuery(client, text, params) };
}

async function runQuery<Row extends SqlRow>(
  target: Pool | PoolClient,
  text: string,
  params: readonly unknown[] | undefined,
): Promise<SqlResult<Row>> {
  let reply: QueryResult<Row> | QueryResult<Row>[];
  try {
    reply = (await target.query(text, params === undefined ? undefined : [...params])) as
      QueryResult<Row> | QueryResult<Row>[];
  } catch (error) {
    throw unavailableWhenDisconnected(error);
  }
  // Several statements in one text (no params: simple protocol) answer one result each; keep the last.
  const result = Array.isArray(reply) ? reply[reply.length - 1] : reply;
  if (result === undefined) return { rows: [], rowCount: 0 };
  // rowCount is null for statements that neither return nor change rows (e.g. CREATE TABLE).
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}

async function createSchema(pool: Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  } catch (error) {
    // Two replicas starting together can both miss the schema and race to create it.
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

/** An SQL identifier quoted so that any name (spaces, quotes, upper case) is taken literally. */
export function quoteIdentifier(name: string): string {
  if (name === '' || name.includes('\0')) throw new Error(`invalid SQL identifier ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** The server splits the `options` startup parameter on whitespace; a backslash escapes. */
function escapeStartupOption(value: string): string {
  return value.replace(/[\\\s]/g, (character) => `\\${character}`);
}

/** host:port/database of a connection URL, without credentials, for error messages. */
function describeServer(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'the configured URL';
  }
}
