import { budgetV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRedis, type TestRedis } from '../../../../test/support/test-redis';
import { startFakeAuthServer } from '../test-support/fake-auth-server';
import { startBudgetTestService, user, type BudgetTestService } from '../test-support/budget-test-service';

const admin = 'admin-token';

describe.each(['real', 'cluster'] as const)('hot counters on %s Redis', (backend) => {
  let auth: Awaited<ReturnType<typeof startFakeAuthServer>>;
  let svc: BudgetTestService;
  let redis: TestRedis;
  const scope = user('counted');
  const counterKeys = async () => redis.keys(`${svc.service.config.redisKeyPrefix}usage:`);
  /** One DEL per key: on the cluster, counters of different usage rows live in different slots. */
  const deleteKeys = async (keys: string[]) => Promise.all(keys.map((key) => redis.client.del(key)));

  beforeAll(async () => {
    auth = await startFakeAuthServer();
    svc = await startBudgetTestService({ backend, authAddress: auth.address });
    redis = await openTestRedis(backend === 'cluster' ? 'cluster' : 'redis');
    await svc.call.setBudget(
      { scope, limitMicros: 10_000_000n, period: budgetV1.Period.PERIOD_TOTAL },
      admin,
    );
    const held = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        svc.call.reserve({ idempotencyKey: `c-${i}`, scopes: [scope], amountMicros: 250_000n }),
      ),
    );
    await svc.call.commit({ reservationId: held[0]!.reservationId, actualMicros: 100_000n });
    await svc.call.release({ reservationId: held[1]!.reservationId });
    await svc.call.charge({ idempotencyKey: 'c-charge', scopes: [scope], amountMicros: 33n });
  });
  afterAll(async () => {
    await redis?.close();
    await svc?.stop();
    await auth?.host.shutdown();
  });

  it('rebuilds lost counters exactly from the ledger', async () => {
    const before = await svc.call.getBudget({ scope }, admin);
    expect([before.spentMicros, before.reservedMicros]).toEqual([100_033n, 500_000n]);
    const keys = await counterKeys();
    expect(keys.length).toBeGreaterThan(0);
    await deleteKeys(keys);
    const after = await svc.call.getBudget({ scope }, admin);
    expect([after.spentMicros, after.reservedMicros, after.remainingMicros]).toEqual([
      100_033n,
      500_000n,
      9_399_967n,
    ]);
    // Increments after the rebuild land on the rebuilt value.
    await svc.call.charge({ idempotencyKey: 'c-after', scopes: [scope], amountMicros: 7n });
    expect((await svc.call.getBudget({ scope }, admin)).spentMicros).toBe(100_040n);
    expect((await svc.call.verifyLedger({}, admin)).consistent).toBe(true);
  });

  it('drops a counter an increment finds missing instead of keeping a partial value', async () => {
    await deleteKeys(await counterKeys());
    await svc.call.charge({ idempotencyKey: 'c-missing', scopes: [scope], amountMicros: 10n });
    expect((await svc.call.getBudget({ scope }, admin)).spentMicros).toBe(100_050n);
  });

  it('VerifyLedger reports drift and repairs it', async () => {
    await svc.call.getBudget({ scope }, admin);
    const spentKey = (await counterKeys()).find(
      (key) => key.includes('user:counted') && key.endsWith(':spent'),
    )!;
    await redis.client.set(spentKey, '42');
    const report = await svc.call.verifyLedger({ scopes: [scope], repair: true }, admin);
    expect(report.consistent).toBe(false);
    expect(report.drifts).toEqual([
      {
        scope: { kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id: 'counted' },
        ledgerSpentMicros: 100_050n,
        counterSpentMicros: 41n,
        ledgerReservedMicros: 500_000n,
        counterReservedMicros: 500_000n,
      },
    ]);
    expect(report.scopesRepaired).toBe(1);
    expect((await svc.call.verifyLedger({ scopes: [scope] }, admin)).consistent).toBe(true);
    expect((await svc.call.getBudget({ scope }, admin)).spentMicros).toBe(100_050n);
  });
});
