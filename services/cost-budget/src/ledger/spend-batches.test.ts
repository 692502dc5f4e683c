import { join } from 'node:path';
import { budgetV1 } from '@gatehouse/contracts';
import {
  createManualClock,
  createPostgresSqlStore,
  GatehouseError,
  runMigrationsDir,
  type SqlStore,
} from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueName } from '../../../../test/support/test-env';
import { createPeriodCalendar } from '../domain/period-calendar';
import { withGlobalScope, type ScopeRef } from '../domain/scope';
import { charge } from './charge';
import { createLedgerContext, type LedgerContext } from './ledger-context';
import { reserve } from './reserve';
import { settleReservation } from './settle-reservation';

const { ScopeKind, Period } = budgetV1;
const amount = 100_000n;

/**
 * The ledger over real PostgreSQL, recording how many Reserves (and Charges) and settlements each
 * turn carried.
 */
async function startLedger(sql: SqlStore, failFirstTurnWith?: string) {
  const turns: [reserves: number, settlements: number][] = [];
  const counting: SqlStore = {
    ...sql,
    query: (text, params) => {
      if (text.includes('budget_spend_turn(')) {
        const items = JSON.parse(String(params![2])) as { operation: string }[];
        const admitted = items.filter((item) => ['reserve', 'charge'].includes(item.operation)).length;
        turns.push([admitted, items.length - admitted]);
        if (turns.length === 1 && failFirstTurnWith !== undefined) {
          return Promise.reject(Object.assign(new Error('turn failed'), { code: failFirstTurnWith }));
        }
      }
      return sql.query(text, params);
    },
  };
  const ledger: LedgerContext = {
    ...createLedgerContext({
      sql: counting,
      clock: createManualClock(Date.UTC(2026, 4, 1)),
      calendar: createPeriodCalendar('UTC'),
      defaults: { global: null, team: null, user: null, apiKey: null },
      overCommitPolicy: 'allow-and-flag',
      effects: { committed: () => undefined, exhausted: async () => undefined },
    }),
    expireDue: async () => 0,
  };
  return { ledger, turns };
}

describe('batched Reserve and Commit/Release on real PostgreSQL', () => {
  let sql: SqlStore;
  let schema: string;

  beforeAll(async () => {
    schema = uniqueName('cost_budget_batches');
    sql = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl, schema });
    await runMigrationsDir(sql, join(__dirname, '..', '..', 'migrations'));
  });
  afterAll(async () => {
    await sql?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql?.close();
  });

  const user = (id: string): ScopeRef => ({ kind: ScopeKind.SCOPE_KIND_USER, id });

  async function setLimit(scope: ScopeRef, limitMicros: bigint) {
    const { ledger } = await startLedger(sql);
    await ledger.budgets.upsert(sql, {
      scope,
      limitMicros,
      period: Period.PERIOD_TOTAL,
      alertThresholds: [50, 80, 100],
      updatedAt: new Date(),
    });
  }

  const reserveOne = (ledger: LedgerContext, scope: ScopeRef, key: string) =>
    reserve(ledger, {
      idempotencyKey: key,
      scopes: withGlobalScope([scope]),
      amountMicros: amount,
      ttlSeconds: 60,
      description: '',
    });

  async function usageOf(scope: ScopeRef) {
    const { rows } = await sql.query(
      `SELECT spent_micros, reserved_micros FROM scope_usage WHERE scope_kind = $1 AND scope_id = $2`,
      [scope.kind, scope.id],
    );
    return rows.map((row) => [BigInt(String(row.spent_micros)), BigInt(String(row.reserved_micros))]);
  }

  async function rowsDisagreeingWithLedger(): Promise<number> {
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM scope_usage u
       LEFT JOIN (SELECT scope_kind, scope_id, period, period_start, SUM(spent_delta) AS s,
                    SUM(reserved_delta) AS r FROM ledger_entries GROUP BY 1, 2, 3, 4) l
         USING (scope_kind, scope_id, period, period_start)
       WHERE u.spent_micros <> COALESCE(l.s, 0) OR u.reserved_micros <> COALESCE(l.r, 0)`,
    );
    return Number(rows[0]!.n);
  }

  it('admits exactly the budget to 64 concurrent reserves, in shared transactions', async () => {
    const scope = user('room-for-ten');
    await setLimit(scope, 10n * amount);
    const { ledger, turns } = await startLedger(sql);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 64 }, (_, i) => reserveOne(ledger, scope, `ten-${i}`)),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    for (const outcome of refused) {
      expect((outcome.reason as GatehouseError).code).toBe('RESOURCE_EXHAUSTED');
    }
    expect([outcomes.length - refused.length, refused.length]).toEqual([10, 54]);
    expect(turns.length).toBeLessThan(64);
    expect(await usageOf(scope)).toEqual([[0n, 10n * amount]]);
    expect(await rowsDisagreeingWithLedger()).toBe(0);
  });

  it('decides a turn with room for all in arrival order, each answer reflecting the ones before it', async () => {
    const scope = user('room-for-all');
    const limit = 64n * amount;
    await setLimit(scope, limit);
    const { ledger, turns } = await startLedger(sql);
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) => reserveOne(ledger, scope, `all-${i}`)),
    );
    // The first starts a turn at once; the other 63 split into two even turns.
    expect(turns).toEqual([
      [1, 0],
      [32, 0],
      [31, 0],
    ]);
    const remaining = results
      .map((result) => result.balances.find((b) => b.scope.kind === scope.kind)!.remainingMicros)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(remaining).toEqual(Array.from({ length: 64 }, (_, k) => BigInt(k) * amount));
    expect(new Set(results.map((result) => result.reservationId)).size).toBe(64);
    expect(await usageOf(scope)).toEqual([[0n, limit]]);
    expect(await rowsDisagreeingWithLedger()).toBe(0);
  });

  it('records one reservation for one idempotency key sent twice at once', async () => {
    const scope = user('same-key');
    const { ledger } = await startLedger(sql);
    const [first, second] = await Promise.all([
      reserveOne(ledger, scope, 'twice'),
      reserveOne(ledger, scope, 'twice'),
      reserveOne(ledger, scope, 'other'),
    ]);
    expect(second!.reservationId).toBe(first!.reservationId);
    expect(await usageOf(scope)).toEqual([[0n, 2n * amount]]);
  });

  it('settles concurrent commits and releases in batches; a reservation settles only once', async () => {
    const scope = user('settle-storm');
    const { ledger, turns } = await startLedger(sql);
    const held = await Promise.all(
      Array.from({ length: 20 }, (_, i) => reserveOne(ledger, scope, `settle-${i}`)),
    );
    const before = turns.length;
    const commits = held.map((r) =>
      settleReservation(ledger, r.reservationId, { action: 'commit', actualMicros: 80_000n }),
    );
    const releases = held
      .slice(0, 5)
      .map((r) => settleReservation(ledger, r.reservationId, { action: 'release' }));
    const outcomes = await Promise.allSettled([...commits, ...releases]);
    expect(turns.slice(before)).toEqual([
      [0, 1],
      [0, 13],
      [0, 11],
    ]);
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(failed).toHaveLength(5);
    for (const outcome of failed) {
      expect((outcome.reason as GatehouseError).code).toBe('FAILED_PRECONDITION');
    }
    const committed = outcomes.slice(0, 20).filter((outcome) => outcome.status === 'fulfilled').length;
    expect(await usageOf(scope)).toEqual([[BigInt(committed) * 80_000n, 0n]]);
    expect(await rowsDisagreeingWithLedger()).toBe(0);
  });

  it('carries the Reserves and settlements that arrive together in one turn', async () => {
    const scope = user('mixed-turn');
    const { ledger, turns } = await startLedger(sql);
    const held = await Promise.all(
      Array.from({ length: 8 }, (_, i) => reserveOne(ledger, scope, `mixed-held-${i}`)),
    );
    const before = turns.length;
    const commits = held.map((r) =>
      settleReservation(ledger, r.reservationId, { action: 'commit', actualMicros: 60_000n }),
    );
    const reserves = Array.from({ length: 8 }, (_, i) => reserveOne(ledger, scope, `mixed-new-${i}`));
    const [committed, reserved] = await Promise.all([Promise.all(commits), Promise.all(reserves)]);
    // The first commit starts a turn at once; the other 15 operations split into two even turns,
    // in arrival order: the 7 other commits with the first Reserve, then the other 7 Reserves.
    expect(turns.slice(before)).toEqual([
      [0, 1],
      [1, 7],
      [7, 0],
    ]);
    expect(committed.map((result) => result.committedMicros)).toEqual(Array(8).fill(60_000n));
    expect(new Set(reserved.map((result) => result.reservationId)).size).toBe(8);
    expect(await usageOf(scope)).toEqual([[8n * 60_000n, 8n * amount]]);
    expect(await rowsDisagreeingWithLedger()).toBe(0);
  });

  it('admits Charges in the same turns as Reserves, against the same room', async () => {
    const scope = user('charges-and-reserves');
    await setLimit(scope, 10n * amount);
    const { ledger, turns } = await startLedger(sql);
    const input = (i: number) => ({
      idempotencyKey: `charge-or-reserve-${i}`,
      scopes: withGlobalScope([scope]),
      amountMicros: amount,
      description: '',
    });
    // Alternating, all at once: 32 Charges and 32 Reserves against room for 10 in all.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 64 }, (_, i) =>
        i % 2 === 0 ? charge(ledger, input(i)) : reserve(ledger, { ...input(i), ttlSeconds: 60 }),
      ),
    );
    const admitted = outcomes.map((outcome) => outcome.status === 'fulfilled');
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect((outcome.reason as GatehouseError).code).toBe('RESOURCE_EXHAUSTED');
      }
    }
    // Decided in arrival order: the first 10 fit, the rest are refused.
    expect(admitted).toEqual(Array.from({ length: 64 }, (_, i) => i < 10));
    expect(turns).toEqual([
      [1, 0],
      [32, 0],
      [31, 0],
    ]);
    expect(await usageOf(scope)).toEqual([[5n * amount, 5n * amount]]);
    expect(await rowsDisagreeingWithLedger()).toBe(0);
  });

  it('runs a turn PostgreSQL aborted as a deadlock again, and fails other errors as they are', async () => {
    const scope = user('deadlocked-turn');
    const retried = await startLedger(sql, '40P01');
    const result = await reserveOne(retried.ledger, scope, 'after-deadlock');
    expect(retried.turns).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(await usageOf(scope)).toEqual([[0n, amount]]);

    const failed = await startLedger(sql, '23505');
    await expect(reserveOne(failed.ledger, scope, 'after-other-error')).rejects.toThrow('turn failed');
    expect(failed.turns).toEqual([[1, 0]]);
    expect(await usageOf(scope)).toEqual([[0n, amount]]);
    expect(result.balances.map((balance) => balance.scope.kind)).toEqual([
      scope.kind,
      ScopeKind.SCOPE_KIND_GLOBAL,
    ]);
  });
});
