import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlExecutor, SqlStore } from './sql-store';

/** One schema change, applied once per database, in id order. */
export interface Migration {
  /** The file name without `.sql`, e.g. `0001_create_users`; ordering is by id. */
  id: string;
  sql: string;
}

/**
 * A file of stored functions (`CREATE OR REPLACE FUNCTION …`), kept as editable source rather than
 * as versioned migrations: every start-up applies every routine again, after the migrations, so
 * the database always runs the functions the release ships and a change to one is a diff of its file.
 */
export interface Routine {
  /** The file name without `.sql`, e.g. `budget_spend_turn`; routines apply in name order. */
  name: string;
  sql: string;
}

/** Where a migrations directory keeps its routines: `<migrations dir>/functions/*.sql`. */
export const routinesDirName = 'functions';

export interface RunMigrationsOptions {
  /**
   * Statement timeout inside each migration transaction, replacing the store's (5 s by default),
   * which a long index build, or waiting for another replica's migration, could exceed.
   * Default: 600,000 ms.
   */
  timeoutMs?: number;
  /**
   * Applied after the migrations, all of them, in one transaction under the same advisory lock,
   * in the order given (default none). Each must be safe to run again: `CREATE OR REPLACE`, or
   * `DROP … IF EXISTS` before a `CREATE`.
   */
  routines?: readonly Routine[];
}

export interface RunMigrationsResult {
  /** Ids of the migrations this call applied (not those found already applied), in order. */
  applied: string[];
  /** Names of the routines applied (every one given), in order. */
  routines: string[];
}

const FILE_NAME = /^\d{4}_[a-z0-9_]+\.sql$/;
const ROUTINE_FILE_NAME = /^[a-z][a-z0-9_]*\.sql$/;
const TABLE = 'gatehouse_migrations';

// Advisory lock keys are one bigint per database: derive ours from the table name so it is stable
// across releases and unlikely to collide with another application's lock.
const LOCK_KEY = createHash('sha256').update(TABLE).digest().readBigInt64BE(0).toString();

/**
 * Reads `NNNN_name.sql` files, sorted by name. Markdown notes (`*.md`) and the routines directory
 * (`functions/`, see readRoutinesDir) are skipped; any other entry is an error, so a misnamed
 * migration can never be silently left out.
 */
export async function readMigrationsDir(dir: string): Promise<Migration[]> {
  const names = (await readdir(dir))
    .filter((name) => !name.endsWith('.md') && name !== routinesDirName)
    .sort();
  const migrations: Migration[] = [];
  const seenNumbers = new Map<string, string>();
  for (const name of names) {
    if (!FILE_NAME.test(name)) {
      throw new Error(
        `migration file ${join(dir, name)} is not named NNNN_name.sql (four digits, then lower-case letters, digits and _)`,
      );
    }
    const number = name.slice(0, 4);
    const other = seenNumbers.get(number);
    if (other !== undefined) {
      throw new Error(
        `migration files ${other} and ${name} in ${dir} share the number ${number}; renumber one`,
      );
    }
    seenNumbers.set(number, name);
    migrations.push({ id: name.slice(0, -'.sql'.length), sql: await readFile(join(dir, name), 'utf8') });
  }
  return migrations;
}

/**
 * Reads the routines of `dir` (`name.sql`: lower-case letters, digits and _), sorted by name;
 * none when the directory does not exist. Markdown notes are skipped; any other entry is an error.
 */
export async function readRoutinesDir(dir: string): Promise<Routine[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const routines: Routine[] = [];
  for (const name of names.filter((entry) => !entry.endsWith('.md')).sort()) {
    if (!ROUTINE_FILE_NAME.test(name)) {
      throw new Error(
        `routine file ${join(dir, name)} is not named name.sql (lower-case letters, digits and _)`,
      );
    }
    routines.push({ name: name.slice(0, -'.sql'.length), sql: await readFile(join(dir, name), 'utf8') });
  }
  return routines;
}

/** The migrations of `dir` and its routines (`dir/functions`), applied by runMigrations. */
export async function runMigrationsDir(
  store: SqlStore,
  dir: string,
  options: Omit<RunMigrationsOptions, 'routines'> = {},
): Promise<RunMigrationsResult> {
  const routines = await readRoutinesDir(join(dir, routinesDirName));
  return runMigrations(store, await readMigrationsDir(dir), { ...options, routines });
}

/** The checksum recorded for a migration: sha256 (hex) of its SQL. */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/**
 * Applies, in order, each migration not applied yet, each in its own transaction together with
 * its record in `gatehouse_migrations`. Refuses to run when an applied migration's SQL changed.
 * Migrations recorded in the database but absent from `migrations` are ignored (an older replica
 * during a rolling deploy).
 *
 * Replicas starting together are safe: every transaction first takes one advisory lock, so they
 * check and apply one at a time, and each migration is applied exactly once.
 *
 * A migration runs inside a transaction: it must not contain BEGIN/COMMIT or statements refused in
 * one (e.g. CREATE INDEX CONCURRENTLY).
 *
 * Then the routines, all in one more transaction under the lock, whether or not they changed: a
 * failing one rolls back every routine (the database keeps the functions it had) and rejects
 * naming its file.
 */
export async function runMigrations(
  store: SqlStore,
  migrations: readonly Migration[],
  options: RunMigrationsOptions = {},
): Promise<RunMigrationsResult> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`timeoutMs must be a non-negative integer, got ${String(timeoutMs)}`);
  }
  const ids = new Set<string>();
  for (const migration of migrations) {
    if (ids.has(migration.id)) throw new Error(`migration ${migration.id} is listed twice`);
    ids.add(migration.id);
  }

  // CREATE TABLE IF NOT EXISTS is not safe against a concurrent creator, hence the lock here too.
  await store.transaction(async (tx) => {
    await lock(tx, timeoutMs);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (
         id text PRIMARY KEY,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const recorded = await tx.query<{ id: string; checksum: string }>(`SELECT id, checksum FROM ${TABLE}`);
    const checksums = new Map(recorded.rows.map((row) => [row.id, row.checksum]));
    // Check every applied migration before applying anything, so a bad release changes nothing.
    for (const migration of migrations) checkUnchanged(migration, checksums.get(migration.id));
  });

  const applied: string[] = [];
  for (const migration of migrations) {
    const appliedNow = await store.transaction(async (tx) => {
      await lock(tx, timeoutMs);
      // Read after taking the lock: another replica may have applied it while we waited.
      const recorded = await tx.query<{ checksum: string }>(`SELECT checksum FROM ${TABLE} WHERE id = $1`, [
        migration.id,
      ]);
      if (recorded.rows[0] !== undefined) {
        checkUnchanged(migration, recorded.rows[0].checksum);
        return false;
      }
      await tx.query(migration.sql);
      await tx.query(`INSERT INTO ${TABLE} (id, checksum) VALUES ($1, $2)`, [
        migration.id,
        migrationChecksum(migration),
      ]);
      return true;
    });
    if (appliedNow) applied.push(migration.id);
  }

  const routines = options.routines ?? [];
  if (routines.length > 0) {
    await store.transaction(async (tx) => {
      await lock(tx, timeoutMs);
      for (const routine of routines) {
        try {
          await tx.query(routine.sql);
        } catch (error) {
          throw new Error(`routine ${routine.name} failed: ${(error as Error).message}`, { cause: error });
        }
      }
    });
  }
  return { applied, routines: routines.map((routine) => routine.name) };
}

async function lock(tx: SqlExecutor, timeoutMs: number): Promise<void> {
  // SET LOCAL lasts until the transaction ends; the value is a checked integer, not user text.
  await tx.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
  // Transaction-scoped: released by COMMIT or ROLLBACK, even when the process dies mid-migration.
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [LOCK_KEY]);
}

function checkUnchanged(migration: Migration, recordedChecksum: string | undefined): void {
  if (recordedChecksum === undefined) return;
  const checksum = migrationChecksum(migration);
  if (checksum !== recordedChecksum) {
    throw new Error(
      `migration ${migration.id} was changed after it was applied (checksum ${recordedChecksum} recorded, ` +
        `${checksum} now); restore its original SQL and put the change in a new migration`,
    );
  }
}
