import { budgetV1 } from '@gatehouse/contracts';
import { createManualClock } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAuthServer } from '../test-support/fake-auth-server';
import { startBudgetTestService, user, type BudgetTestService } from '../test-support/budget-test-service';

const admin = 'admin-token';

describe('period rollover in a non-UTC zone (Asia/Tokyo, UTC+9)', () => {
  // 23:30 in Tokyo on 2026-01-10 is 14:30 UTC; the Tokyo day ends at 15:00 UTC.
  const clock = createManualClock(Date.parse('2026-01-10T14:30:00Z'));
  let auth: Awaited<ReturnType<typeof startFakeAuthServer>>;
  let svc: BudgetTestService;
  const scope = user('tokyo');

  beforeAll(async () => {
    auth = await startFakeAuthServer();
    svc = await startBudgetTestService({
      backend: 'embedded',
      authAddress: auth.address,
      clock,
      env: { BUDGET_TIME_ZONE: 'Asia/Tokyo', BUDGET_DEFAULT_GLOBAL: 'none' },
    });
    await svc.call.setBudget({ scope, limitMicros: 1_000_000n, period: budgetV1.Period.PERIOD_DAILY }, admin);
  });
  afterAll(async () => {
    await svc?.stop();
    await auth?.host.shutdown();
  });

  it('starts the new day at zero at local midnight; a hold is charged to the period it was reserved in', async () => {
    await svc.call.charge({ idempotencyKey: 'r-1', scopes: [scope], amountMicros: 600_000n });
    const held = await svc.call.reserve({
      idempotencyKey: 'r-2',
      scopes: [scope],
      amountMicros: 300_000n,
      ttlSeconds: 3600,
    });
    const before = await svc.call.getBudget({ scope }, admin);
    expect(before.periodStartedAt?.toISOString()).toBe('2026-01-09T15:00:00.000Z');
    expect(before.resetsAt?.toISOString()).toBe('2026-01-10T15:00:00.000Z');
    expect([before.spentMicros, before.reservedMicros, before.remainingMicros]).toEqual([
      600_000n,
      300_000n,
      100_000n,
    ]);

    clock.set(Date.parse('2026-01-10T15:00:00Z')); // 00:00 on the 11th in Tokyo
    const after = await svc.call.getBudget({ scope }, admin);
    expect(after.periodStartedAt?.toISOString()).toBe('2026-01-10T15:00:00.000Z');
    expect([after.spentMicros, after.reservedMicros, after.remainingMicros]).toEqual([0n, 0n, 1_000_000n]);

    // Committed in the new day, charged to the day it was reserved in.
    await svc.call.commit({ reservationId: held.reservationId, actualMicros: 250_000n });
    const today = await svc.call.getBudget({ scope }, admin);
    expect([today.spentMicros, today.reservedMicros]).toEqual([0n, 0n]);
    clock.set(Date.parse('2026-01-10T14:59:59Z'));
    const yesterday = await svc.call.getBudget({ scope }, admin);
    expect([yesterday.spentMicros, yesterday.reservedMicros]).toEqual([850_000n, 0n]);
  });
});
