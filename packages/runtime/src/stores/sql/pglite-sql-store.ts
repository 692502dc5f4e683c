import { mkdir } from 'node:fs/promises';
import { PGlite, types as pgliteTypes, type Results, type Transaction } from '@electric-sql/pglite';
import type { SqlExecutor, SqlResult, SqlRow, SqlStore } from './sql-store';

export interface PgliteSqlStoreOptions {
  /**
   * Where the embedded database keeps its files, e.g. `./.gatehouse/auth`: created (with its
   * parents) when missing. `memory://` keeps everything in memory and loses it on close.
   */
  dataDir: string;
}

const DATA_MODIFYING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * The SqlStore over an embedded PostgreSQL (PGlite, compiled to WebAssembly), used when no
 * database URL is configured. PGlite has a single connection: statements run one at a time and a
 * transaction holds the database until it ends, so inside `transaction` use only the given `tx`
 * (a query on the store itself would wait for the transaction forever).
 */
export async function createPgliteSqlStore(options: PgliteSqlStoreOptions): Promise<SqlStore> {
  const { dataDir } = options;
  if (!/^[a-z]+:\/\//i.test(dataDir)) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, {
    // Same as the pg store: int8 as exact strings (PGlite would give a number, or a bigint above 2^53).
    parsers: { [pgliteTypes.INT8]: (value: string) => value },
  });

  return {
    kind: 'pglite',
    query: (text, params) => runQuery(db, text, params),
    transaction: (work) => db.transaction((tx) => work(executorOf(tx))),
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}

function executorOf(tx: Transaction): SqlExecutor {
  return { query: (text, params) => runQuery(tx, text, params) };
}

async function runQuery<Row extends SqlRow>(
  target: PGlite | Transaction,
  text: string,
  params: readonly unknown[] | undefined,
): Promise<SqlResult<Row>> {
  if (params !== undefined && params.length > 0) {
    return toSqlResult(await target.query<Row>(text, [...params]));
  }
  // Without params, use the simple protocol like pg does, so a text may hold several statements
  // (migrations do); the result is the last statement's.
  const results = (await target.exec(text)) as Results<Row>[];
  const last = results[results.length - 1];
  return last === undefined ? { rows: [], rowCount: 0 } : toSqlResult(last);
}

function toSqlResult<Row extends SqlRow>(result: Results<Row>): SqlResult<Row> {
  const changesRows = result.command !== undefined && DATA_MODIFYING_COMMANDS.has(result.command);
  // affectedRows adds up over a multi-statement text; rowCount (when given) is this statement's.
  const rowCount = changesRows ? (result.rowCount ?? result.affectedRows ?? 0) : result.rows.length;
  return { rows: result.rows, rowCount };
}
