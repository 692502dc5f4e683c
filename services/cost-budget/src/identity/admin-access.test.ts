import { status } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError } from '../../../../test/support/grpc-call';
import { startFakeAuthServer } from '../test-support/fake-auth-server';
import { startBudgetTestService, user, type BudgetTestService } from '../test-support/budget-test-service';

const setRequest = { scope: user('alice'), limitMicros: 1n, period: budgetV1.Period.PERIOD_DAILY };

describe('caller identity through the auth service', () => {
  let auth: Awaited<ReturnType<typeof startFakeAuthServer>>;
  let svc: BudgetTestService;
  let orphan: BudgetTestService;

  beforeAll(async () => {
    auth = await startFakeAuthServer();
    svc = await startBudgetTestService({ backend: 'embedded', authAddress: auth.address });
    // Points at a port nothing listens on: the auth service is unreachable.
    orphan = await startBudgetTestService({
      backend: 'embedded',
      authAddress: '127.0.0.1:1',
      env: { BUDGET_AUTH_TIMEOUT_MS: '500' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await orphan?.stop();
    await auth?.host.shutdown();
  });

  it('a non-admin cannot set budgets', async () => {
    const error = await callError(svc.call.setBudget(setRequest, 'alice-token'));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toContain('"admin" role');
    expect((await svc.call.getBudget({ scope: user('alice') }, 'alice-token')).explicit).toBe(false);
  });

  it('no credential is UNAUTHENTICATED, a bad one too', async () => {
    expect((await callError(svc.call.setBudget(setRequest))).code).toBe(status.UNAUTHENTICATED);
    expect((await callError(svc.call.setBudget(setRequest, 'forged'))).code).toBe(status.UNAUTHENTICATED);
  });

  it('fails closed with UNAVAILABLE when the auth service is unreachable', async () => {
    const error = await callError(orphan.call.setBudget(setRequest, 'admin-token'));
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.details).toContain('auth service at 127.0.0.1:1');
  });

  it('callers read their own scopes only; admins and services read any', async () => {
    expect((await svc.call.getBudget({ scope: user('alice') }, 'alice-token')).limitMicros).toBe(5_000_000n);
    expect((await callError(svc.call.getBudget({ scope: user('bob') }, 'alice-token'))).code).toBe(
      status.PERMISSION_DENIED,
    );
    await svc.call.getBudget({ scope: user('bob') }, 'service-token');
    const set = await svc.call.setBudget(setRequest, 'admin-token');
    expect(set.budget?.alertThresholdsPercent).toEqual([50, 80, 100]);
  });

  it('Reserve does not need a credential (trusted service-to-service callers)', async () => {
    const r = await svc.call.reserve({
      idempotencyKey: 'no-cred',
      scopes: [user('carol')],
      amountMicros: 1n,
    });
    expect(r.reservationId).toMatch(/^rsv_/);
  });
});
