import { status } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodPassword, startAuth, type StartedAuth } from '../../services/auth/src/test-support/start-auth';
import {
  descriptor,
  startRateLimit,
  type RateLimitUnderTest,
} from '../../services/rate-limit/src/test-support/start-rate-limit';
import { callError } from '../support/grpc-call';

const rules = `
domain: api
descriptors:
  - key: user
    rate_limit: { unit: minute, requests_per_unit: 2 }
`;
const admin = { email: 'admin@reset.test', password: goodPassword };
const user = { email: 'user@reset.test', password: goodPassword };
const reset = { domain: 'api', descriptor: descriptor('user=7') };

// ResetLimit is an admin RPC: the rate-limit service asks the real auth service who calls.
describe('ResetLimit needs an admin, verified by the auth service', () => {
  let auth: StartedAuth;
  let limits: RateLimitUnderTest;
  let tokens: { admin: string; user: string };

  beforeAll(async () => {
    auth = await startAuth({
      backend: 'embedded',
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      },
    });
    limits = await startRateLimit({
      rules,
      env: { RATELIMIT_AUTH_ADDR: auth.address, RATELIMIT_AUTH_TIMEOUT_MS: '500' },
    });
    await auth.call('register', authV1.RegisterRequest.fromPartial({ ...user, displayName: 'User' }));
    const login = async (who: { email: string; password: string }) =>
      (await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', authV1.LoginRequest.fromPartial(who)))
        .accessToken;
    tokens = { admin: await login(admin), user: await login(user) };
  }, 60_000);

  afterAll(async () => {
    await limits?.stop();
    await auth?.stop();
  });

  const exhaust = async () => {
    for (let i = 0; i < 2; i++) await limits.check({ domain: 'api', descriptors: [descriptor('user=7')] });
    expect((await limits.check({ domain: 'api', descriptors: [descriptor('user=7')] })).allowed).toBe(false);
  };

  it('an admin resets the counters', async () => {
    await exhaust();
    expect((await limits.resetLimit(reset, tokens.admin)).countersRemoved).toBe(1);
    expect((await limits.check({ domain: 'api', descriptors: [descriptor('user=7')] })).allowed).toBe(true);
  });

  it('a signed-in non-admin is PERMISSION_DENIED naming the role, and nothing is reset', async () => {
    await exhaust();
    const error = await callError(limits.resetLimit(reset, tokens.user));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toContain('ResetLimit needs the "admin" role');
    expect(readErrorDetails(error.metadata)).toMatchObject({
      reason: 'ADMIN_REQUIRED',
      metadata: { required_role: 'admin' },
    });
    expect((await limits.check({ domain: 'api', descriptors: [descriptor('user=7')] })).allowed).toBe(false);
  });

  it('no credential is UNAUTHENTICATED, a forged one too, with the reason the auth service gave', async () => {
    const none = await callError(limits.resetLimit(reset));
    expect([none.code, readErrorDetails(none.metadata).reason]).toEqual([
      status.UNAUTHENTICATED,
      'CREDENTIAL_MISSING',
    ]);
    const forged = await callError(limits.resetLimit(reset, 'forged'));
    expect([forged.code, forged.details, readErrorDetails(forged.metadata).reason]).toEqual([
      status.UNAUTHENTICATED,
      'token is malformed',
      'TOKEN_MALFORMED',
    ]);
  });

  it('fails closed with UNAVAILABLE naming RATELIMIT_AUTH_ADDR when the auth service is down', async () => {
    await auth.stop();
    const error = await callError(limits.resetLimit(reset, tokens.admin));
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.details).toContain(`auth service at ${auth.address} (RATELIMIT_AUTH_ADDR)`);
  });
});
