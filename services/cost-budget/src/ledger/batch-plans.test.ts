import { join } from 'node:path';
import { budgetV1 } from '@gatehouse/contracts';
import {
  createManualClock,
  createPostgresSqlStore,
  runMigrationsDir,
  type SqlExecutor,
  type SqlStore,
} from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueName } from '../../../../test/support/test-env';
import { createPeriodCalendar } from '../domain/period-calendar';
import { withGlobalScope } from '../domain/scope';
import type { SpendItem } from './spend-items';
import { runSpendTurn, type SpendTurnDeps } from './spend-turn';

const { ScopeKind } = budgetV1;
const grownTo = 20_000;

describe('turn statements on grown tables (real PostgreSQL)', () => {
  let sql: SqlStore;
  let schema: string;

  beforeAll(async () => {
    schema = uniqueName('cost_budget_plans');
    // One connection: the plans it makes while the tables are empty are the ones used once they grew.
    sql = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl, schema, poolSize: 1 });
    await runMigrationsDir(sql, join(__dirname, '..', '..', 'migrations'));
  });
  afterAll(async () => {
    await sql?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql?.close();
  });

  const depsOver = (executor: SqlExecutor): SpendTurnDeps => ({
    sql: executor,
    clock: createManualClock(Date.UTC(2026, 4, 1)),
    calendar: createPeriodCalendar('UTC'),
    defaults: { global: null, team: null, user: null, apiKey: null },
    overCommitPolicy: 'allow-and-flag',
  });

  const reserves = (count: number, label: string): SpendItem[] =>
    Array.from({ length: count }, (_, i) => ({
      operation: 'reserve',
      input: {
        idempotencyKey: `${label}-${i}`,
        scopes: withGlobalScope([{ kind: ScopeKind.SCOPE_KIND_USER, id: `user-${i % 4}` }]),
        amountMicros: 1_000n,
        ttlSeconds: 60,
        description: '',
      },
      requestHash: `hash-${label}-${i}`,
    }));

  /** A turn of Reserves, then a turn of as many new Reserves and the first turn's Commits. */
  async function reserveThenMixed(executor: SqlExecutor, count: number, label: string) {
    const deps = depsOver(executor);
    const first = await runSpendTurn(deps, reserves(count, `${label}-a`));
    const commits = first.map((answered): SpendItem => ({
      operation: 'settle',
      reservationId:
        answered.operation === 'reserve' && answered.outcome.kind === 'admitted'
          ? answered.outcome.result.reservationId
          : '',
      settlement: { action: 'commit', actualMicros: 800n },
    }));
    const second = await runSpendTurn(deps, [...reserves(count, `${label}-b`), ...commits]);
    return [first.map((answered) => answered.outcome.kind), second.map((answered) => answered.outcome.kind)];
  }

  it(`reads only the rows a batch touches once ${grownTo} reservations exist`, async () => {
    // Plans are made now, on nearly empty tables.
    expect(await reserveThenMixed(sql, 4, 'first')).toEqual([
      Array(4).fill('admitted'),
      [...Array(4).fill('admitted'), ...Array(4).fill('applied')],
    ]);
    await sql.query(
      `INSERT INTO reservations (reservation_id, amount_micros, status, holds, created_at, expires_at)
       SELECT 'rsv_grown_' || n, 1000, CASE WHEN n % 2 = 0 THEN 'open' ELSE 'committed' END, '[]',
         now(), now() + interval '1 hour'
       FROM generate_series(1, ${grownTo}) AS n`,
    );
    await sql.query(
      `INSERT INTO idempotency_keys (idempotency_key, operation, request_hash, response, created_at)
       SELECT 'grown-' || n, 'reserve', 'h', '{}', now() FROM generate_series(1, ${grownTo}) AS n`,
    );

    const reads = await sql.transaction(async (tx) => {
      expect(await reserveThenMixed(tx, 16, 'later')).toEqual([
        Array(16).fill('admitted'),
        [...Array(16).fill('admitted'), ...Array(16).fill('applied')],
      ]);
      const { rows } = await tx.query<{ relname: string; seq: string; fetched: string }>(
        `SELECT relname, seq_tup_read::text AS seq, idx_tup_fetch::text AS fetched
         FROM pg_stat_xact_user_tables
         WHERE schemaname = current_schema() AND relname IN ('reservations', 'idempotency_keys')
         ORDER BY relname`,
      );
      return rows.map((row) => [row.relname, Number(row.seq), Number(row.fetched)]);
    });
    // Each of the 16 settled is looked up a few times (the turn's lock and read, the update that
    // settles it); a scan would read the 20 000 others.
    const [keys, reservations] = reads;
    expect(keys).toEqual(['idempotency_keys', 0, 0]);
    expect(reservations?.slice(0, 2)).toEqual(['reservations', 0]);
    expect(reservations?.[2]).toBeLessThanOrEqual(16 * 10);
  });
});
