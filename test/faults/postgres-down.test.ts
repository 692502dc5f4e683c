import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authV1, budgetV1 } from '@gatehouse/contracts';
import { startFakeAuthServer } from '../../services/cost-budget/src/test-support/fake-auth-server';
import {
  startBudgetTestService,
  user,
  type BudgetTestService,
} from '../../services/cost-budget/src/test-support/budget-test-service';
import {
  goodPassword,
  signUp,
  startAuth,
  type StartedAuth,
} from '../../services/auth/src/test-support/start-auth';
import { callError } from '../support/grpc-call';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { testDatabaseUrl } from '../support/test-env';

const admin = 'admin-token';

/** PostgreSQL as the services see it: through a proxy the test can cut. */
async function postgresProxy(): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(testDatabaseUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const url = new URL(testDatabaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return { proxy, url: url.toString() };
}

/** Retries `call` for up to 10 s: the first calls after a restore may meet connections the outage broke. */
async function eventually<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A call's error, or a failure if it takes longer than `withinMs` (an outage must not hang callers). */
async function failsWithin(
  promise: Promise<unknown>,
  withinMs: number,
): Promise<ServiceError & { ms: number }> {
  const started = performance.now();
  const error = await callError(promise);
  const ms = performance.now() - started;
  expect(ms).toBeLessThan(withinMs);
  return Object.assign(error, { ms });
}

describe('PostgreSQL down: auth keeps authenticating known tokens, writes fail UNAVAILABLE', () => {
  let pg: { proxy: TcpProxy; url: string };
  let auth: StartedAuth;

  beforeAll(async () => {
    pg = await postgresProxy();
    auth = await startAuth({ backend: 'real', env: { DATABASE_URL: pg.url } });
  });
  afterAll(async () => {
    await pg.proxy.restart().catch(() => undefined);
    await auth.stop();
    await pg.proxy.stop();
  });

  it('Authenticate of a seen token works while PostgreSQL refuses; Login fails UNAVAILABLE naming the database', async () => {
    const email = 'outage@example.com';
    const { pair: tokens } = await signUp(auth, email);
    const authenticate = () =>
      auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>(
        'authenticate',
        authV1.AuthenticateRequest.fromPartial({ bearerToken: tokens.accessToken }),
      );
    const seen = await authenticate();
    expect(seen.principal?.email).toBe(email);

    await pg.proxy.stop();
    const during = [];
    for (let i = 0; i < 20; i += 1) during.push((await authenticate()).principal?.subject);
    expect(during).toEqual(Array(20).fill(seen.principal?.subject));

    const login = await failsWithin(auth.call('login', { email, password: goodPassword }), 5000);
    console.log(
      `auth Login with PostgreSQL refused: ${status[login.code]} "${login.details}" in ${login.ms.toFixed(0)} ms`,
    );
    expect(status[login.code]).toBe('UNAVAILABLE');
    expect(login.details).toMatch(/database|postgres/i);

    await pg.proxy.restart();
    const again = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email,
      password: goodPassword,
    });
    expect(again.accessToken).not.toBe('');
  });
});

describe('PostgreSQL down: cost-budget refuses spend UNAVAILABLE and loses no committed spend', () => {
  let pg: { proxy: TcpProxy; url: string };
  let fakeAuth: Awaited<ReturnType<typeof startFakeAuthServer>>;
  let budget: BudgetTestService;
  const scope = user('pg-outage');

  beforeAll(async () => {
    pg = await postgresProxy();
    fakeAuth = await startFakeAuthServer();
    budget = await startBudgetTestService({
      backend: 'real',
      authAddress: fakeAuth.address,
      env: { DATABASE_URL: pg.url, BUDGET_DEFAULT_GLOBAL: 'none' },
    });
  });
  afterAll(async () => {
    await pg.proxy.restart().catch(() => undefined);
    await budget.stop();
    await fakeAuth.host.shutdown();
    await pg.proxy.stop();
  });

  it.each([
    ['refused', (proxy: TcpProxy) => proxy.stop(), (proxy: TcpProxy) => proxy.restart()],
    ['blackholed', async (proxy: TcpProxy) => proxy.blackhole(), async (proxy: TcpProxy) => proxy.heal()],
  ])(
    'PostgreSQL %s: Reserve fails UNAVAILABLE; after restore the ledger agrees',
    async (mode, cut, restore) => {
      await budget.call.setBudget(
        { scope, limitMicros: 100_000_000n, period: budgetV1.Period.PERIOD_DAILY },
        admin,
      );
      const before = await budget.call.getBudget({ scope }, admin);
      let committed = 0n;
      for (let i = 0; i < 10; i += 1) {
        const held = await budget.call.reserve({
          idempotencyKey: `${mode}-a-${i}`,
          scopes: [scope],
          amountMicros: 1000n,
        });
        await budget.call.commit({ reservationId: held.reservationId, actualMicros: 700n + BigInt(i) });
        committed += 700n + BigInt(i);
      }
      // One reservation open across the outage: settled after it.
      const open = await budget.call.reserve({
        idempotencyKey: `${mode}-open`,
        scopes: [scope],
        amountMicros: 5000n,
      });

      await cut(pg.proxy);
      const during = budgetV1.ReserveRequest.fromPartial({
        idempotencyKey: `${mode}-during`,
        scopes: [scope],
        amountMicros: 1000n,
      });
      let reserve: ServiceError & { ms: number };
      try {
        reserve = await failsWithin(
          new Promise((resolve, reject) =>
            budget.client.reserve(
              during,
              new Metadata(),
              { deadline: Date.now() + 6000 },
              (error, response) => (error ? reject(error) : resolve(response)),
            ),
          ),
          8000,
        );
      } finally {
        await restore(pg.proxy);
      }
      console.log(
        `cost-budget Reserve with PostgreSQL ${mode}: ${status[reserve.code]} "${reserve.details}" in ${reserve.ms.toFixed(0)} ms`,
      );

      // The refused Reserve may still have landed once the database came back (a partition delays
      // rather than loses it): retrying with its idempotency key finds or makes exactly one hold.
      const retried = await eventually(() => budget.call.reserve(during));
      const again = await budget.call.reserve(during);
      expect(again.reservationId).toBe(retried.reservationId);
      await budget.call.release({ reservationId: retried.reservationId });
      await budget.call.commit({ reservationId: open.reservationId, actualMicros: 4000n });
      committed += 4000n;
      const after = await budget.call.getBudget({ scope }, admin);
      expect(after.spentMicros - before.spentMicros).toBe(committed);
      expect(after.reservedMicros).toBe(before.reservedMicros);
      const verdict = await budget.call.verifyLedger({ scopes: [scope] }, admin);
      expect(verdict).toMatchObject({ consistent: true, drifts: [] });
      expect(status[reserve.code]).toBe('UNAVAILABLE');
      expect(reserve.details).toMatch(/database|postgres/i);
    },
  );
});
