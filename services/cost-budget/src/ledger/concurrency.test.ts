import { status, type ServiceError } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAuthServer } from '../test-support/fake-auth-server';
import { startBudgetTestService, user, type BudgetTestService } from '../test-support/budget-test-service';
import { ledgerUsageAgreement } from '../test-support/ledger-agreement';

const admin = 'admin-token';

/** Fires `count` Reserves (or Charges) at once, spread over the given replicas; resolves [succeeded, refused]. */
async function reserveStorm(
  replicas: BudgetTestService[],
  scope: budgetV1.Scope,
  count: number,
  label: string,
  operation: 'reserve' | 'charge' = 'reserve',
) {
  const outcomes = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      replicas[i % replicas.length]!.call[operation]({
        idempotencyKey: `${label}-${i}`,
        scopes: [scope],
        amountMicros: 100_000n,
      }),
    ),
  );
  const refused = outcomes.filter((o) => o.status === 'rejected');
  for (const o of refused) expect((o.reason as ServiceError).code).toBe(status.RESOURCE_EXHAUSTED);
  return [outcomes.length - refused.length, refused.length];
}

describe('concurrent reservations on real PostgreSQL + Redis', () => {
  let auth: Awaited<ReturnType<typeof startFakeAuthServer>>;
  let first: BudgetTestService;
  let second: BudgetTestService;

  beforeAll(async () => {
    auth = await startFakeAuthServer();
    const env = { BUDGET_DEFAULT_GLOBAL: 'none' };
    first = await startBudgetTestService({ backend: 'real', authAddress: auth.address, env });
    // A second replica: its own host and pools over the same schema and Redis prefix.
    second = await startBudgetTestService({
      backend: 'real',
      authAddress: auth.address,
      env,
      shareStoresWith: first.service.config,
    });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await auth?.host.shutdown();
  });

  it('admits exactly 10 of 64 concurrent reservations against room for 10', async () => {
    const scope = user('storm-one');
    await first.call.setBudget(
      { scope, limitMicros: 1_000_000n, period: budgetV1.Period.PERIOD_TOTAL },
      admin,
    );
    expect(await reserveStorm([first], scope, 64, 'one')).toEqual([10, 54]);
    const budget = await first.call.getBudget({ scope }, admin);
    expect([budget.spentMicros, budget.reservedMicros, budget.remainingMicros]).toEqual([0n, 1_000_000n, 0n]);
  });

  it('admits exactly 10 of 64 across two replicas sharing the stores', async () => {
    const scope = user('storm-two');
    await first.call.setBudget(
      { scope, limitMicros: 1_000_000n, period: budgetV1.Period.PERIOD_TOTAL },
      admin,
    );
    expect(await reserveStorm([first, second], scope, 64, 'two')).toEqual([10, 54]);
    for (const replica of [first, second]) {
      const budget = await replica.call.getBudget({ scope }, admin);
      expect([budget.reservedMicros, budget.remainingMicros]).toEqual([1_000_000n, 0n]);
    }
  });

  it('admits exactly 10 of 64 concurrent charges across two replicas sharing the stores', async () => {
    const scope = user('storm-charges');
    await first.call.setBudget(
      { scope, limitMicros: 1_000_000n, period: budgetV1.Period.PERIOD_TOTAL },
      admin,
    );
    expect(await reserveStorm([first, second], scope, 64, 'charges', 'charge')).toEqual([10, 54]);
    const budget = await second.call.getBudget({ scope }, admin);
    expect([budget.spentMicros, budget.reservedMicros, budget.remainingMicros]).toEqual([1_000_000n, 0n, 0n]);
    expect(await ledgerUsageAgreement(first.service.config)).toEqual([]);
  });

  it('keeps holds plus spend exact under mixed concurrent reserve/commit/release on both replicas', async () => {
    const scope = user('storm-mixed');
    await first.call.setBudget(
      { scope, limitMicros: 5_000_000n, period: budgetV1.Period.PERIOD_TOTAL },
      admin,
    );
    const results = await Promise.allSettled(
      Array.from({ length: 48 }, async (_, i) => {
        const replica = i % 2 === 0 ? first : second;
        const r = await replica.call.reserve({
          idempotencyKey: `mixed-${i}`,
          scopes: [scope],
          amountMicros: 200_000n,
        });
        if (i % 3 === 0) await replica.call.release({ reservationId: r.reservationId });
        else if (i % 3 === 1)
          await replica.call.commit({ reservationId: r.reservationId, actualMicros: 150_000n });
        return i % 3;
      }),
    );
    const settled = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const commits = BigInt(settled.filter((v) => v === 1).length);
    const open = BigInt(settled.filter((v) => v === 2).length);
    const budget = await second.call.getBudget({ scope }, admin);
    expect(budget.spentMicros).toBe(commits * 150_000n);
    expect(budget.reservedMicros).toBe(open * 200_000n);
    expect(budget.spentMicros + budget.reservedMicros).toBeLessThanOrEqual(5_000_000n);
    expect(await ledgerUsageAgreement(first.service.config)).toEqual([]);
    const verified = await first.call.verifyLedger({}, admin);
    expect(verified.consistent).toBe(true);
  });
});
