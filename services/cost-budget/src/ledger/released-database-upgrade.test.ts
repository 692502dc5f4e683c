import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import {
  createManualClock,
  createPgliteSqlStore,
  createPostgresSqlStore,
  readErrorDetails,
  runMigrationsDir,
  type SqlExecutor,
  type SqlStore,
} from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError } from '../../../../test/support/grpc-call';
import { testDatabaseUrl, uniqueName } from '../../../../test/support/test-env';
import { startFakeAuthServer } from '../test-support/fake-auth-server';
import {
  startBudgetTestService,
  team,
  user,
  type BudgetTestService,
} from '../test-support/budget-test-service';

const { Period, BudgetEventType } = budgetV1;
const admin = 'admin-token';
const migrations = join(__dirname, '..', '..', 'migrations');
/** The released database; its header says how it was made and what it holds. */
const released = readFileSync(join(__dirname, '..', 'test-support', 'released-0004-database.sql'), 'utf8');
const releasedSchema = 'released_cost_budget';
/** Ids the released service gave, as the fixture records them. */
const openHold = 'rsv_d51b7ac5-8545-4217-910f-c294954560f8';
const committedHold = 'rsv_d025f517-89e2-455e-8ef2-6daa3e66b751';
const releasedCharge = 'chg_b7e72264-d29c-4645-bff2-539621296f12';

/** A database of one backend: the released one, loaded; a fresh one to compare; direct access. */
interface Backend {
  name: 'real' | 'embedded';
  /** Loads the released database; resolves the env that points the service at it. */
  loadReleased(): Promise<Record<string, string>>;
  /** The released database, once the service stopped. */
  openReleased(): Promise<SqlStore>;
  /** An empty database, migrated by this release. */
  openFresh(): Promise<SqlStore>;
  cleanup(): Promise<void>;
}

const realBackend = (): Backend => {
  const schema = uniqueName('released_upgrade');
  const fresh = uniqueName('fresh_upgrade');
  const open = (name: string) => createPostgresSqlStore({ databaseUrl: testDatabaseUrl, schema: name });
  return {
    name: 'real',
    async loadReleased() {
      const admin = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl });
      try {
        await admin.query(released.replaceAll(releasedSchema, schema));
      } finally {
        await admin.close();
      }
      return { DATABASE_SCHEMA: schema };
    },
    openReleased: () => open(schema),
    async openFresh() {
      const store = await open(fresh);
      await runMigrationsDir(store, migrations);
      return store;
    },
    async cleanup() {
      const admin = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl });
      try {
        for (const name of [schema, fresh]) await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await admin.close();
      }
    },
  };
};

const embeddedBackend = (): Backend => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-released-upgrade-'));
  // Where the service keeps its embedded database: <GATEHOUSE_DATA_DIR>/<service>.
  const open = () => createPgliteSqlStore({ dataDir: join(dataDir, 'cost-budget') });
  return {
    name: 'embedded',
    async loadReleased() {
      const store = await open();
      try {
        // The embedded database keeps the tables in its default schema.
        await store.query(
          released
            .replace(`CREATE SCHEMA ${releasedSchema};`, '')
            .replaceAll(`${releasedSchema}.`, 'public.'),
        );
      } finally {
        await store.close();
      }
      return { GATEHOUSE_DATA_DIR: dataDir };
    },
    openReleased: open,
    async openFresh() {
      const store = await createPgliteSqlStore({ dataDir: 'memory://' });
      await runMigrationsDir(store, migrations);
      return store;
    },
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** Tables, columns, indexes, constraints, triggers and functions of the current schema, as text. */
async function schemaShape(sql: SqlExecutor): Promise<string[]> {
  const { rows } = await sql.query<{ what: string }>(
    `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
         || COALESCE(column_default, '') AS what
       FROM information_schema.columns WHERE table_schema = current_schema()
     UNION ALL
     SELECT 'index ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes
       WHERE schemaname = current_schema()
     UNION ALL
     SELECT 'constraint ' || c.conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
       JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()
     UNION ALL
     SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal
     UNION ALL
     SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') '
         || md5(p.prosrc) FROM pg_proc p
       JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()
     ORDER BY 1`,
  );
  return rows.map((row) => row.what);
}

describe.each([
  { stores: 'PostgreSQL', makeBackend: realBackend },
  { stores: 'PGlite', makeBackend: embeddedBackend },
])('a database of the 0001-0004 release, on $stores', ({ makeBackend }) => {
  const backend = makeBackend();
  // A minute after the released service wrote the database (its header says when).
  const clock = createManualClock(Date.parse('2026-12-08T01:06:00Z'));
  let auth: Awaited<ReturnType<typeof startFakeAuthServer>>;
  let svc: BudgetTestService | undefined;

  beforeAll(async () => {
    auth = await startFakeAuthServer();
    const storage = await backend.loadReleased();
    svc = await startBudgetTestService({
      backend: backend.name,
      authAddress: auth.address,
      clock,
      // The defaults the released service ran with.
      env: { BUDGET_DEFAULT_USER: '5000000/daily', BUDGET_DEFAULT_GLOBAL: '100000000/hourly', ...storage },
    });
    // PGlite opens twice here (to load the database, then in the service), each a WebAssembly start.
  }, 90_000);
  afterAll(async () => {
    await svc?.stop();
    await auth?.host.shutdown();
    await backend.cleanup();
  });

  it('commits a hold the release left open, against the budget and thresholds it was reserved under', async () => {
    const committed = await svc!.call.commit({ reservationId: openHold, actualMicros: 300_000n });
    expect([committed.committedMicros, committed.releasedMicros, committed.overReservation]).toEqual([
      300_000n,
      0n,
      false,
    ]);
    expect(committed.balances.map((b) => [b.scope?.id, b.limitMicros, b.remainingMicros])).toEqual([
      ['alice', 1_000_000n, 200_000n],
      ['', 100_000_000n, 99_050_000n],
    ]);
    // 500 000 charged before, 800 000 now: the hold's own thresholds [50, 80] say 80 % was crossed.
    const events = await svc!.call.listBudgetEvents({ scope: user('alice') }, admin);
    expect(events.events.map((e) => [e.type, e.thresholdPercent, e.spentMicros, e.reservationId])).toEqual([
      [BudgetEventType.BUDGET_EVENT_TYPE_THRESHOLD_CROSSED, 80, 800_000n, openHold],
      [BudgetEventType.BUDGET_EVENT_TYPE_EXHAUSTED, 0, 500_000n, ''],
      [BudgetEventType.BUDGET_EVENT_TYPE_THRESHOLD_CROSSED, 50, 500_000n, ''],
    ]);
  });

  it('replays the idempotency records of the release, and refuses their keys for other parameters', async () => {
    const replayed = await svc!.call.reserve({
      idempotencyKey: 'released-committed',
      scopes: [user('bob'), team('search')],
      amountMicros: 200_000n,
      ttlSeconds: 600,
    });
    expect(replayed.reservationId).toBe(committedHold);
    expect(replayed.balances.map((b) => [b.scope?.id, b.remainingMicros])).toEqual([
      ['bob', 4_800_000n],
      ['search', 4_800_000n],
      ['', 99_500_000n],
    ]);
    const charged = await svc!.call.charge({
      idempotencyKey: 'released-charge',
      scopes: [user('alice')],
      amountMicros: 500_000n,
      description: 'tts',
    });
    expect(charged.chargeId).toBe(releasedCharge);
    const conflict = await callError(
      svc!.call.charge({ idempotencyKey: 'released-charge', scopes: [user('alice')], amountMicros: 1n }),
    );
    expect([conflict.code, readErrorDetails(conflict.metadata).reason]).toEqual([
      status.FAILED_PRECONDITION,
      'IDEMPOTENCY_KEY_REUSED',
    ]);
  });

  it('reads and lists the budgets of the release, and admits exactly up to them', async () => {
    const alice = await svc!.call.getBudget({ scope: user('alice') }, admin);
    expect([
      alice.spentMicros,
      alice.reservedMicros,
      alice.remainingMicros,
      alice.explicit,
      alice.period,
    ]).toEqual([800_000n, 0n, 200_000n, true, Period.PERIOD_DAILY]);
    const listed = await svc!.call.listBudgets({}, admin);
    expect(listed.budgets.map((b) => [b.scope?.id, b.limitMicros, b.alertThresholdsPercent])).toEqual([
      ['search', 5_000_000n, [50, 80, 100]],
      ['alice', 1_000_000n, [50, 80]],
    ]);
    await svc!.call.reserve({
      idempotencyKey: 'after-upgrade',
      scopes: [user('alice')],
      amountMicros: 200_000n,
    });
    const refused = await callError(
      svc!.call.reserve({ idempotencyKey: 'after-upgrade-2', scopes: [user('alice')], amountMicros: 1n }),
    );
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await svc!.call.verifyLedger({}, admin)).consistent).toBe(true);
  });

  it(
    'leaves the schema a fresh database of this release has, every usage row equal to its ledger',
    { timeout: 90_000 },
    async () => {
      await svc!.stop();
      svc = undefined;
      const upgraded = await backend.openReleased();
      const fresh = await backend.openFresh();
      try {
        const shape = await schemaShape(upgraded);
        expect(shape).toEqual(await schemaShape(fresh));
        expect(shape.filter((line) => line.startsWith('function budget_reserve_batch'))).toEqual([]);
        const { rows: applied } = await upgraded.query<{ id: string }>(
          'SELECT id FROM gatehouse_migrations ORDER BY id',
        );
        expect(applied.map((row) => row.id)).toEqual([
          '0001_cost_budget',
          '0002_batched_spend',
          '0003_index_driven_batch_plans',
          '0004_spend_turns',
          '0005_functions_as_files',
        ]);
        const { rows: holds } = await upgraded.query<{ spelled_out: boolean }>(
          `SELECT bool_and(h ? 'scope' AND NOT h ? 'k') AS spelled_out
         FROM reservations, jsonb_array_elements(holds) AS h`,
        );
        expect(holds).toEqual([{ spelled_out: true }]);
        const { rows: disagreeing } = await upgraded.query(
          `SELECT u.scope_kind, u.scope_id FROM scope_usage u
         LEFT JOIN (SELECT scope_kind, scope_id, period, period_start, SUM(spent_delta) AS s,
                      SUM(reserved_delta) AS r FROM ledger_entries GROUP BY 1, 2, 3, 4) l
           USING (scope_kind, scope_id, period, period_start)
         WHERE u.spent_micros <> COALESCE(l.s, 0) OR u.reserved_micros <> COALESCE(l.r, 0)`,
        );
        expect(disagreeing).toEqual([]);
      } finally {
        await upgraded.close();
        await fresh.close();
      }
    },
  );
});
