import { status } from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import { readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../../test/support/start-service';
import { callError, goodPassword, startAuth, type StartedAuth } from '../test-support/start-auth';

describe.each(['embedded', 'real'] as Backend[])('accounts and sessions on %s stores', (backend) => {
  let auth: StartedAuth;
  beforeAll(async () => {
    auth = await startAuth({ backend });
  });
  afterAll(() => auth.stop());

  let n = 0;
  const register = async (password = goodPassword) => {
    n += 1;
    const email = `user${n}@example.com`;
    const { userId } = await auth.call<authV1.RegisterRequest, authV1.RegisterResponse>('register', {
      email: ` User${n}@Example.COM `,
      password,
      displayName: `User ${n}`,
    });
    return { email, userId, password };
  };
  const login = (email: string, password: string) =>
    auth.call<authV1.LoginRequest, authV1.TokenPair>('login', { email, password });
  const authenticate = (bearerToken: string) =>
    auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>('authenticate', {
      bearerToken,
      requiredScopes: [],
      requiredRoles: [],
    });

  it('registers (email normalized), logs in and authenticates the access token', async () => {
    const { email, userId } = await register();
    const pair = await login(email.toUpperCase(), goodPassword);
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 1800n, refreshExpiresIn: 604800n });
    const { principal } = await authenticate(pair.accessToken);
    expect(principal).toMatchObject({ subject: userId, email, roles: ['user'], tier: 'free', kind: 1 });
    expect(principal?.expiresAt?.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a duplicate email with ALREADY_EXISTS', async () => {
    const { email } = await register();
    const error = await callError(auth.call('register', { email, password: goodPassword, displayName: 'X' }));
    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(readErrorDetails(error.metadata).field).toBe('email');
  });

  it.each([
    ['email', { email: 'not-an-email', password: goodPassword, displayName: 'A' }],
    ['email', { email: '', password: goodPassword, displayName: 'A' }],
    ['display_name', { email: 'dn@example.com', password: goodPassword, displayName: ' ' }],
    ['display_name', { email: 'dn@example.com', password: goodPassword, displayName: 'x'.repeat(101) }],
    ['password', { email: 'pw@example.com', password: 'weak', displayName: 'A' }],
    ['password', { email: 'pw@example.com', password: '', displayName: 'A' }],
  ])('Register answers INVALID_ARGUMENT naming %s', async (field, request) => {
    const error = await callError(auth.call('register', request));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details.startsWith(`${field}: `)).toBe(true);
    expect(readErrorDetails(error.metadata).fieldViolations[0]?.field).toBe(field);
  });

  it('72-byte rule: refuses longer passwords at registration; a 72-byte password plus a suffix cannot log in', async () => {
    const tooLong = `Aa1!${'x'.repeat(69)}`; // 73 bytes
    const error = await callError(
      auth.call('register', { email: 'long@example.com', password: tooLong, displayName: 'L' }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('use at most 72 bytes in UTF-8 (got 73)');
    const exactly72 = `Aa1!-${'Zq9'.repeat(22)}a`;
    expect(Buffer.byteLength(exactly72)).toBe(72);
    const user = await register(exactly72);
    await expect(login(user.email, exactly72)).resolves.toBeDefined();
    const prefixPlusSuffix = await callError(login(user.email, `${exactly72}-another-suffix`));
    expect(prefixPlusSuffix.code).toBe(status.UNAUTHENTICATED);
  });

  it('answers unknown email, wrong password and a locked account identically', async () => {
    const { email } = await register();
    const unknown = await callError(login('nobody@example.com', goodPassword));
    const wrong = await callError(login(email, 'Wr0ng-password!'));
    for (let i = 0; i < 5; i += 1) await callError(login(email, 'Wr0ng-password!'));
    const locked = await callError(login(email, goodPassword)); // right password, but locked
    const shape = (e: typeof unknown) => [e.code, e.details, readErrorDetails(e.metadata).reason];
    expect(shape(unknown)).toEqual([
      status.UNAUTHENTICATED,
      'invalid email or password',
      'INVALID_CREDENTIALS',
    ]);
    expect(shape(wrong)).toEqual(shape(unknown));
    expect(shape(locked)).toEqual(shape(unknown));
  });

  it('refresh rotates; reusing a spent refresh token revokes the whole family', async () => {
    const { email } = await register();
    const first = await login(email, goodPassword);
    const second = await auth.call<authV1.RefreshRequest, authV1.TokenPair>('refresh', {
      refreshToken: first.refreshToken,
    });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(authenticate(second.accessToken)).resolves.toBeDefined();

    const reuse = await callError(auth.call('refresh', { refreshToken: first.refreshToken }));
    expect(reuse.code).toBe(status.UNAUTHENTICATED);
    expect(readErrorDetails(reuse.metadata).reason).toBe('REFRESH_TOKEN_REUSED');
    const afterReuse = await callError(auth.call('refresh', { refreshToken: second.refreshToken }));
    expect(readErrorDetails(afterReuse.metadata).reason).toBe('TOKEN_REVOKED');
    const access = await callError(authenticate(second.accessToken));
    expect(readErrorDetails(access.metadata).reason).toBe('TOKEN_REVOKED');
  });

  it('parallel refreshes of one token: exactly one wins', async () => {
    const { email } = await register();
    const pair = await login(email, goodPassword);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => auth.call('refresh', { refreshToken: pair.refreshToken })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason.code).toBe(status.UNAUTHENTICATED);
    }
  });

  it('logout revokes the family and denylists the access token by jti', async () => {
    const { email } = await register();
    const pair = await login(email, goodPassword);
    await authenticate(pair.accessToken); // cached now
    await auth.call('logout', { refreshToken: pair.refreshToken }, { bearer: pair.accessToken });
    const error = await callError(authenticate(pair.accessToken));
    expect(readErrorDetails(error.metadata).reason).toBe('TOKEN_REVOKED');
    const refresh = await callError(auth.call('refresh', { refreshToken: pair.refreshToken }));
    expect(refresh.code).toBe(status.UNAUTHENTICATED);
  });

  it('change password revokes the other sessions and keeps the current one', async () => {
    const { email } = await register();
    const current = await login(email, goodPassword);
    const other = await login(email, goodPassword);
    const response = await auth.call<authV1.ChangePasswordRequest, authV1.ChangePasswordResponse>(
      'changePassword',
      { currentPassword: goodPassword, newPassword: 'N3w-Passw0rd-Here!' },
      { bearer: current.accessToken },
    );
    expect(response.revokedSessions).toBe(1);
    await expect(authenticate(current.accessToken)).resolves.toBeDefined();
    expect((await callError(authenticate(other.accessToken))).code).toBe(status.UNAUTHENTICATED);
    expect((await callError(login(email, goodPassword))).code).toBe(status.UNAUTHENTICATED);
    await expect(login(email, 'N3w-Passw0rd-Here!')).resolves.toBeDefined();
  });
});
