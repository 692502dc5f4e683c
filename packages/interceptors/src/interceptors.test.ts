import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { budgetV1, type authV1 } from '@gatehouse/contracts';
import { readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  goodPassword,
  signUp,
  startAuth,
  type StartedAuth,
} from '../../../services/auth/src/test-support/start-auth';
import {
  startBudgetTestService,
  user as userScope,
  type BudgetTestService,
} from '../../../services/cost-budget/src/test-support/budget-test-service';
import {
  startRateLimit,
  type RateLimitUnderTest,
} from '../../../services/rate-limit/src/test-support/start-rate-limit';
import {
  authenticate,
  rateLimit,
  withBudget,
  type ClosableInterceptor,
  type RateLimitInterceptor,
} from './index';
import { apiKey, bearer, startEchoServer, type EchoServer } from './test-support/echo-server';

const rules = `
domain: test
descriptors:
  - key: remote_address
    rate_limit: { unit: minute, requests_per_unit: 1000 }
  - key: api_key
    rate_limit: { unit: minute, requests_per_unit: 1000 }
  - key: user
    rate_limit: { unit: minute, requests_per_unit: 1000 }
    descriptors:
      - key: method
        value: limited
        rate_limit: { unit: minute, requests_per_unit: 3 }
`;

async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to be refused');
}

async function createKey(auth: StartedAuth, token: string, scopes: string[]) {
  return auth.call<authV1.CreateApiKeyRequest, authV1.CreateApiKeyResponse>(
    'createApiKey',
    { name: `key-${scopes.join('-')}-${Math.random()}`, scopes, ttlSeconds: 0n, userId: '' },
    { bearer: token },
  );
}

describe('authenticate + rateLimit against the real auth and rate-limit services', () => {
  let auth: StartedAuth;
  let limits: RateLimitUnderTest;
  let guard: ClosableInterceptor;
  let limiter: RateLimitInterceptor;
  let server: EchoServer;
  let user: { userId: string; token: string };

  beforeAll(async () => {
    auth = await startAuth({ backend: 'embedded' });
    limits = await startRateLimit({ rules });
    guard = authenticate({
      authAddress: auth.address,
      methods: { '/test.Echo/Write': { scopes: ['notes:write'] } },
    });
    limiter = rateLimit({ rateLimitAddress: limits.address, domain: 'test', timeoutMs: 1000 });
    server = await startEchoServer([guard, limiter]);
    user = await signUp(auth, 'ann@example.com');
  });

  afterAll(async () => {
    await server?.stop();
    guard?.close();
    limiter?.close();
    await limits?.stop();
    await auth?.stop();
  });

  it('refuses a call without a credential UNAUTHENTICATED', async () => {
    const error = await refusal(server.call('Echo'));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(readErrorDetails(error.metadata).reason).toBe('CREDENTIAL_MISSING');
  });

  it('refuses an authorization header other than one bearer token CREDENTIAL_MALFORMED, even beside an API key', async () => {
    for (const value of ['Basic dXNlcjpwYXNz', `Bearer ${user.token} second`, 'Bearer']) {
      const metadata = apiKey('gh_live_unused');
      metadata.set('authorization', value);
      const error = await refusal(server.call('Echo', metadata));
      expect([error.code, error.details]).toEqual([
        status.UNAUTHENTICATED,
        'authorization: only "Bearer <access token>" is accepted',
      ]);
      expect(readErrorDetails(error.metadata).reason).toBe('CREDENTIAL_MALFORMED');
    }
  });

  it('reads the scheme in any case, with any number of spaces before the token', async () => {
    // (Spaces around a whole value do not cross HTTP/2: the unit spec of readCallerCredential covers them.)
    const metadata = new Metadata();
    metadata.set('authorization', `bEaReR   ${user.token}`);
    const { reply } = await server.call('Echo', metadata);
    expect(reply.subject).toBe(user.userId);
  });

  it('passes through the auth service refusal of a bad token, with its details', async () => {
    const error = await refusal(server.call('Echo', bearer('not-a-token')));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(readErrorDetails(error.metadata).reason).toBeTruthy();
  });

  it('serves a valid token, the handler sees the principal, and x-ratelimit-* headers are set', async () => {
    const { reply, headers } = await server.call('Echo', bearer(user.token));
    expect(reply.subject).toBe(user.userId);
    expect(reply.tier).toBe('free');
    expect(Number(headers.get('x-ratelimit-limit')[0])).toBe(1000);
    expect(Number(headers.get('x-ratelimit-remaining')[0])).toBeLessThan(1000);
    expect(Number(headers.get('x-ratelimit-reset')[0])).toBeGreaterThanOrEqual(0);
    // A second call is answered from the verification cache: same principal.
    expect((await server.call('Echo', bearer(user.token))).reply.subject).toBe(user.userId);
  });

  it('refuses a credential without the method scope PERMISSION_DENIED, first sight and cached', async () => {
    const { apiKey: key } = await createKey(auth, user.token, ['notes:read']);
    expect((await server.call('Echo', apiKey(key))).reply.subject).toBe(user.userId);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await refusal(server.call('Write', apiKey(key)));
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(readErrorDetails(error.metadata).reason).toBe('MISSING_SCOPE');
    }
  });

  it('refuses a revoked API key within the stated bound (cacheMaxAgeMs, 1 s)', async () => {
    const { apiKey: key, keyId } = await createKey(auth, user.token, ['*']);
    expect((await server.call('Echo', apiKey(key))).reply.subject).toBe(user.userId);
    await auth.call('revokeApiKey', { keyId }, { bearer: user.token });
    const revokedAt = Date.now();
    let error: ServiceError | undefined;
    while (error === undefined && Date.now() - revokedAt < 3000) {
      error = await server.call('Echo', apiKey(key)).then(
        () => undefined,
        (refused: ServiceError) => refused,
      );
      if (error === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(error?.code).toBe(status.UNAUTHENTICATED);
    expect(Date.now() - revokedAt).toBeLessThan(1000 + 250);
  });

  it('refuses past the limit RESOURCE_EXHAUSTED with retry-after and x-ratelimit-*', async () => {
    const other = await signUp(auth, 'bob@example.com');
    for (let call = 0; call < 3; call += 1) {
      const { headers } = await server.call('Limited', bearer(other.token));
      expect(headers.get('x-ratelimit-remaining')[0]).toBe(String(2 - call));
    }
    const error = await refusal(server.call('Limited', bearer(other.token)));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(Number(error.metadata.get('retry-after')[0])).toBeGreaterThanOrEqual(1);
    expect(error.metadata.get('x-ratelimit-limit')[0]).toBe('3');
    expect(error.metadata.get('x-ratelimit-remaining')[0]).toBe('0');
    expect(readErrorDetails(error.metadata).retryAfterMs).toBeGreaterThan(0);
    // Known to be over: refused again without asking the service.
    const again = await refusal(server.call('Limited', bearer(other.token)));
    expect(again.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(limiter.stats().refusedLocally).toBeGreaterThanOrEqual(1);
    // Other methods of the same user are not affected.
    await expect(server.call('Echo', bearer(other.token))).resolves.toBeTruthy();
  });

  it('decides concurrent calls exactly: coalesced checks admit the limit and no more', async () => {
    const dora = await signUp(auth, 'dora@example.com');
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        server.call('Limited', bearer(dora.token)).then(
          () => 'ok',
          (error: ServiceError) => status[error.code],
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === 'RESOURCE_EXHAUSTED')).toHaveLength(9);
  });
});

describe('failure policies', () => {
  it('fails closed: auth stopped → UNAVAILABLE', async () => {
    const auth = await startAuth({ backend: 'embedded' });
    const user = await signUp(auth, 'carol@example.com');
    const guard = authenticate({ authAddress: auth.address, timeoutMs: 500 });
    const server = await startEchoServer([guard]);
    try {
      expect((await server.call('Echo', bearer(user.token))).reply.subject).toBe(user.userId);
      await auth.stop();
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the cached verification expires
      const error = await refusal(server.call('Echo', bearer(user.token)));
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(readErrorDetails(error.metadata).reason).toBe('AUTH_UNAVAILABLE');
    } finally {
      await server.stop();
      guard.close();
    }
  });

  it('fails open by default: rate-limit stopped → served and counted; the breaker opens', async () => {
    const limits = await startRateLimit({ rules });
    const fallbacks: string[] = [];
    const limiter = rateLimit({
      rateLimitAddress: limits.address,
      domain: 'test',
      timeoutMs: 200,
      breakerThreshold: 2,
      onFallback: (reason) => fallbacks.push(reason),
    });
    const server = await startEchoServer([limiter]);
    try {
      const { headers } = await server.call('Echo');
      expect(headers.get('x-ratelimit-limit')[0]).toBe('1000');
      await limits.stop();
      for (let call = 0; call < 4; call += 1) {
        const { headers: served } = await server.call('Echo');
        expect(served.get('x-ratelimit-limit')).toEqual([]);
      }
      expect(limiter.stats().fallbacks).toBe(4);
      expect(limiter.stats().breakerOpen).toBe(true);
      expect(fallbacks).toEqual(['error', 'error', 'circuit_open', 'circuit_open']);
    } finally {
      await server.stop();
      limiter.close();
    }
  });

  it('fails closed when configured: rate-limit unreachable → UNAVAILABLE', async () => {
    const limits = await startRateLimit({ rules });
    const limiter = rateLimit({ rateLimitAddress: limits.address, domain: 'test', failOpen: false });
    await limits.stop();
    const server = await startEchoServer([limiter]);
    try {
      const error = await refusal(server.call('Echo'));
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(limiter.stats().fallbacks).toBe(1);
    } finally {
      await server.stop();
      limiter.close();
    }
  });
});

describe('withBudget against the real cost-budget service', () => {
  const admin = { email: 'admin@example.com', password: goodPassword };
  let auth: StartedAuth;
  let budgets: BudgetTestService;
  let adminToken: string;

  beforeAll(async () => {
    auth = await startAuth({
      backend: 'embedded',
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      },
    });
    budgets = await startBudgetTestService({ backend: 'embedded', authAddress: auth.address });
    adminToken = (await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', admin)).accessToken;
    await budgets.call.setBudget(
      { scope: userScope('usr_budgeted'), limitMicros: 10_000n, period: budgetV1.Period.PERIOD_DAILY },
      adminToken,
    );
  });

  afterAll(async () => {
    await budgets?.stop();
    await auth?.stop();
  });

  const options = () => ({ budgetClient: budgets.client, scopes: [userScope('usr_budgeted')] });
  const balance = () => budgets.call.getBudget({ scope: userScope('usr_budgeted') }, adminToken);

  it('reserves the estimate, commits the actual amount', async () => {
    const outcome = await withBudget(
      { requestId: 'req-commit', method: '/x/Y' },
      5000,
      async () => 1200,
      options(),
    );
    expect(outcome.reservedMicros).toBe(5000n);
    expect(outcome.committedMicros).toBe(1200n);
    const after = await balance();
    expect(after.spentMicros).toBe(1200n);
    expect(after.reservedMicros).toBe(0n);
  });

  it('releases the reservation when the work throws, and rethrows', async () => {
    const failure = new Error('model crashed');
    await expect(
      withBudget({ requestId: 'req-fail' }, 3000, async () => Promise.reject(failure), options()),
    ).rejects.toBe(failure);
    await expect.poll(async () => (await balance()).reservedMicros, { timeout: 2000 }).toBe(0n);
    expect((await balance()).spentMicros).toBe(1200n);
  });

  it('refuses RESOURCE_EXHAUSTED when the estimate does not fit, running nothing', async () => {
    let ran = false;
    const error = await withBudget(
      { requestId: 'req-big' },
      50_000,
      async () => {
        ran = true;
        return 1;
      },
      options(),
    ).then(
      () => undefined,
      (refusal: { code: string }) => refusal,
    );
    expect(error?.code).toBe('RESOURCE_EXHAUSTED');
    expect(ran).toBe(false);
  });
});
