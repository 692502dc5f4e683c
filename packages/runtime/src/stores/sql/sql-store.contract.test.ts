import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueName } from '../../../../../test/support/test-env';
import { runMigrations, type Migration, type Routine } from './migrations';
import { createPgliteSqlStore } from './pglite-sql-store';
import { createPostgresSqlStore } from './postgres-sql-store';
import type { SqlStore } from './sql-store';

interface SqlBackend {
  name: 'postgres' | 'pglite';
  /** Opens the store under test (called once per file). */
  open(): Promise<SqlStore>;
  /** Removes everything the file created. */
  cleanup(): Promise<void>;
}

const postgresSchema = uniqueName('sql');
// Schemas of the replica race test, dropped after it.
const extraSchemas: string[] = [];
let pgliteDir = '';

const backends: SqlBackend[] = [
  {
    name: 'postgres',
    open: () => createPostgresSqlStore({ databaseUrl: testDatabaseUrl, schema: postgresSchema }),
    async cleanup() {
      const admin = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl });
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${postgresSchema}" CASCADE`);
      } finally {
        await admin.close();
      }
    },
  },
  {
    name: 'pglite',
    async open() {
      pgliteDir = await mkdtemp(join(tmpdir(), 'gatehouse-sql-contract-'));
      return createPgliteSqlStore({ dataDir: join(pgliteDir, 'db') });
    },
    async cleanup() {
      if (pgliteDir !== '') await rm(pgliteDir, { recursive: true, force: true });
    },
  },
];

const checksumOf = (sql: string) => createHash('sha256').update(sql).digest('hex');

describe.each(backends)('SqlStore contract: $name', (backend) => {
  let store: SqlStore;

  beforeAll(async () => {
    store = await backend.open();
  });

  afterAll(async () => {
    await store?.close();
    await backend.cleanup();
  });

  it('reports its kind', () => {
    expect(store.kind).toBe(backend.name);
  });

  it('runs parameterized queries', async () => {
    await store.query('CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL)');
    await store.query('INSERT INTO items (id, name) VALUES ($1, $2), ($3, $4)', [1, 'one', 2, 'two']);

    const result = await store.query<{ id: number; name: string }>(
      'SELECT id, name FROM items WHERE id = $1',
      [2],
    );

    expect(result.rows).toEqual([{ id: 2, name: 'two' }]);
    expect(result.rowCount).toBe(1);
  });

  it('counts rows inserted, updated, deleted and selected', async () => {
    await store.query('CREATE TABLE counted (id integer PRIMARY KEY, n integer NOT NULL)');

    const inserted = await store.query('INSERT INTO counted (id, n) VALUES (1, 0), (2, 0), (3, 0)');
    const updated = await store.query('UPDATE counted SET n = n + 1 WHERE id >= $1', [2]);
    const deleted = await store.query('DELETE FROM counted WHERE id = $1', [3]);
    const selected = await store.query('SELECT id, n FROM counted ORDER BY id');
    const returning = await store.query('UPDATE counted SET n = 7 WHERE id = $1 RETURNING id, n', [1]);

    expect([inserted.rowCount, updated.rowCount, deleted.rowCount, selected.rowCount]).toEqual([3, 2, 1, 2]);
    expect(selected.rows).toEqual([
      { id: 1, n: 0 },
      { id: 2, n: 1 },
    ]);
    expect(returning).toEqual({ rows: [{ id: 1, n: 7 }], rowCount: 1 });
  });

  it('runs several statements in one text without params, answering the last one', async () => {
    const result = await store.query(
      'CREATE TABLE multi (id integer); INSERT INTO multi VALUES (1), (2); SELECT count(*)::integer AS n FROM multi',
    );

    expect(result).toEqual({ rows: [{ n: 2 }], rowCount: 1 });
  });

  it('commits a transaction that resolves, and resolves its value', async () => {
    await store.query('CREATE TABLE committed (id integer PRIMARY KEY)');

    const value = await store.transaction(async (tx) => {
      await tx.query('INSERT INTO committed (id) VALUES ($1)', [1]);
      await tx.query('INSERT INTO committed (id) VALUES ($1)', [2]);
      return (await tx.query('SELECT count(*)::integer AS n FROM committed')).rows[0];
    });

    expect(value).toEqual({ n: 2 });
    expect((await store.query('SELECT id FROM committed ORDER BY id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('rolls back a transaction that throws, and rethrows the same error', async () => {
    await store.query('CREATE TABLE rolled_back (id integer PRIMARY KEY)');
    const failure = new Error('work failed');

    const outcome = store.transaction(async (tx) => {
      await tx.query('INSERT INTO rolled_back (id) VALUES ($1)', [1]);
      throw failure;
    });

    await expect(outcome).rejects.toBe(failure);
    expect((await store.query('SELECT id FROM rolled_back')).rows).toEqual([]);
    // The store still works after a rollback.
    await store.transaction((tx) => tx.query('INSERT INTO rolled_back (id) VALUES (2)'));
    expect((await store.query('SELECT id FROM rolled_back')).rows).toEqual([{ id: 2 }]);
  });

  it('rolls back a transaction whose statement fails', async () => {
    await store.query('CREATE TABLE failed_statement (id integer PRIMARY KEY)');

    const outcome = store.transaction(async (tx) => {
      await tx.query('INSERT INTO failed_statement (id) VALUES (1)');
      await tx.query('INSERT INTO failed_statement (id) VALUES (1)');
    });

    await expect(outcome).rejects.toThrow(
      'duplicate key value violates unique constraint "failed_statement_pkey"',
    );
    expect((await store.query('SELECT id FROM failed_statement')).rows).toEqual([]);
  });

  it('returns bigint columns as exact strings', async () => {
    await store.query('CREATE TABLE amounts (id integer PRIMARY KEY, micros bigint NOT NULL)');
    await store.query('INSERT INTO amounts (id, micros) VALUES (1, $1), (2, $2), (3, $3)', [
      '9223372036854775807',
      '-9223372036854775808',
      '42',
    ]);

    const result = await store.query<{ micros: string }>('SELECT micros FROM amounts ORDER BY id');

    expect(result.rows).toEqual([
      { micros: '9223372036854775807' },
      { micros: '-9223372036854775808' },
      { micros: '42' },
    ]);
    expect(BigInt(result.rows[0]!.micros)).toBe(2n ** 63n - 1n);
    await expect(store.query('SELECT sum(micros)::bigint AS total FROM amounts')).resolves.toEqual({
      rows: [{ total: '41' }],
      rowCount: 1,
    });
    await expect(store.query('SELECT micros + 1 FROM amounts WHERE id = 1')).rejects.toThrow(
      'bigint out of range',
    );
  });

  it('returns the same JavaScript types on every backend', async () => {
    const result = await store.query(
      "SELECT 1.50::numeric AS n, 2.5::float8 AS f, 3::int4 AS i, true AS b, 'x'::text AS t, NULL::text AS z, " +
        "'2026-01-02T03:04:05.678Z'::timestamptz AS at",
    );

    expect(result.rows).toEqual([
      { n: '1.50', f: 2.5, i: 3, b: true, t: 'x', z: null, at: new Date('2026-01-02T03:04:05.678Z') },
    ]);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  describe('migrations', () => {
    const widgets: Migration[] = [
      {
        id: '0001_create_widgets',
        sql: 'CREATE TABLE widgets (id integer PRIMARY KEY, name text NOT NULL);',
      },
      {
        id: '0002_seed_widgets',
        sql: "INSERT INTO widgets VALUES (1, 'first');\nINSERT INTO widgets VALUES (2, 'second');",
      },
    ];

    it('applies each migration once, records it, and applies nothing on a second run', async () => {
      const first = await runMigrations(store, widgets);
      const second = await runMigrations(store, widgets);

      expect(first).toEqual({ applied: ['0001_create_widgets', '0002_seed_widgets'], routines: [] });
      expect(second).toEqual({ applied: [], routines: [] });
      expect((await store.query('SELECT id, name FROM widgets ORDER BY id')).rows).toEqual([
        { id: 1, name: 'first' },
        { id: 2, name: 'second' },
      ]);
      const recorded = await store.query<{ id: string; checksum: string; recent: boolean }>(
        `SELECT id, checksum, applied_at > now() - interval '5 minutes' AS recent
           FROM gatehouse_migrations WHERE id LIKE '%_widgets' ORDER BY id`,
      );
      expect(recorded.rows).toEqual(
        widgets.map((m) => ({ id: m.id, checksum: checksumOf(m.sql), recent: true })),
      );
    });

    it('applies only the new migrations of a later release', async () => {
      const later = [...widgets, { id: '0003_more_widgets', sql: "INSERT INTO widgets VALUES (3, 'third')" }];

      await expect(runMigrations(store, later)).resolves.toEqual({
        applied: ['0003_more_widgets'],
        routines: [],
      });
      expect((await store.query('SELECT count(*)::integer AS n FROM widgets')).rows).toEqual([{ n: 3 }]);
    });

    it('refuses to run when an applied migration was changed, and applies nothing', async () => {
      const original: Migration = { id: '0101_create_gadgets', sql: 'CREATE TABLE gadgets (id integer)' };
      const edited: Migration = { id: '0101_create_gadgets', sql: 'CREATE TABLE gadgets (id bigint)' };
      const next: Migration = { id: '0102_create_gizmos', sql: 'CREATE TABLE gizmos (id integer)' };
      await runMigrations(store, [original]);

      await expect(runMigrations(store, [edited, next])).rejects.toThrow(
        `migration 0101_create_gadgets was changed after it was applied (checksum ${checksumOf(original.sql)} ` +
          `recorded, ${checksumOf(edited.sql)} now); restore its original SQL and put the change in a new migration`,
      );
      const gizmos = await store.query("SELECT id FROM gatehouse_migrations WHERE id = '0102_create_gizmos'");
      expect(gizmos.rows).toEqual([]);
    });

    const answerRoutine = (answer: number): Routine => ({
      name: 'widget_answer',
      sql: `CREATE OR REPLACE FUNCTION widget_answer() RETURNS integer LANGUAGE sql AS $$ SELECT ${answer} $$;`,
    });
    const widgetCount: Routine = {
      name: 'widget_count',
      // A LANGUAGE sql body is checked when created: the table of the migrations must exist by then.
      sql: 'CREATE OR REPLACE FUNCTION widget_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM widgets $$;',
    };
    const callRoutines = async () =>
      (
        await store.query<{ answer: number; widgets: string }>(
          'SELECT widget_answer() AS answer, widget_count() AS widgets',
        )
      ).rows;

    it('applies the routines after the migrations, and again at every run, so an edited one replaces the old', async () => {
      const first = await runMigrations(store, widgets, { routines: [answerRoutine(1), widgetCount] });
      expect(first).toEqual({ applied: [], routines: ['widget_answer', 'widget_count'] });
      expect(await callRoutines()).toEqual([{ answer: 1, widgets: '3' }]);

      const edited = await runMigrations(store, widgets, { routines: [answerRoutine(2), widgetCount] });
      expect(edited).toEqual({ applied: [], routines: ['widget_answer', 'widget_count'] });
      expect(await callRoutines()).toEqual([{ answer: 2, widgets: '3' }]);
    });

    it('rolls back every routine when one fails, naming it, and keeps the functions it had', async () => {
      const broken: Routine = {
        name: 'widget_broken',
        sql: 'CREATE OR REPLACE FUNCTION widget_broken() RETURNS integer LANGUAGE sql AS $$ SELECT no_such_column FROM widgets $$;',
      };

      await expect(runMigrations(store, widgets, { routines: [answerRoutine(3), broken] })).rejects.toThrow(
        'routine widget_broken failed: column "no_such_column" does not exist',
      );
      expect(await callRoutines()).toEqual([{ answer: 2, widgets: '3' }]);
    });

    it('rolls back a failing migration together with its record', async () => {
      const broken: Migration = {
        id: '0201_broken',
        sql: 'CREATE TABLE half_done (id integer); SELECT no_such_column FROM half_done',
      };

      await expect(runMigrations(store, [broken])).rejects.toThrow('column "no_such_column" does not exist');
      expect(
        (await store.query("SELECT id FROM gatehouse_migrations WHERE id = '0201_broken'")).rows,
      ).toEqual([]);
      expect((await store.query("SELECT to_regclass('half_done') IS NULL AS missing")).rows).toEqual([
        { missing: true },
      ]);
    });
  });
});

// Only PostgreSQL has concurrent replicas: PGlite is one process's embedded database.
describe('runMigrations on PostgreSQL replicas', () => {
  afterAll(async () => {
    const admin = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl });
    try {
      for (const schema of extraSchemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.close();
    }
  });

  it('applies each migration exactly once when two replicas start at the same time, and both their routines', async () => {
    const schema = uniqueName('sql_race');
    extraSchemas.push(schema);
    const migrations: Migration[] = [1, 2, 3].map((n) => ({
      id: `000${n}_race_${n}`,
      sql: `SELECT pg_sleep(0.05); CREATE TABLE race_${n} (id integer); INSERT INTO race_${n} VALUES (${n});`,
    }));
    // Both replicas also race to create the schema and the migrations table.
    const replicas = await Promise.all(
      [1, 2].map(() => createPostgresSqlStore({ databaseUrl: testDatabaseUrl, schema })),
    );
    try {
      // Replacing one function from two sessions at once fails ("tuple concurrently updated")
      // unless the lock keeps them apart.
      const routines: Routine[] = [1, 2, 3].map((n) => ({
        name: `race_${n}`,
        sql: `CREATE OR REPLACE FUNCTION race_${n}() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM race_${n} $$;`,
      }));
      const results = await Promise.all(
        replicas.map((replica) => runMigrations(replica, migrations, { routines })),
      );

      expect(results.flatMap((result) => result.applied).sort()).toEqual(migrations.map((m) => m.id));
      expect(results.map((result) => result.routines)).toEqual([
        ['race_1', 'race_2', 'race_3'],
        ['race_1', 'race_2', 'race_3'],
      ]);
      const counted = await replicas[1]!.query('SELECT race_1() + race_2() + race_3() AS n');
      expect(counted.rows).toEqual([{ n: '3' }]);
      const recorded = await replicas[0]!.query('SELECT id FROM gatehouse_migrations ORDER BY id');
      expect(recorded.rows).toEqual(migrations.map((m) => ({ id: m.id })));
      const rows = await replicas[1]!.query(
        'SELECT (SELECT count(*) FROM race_1) AS a, (SELECT count(*) FROM race_2) AS b, (SELECT count(*) FROM race_3) AS c',
      );
      expect(rows.rows).toEqual([{ a: '1', b: '1', c: '1' }]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
