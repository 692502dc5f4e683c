import { join } from 'node:path';
import { createPostgresSqlStore, runMigrationsDir, type SqlStore } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueName } from '../../../support/test-env';
import { floorTurnParams, storeFloorTurnFunction, type FloorOperation } from './cost-budget-store-floor-sql';

const migrations = join(__dirname, '..', '..', '..', '..', 'services', 'cost-budget', 'migrations');

describe('the store floor turn (real PostgreSQL)', () => {
  let sql: SqlStore;
  let schema: string;

  beforeAll(async () => {
    schema = uniqueName('store_floor');
    sql = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl, schema });
    await runMigrationsDir(sql, migrations);
    await sql.query(storeFloorTurnFunction);
  });
  afterAll(async () => {
    await sql?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql?.close();
  });

  const turn = (operations: FloorOperation[]) =>
    sql.query(
      'SELECT bench_store_floor_turn($1, $2::jsonb, $3::jsonb, $4::jsonb)',
      floorTurnParams(operations, new Date(Date.UTC(2026, 10, 22, 12))),
    );
  const reserve = (key: string, rid: string, user: string): FloorOperation => ({
    kind: 'reserve',
    key,
    rid,
    amount: 1000n,
    user,
  });
  const commit = (rid: string, actual: bigint, user: string): FloorOperation => ({
    kind: 'commit',
    rid,
    actual,
    held: { amount: 1000n, user },
  });
  const count = async (table: string) =>
    Number((await sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);

  it('writes every record a Reserve and a Commit leave, and usage rows that equal their ledger', async () => {
    await turn([reserve('k1', 'rsv_1', 'u1'), reserve('k2', 'rsv_2', 'u2')]);
    await turn([reserve('k3', 'rsv_3', 'u1'), commit('rsv_1', 800n, 'u1'), commit('rsv_2', 600n, 'u2')]);

    expect([
      await count('reservations'),
      await count('idempotency_keys'),
      await count('ledger_entries'),
    ]).toEqual([3, 3, 10]);
    const { rows } = await sql.query<{ id: string; spent: string; reserved: string }>(
      `SELECT scope_id AS id, spent_micros::text AS spent, reserved_micros::text AS reserved
       FROM scope_usage ORDER BY scope_kind, scope_id`,
    );
    expect(rows.map((row) => [row.id, row.spent, row.reserved])).toEqual([
      ['', '1400', '1000'],
      ['u1', '800', '1000'],
      ['u2', '600', '0'],
    ]);
    const { rows: disagreeing } = await sql.query(
      `SELECT 1 FROM scope_usage u
       JOIN (SELECT scope_kind, scope_id, SUM(spent_delta) AS s, SUM(reserved_delta) AS r
             FROM ledger_entries GROUP BY 1, 2) l USING (scope_kind, scope_id)
       WHERE u.spent_micros <> l.s OR u.reserved_micros <> l.r`,
    );
    expect(disagreeing).toEqual([]);
    const statuses = await sql.query(`SELECT reservation_id, status FROM reservations ORDER BY 1`);
    expect(statuses.rows.map((row) => row.status)).toEqual(['committed', 'committed', 'open']);
  });
});
