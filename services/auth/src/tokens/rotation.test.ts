import { status } from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import { createManualClock, readErrorDetails } from '@gatehouse/runtime';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError, startAuth, type StartedAuth } from '../test-support/start-auth';

const admin = { email: 'keys-admin@example.com', password: 'Adm1n-Bootstrap-Pass!' };
const kidOf = (token: string) => jose.decodeProtectedHeader(token).kid;

describe('signing key rotation, JWKS and the well-known endpoints (manual clock)', () => {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  let auth: StartedAuth;
  beforeAll(async () => {
    auth = await startAuth({
      backend: 'embedded',
      clock,
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
        AUTH_KEY_PUBLISH_AHEAD_SECONDS: '600',
        AUTH_REFRESH_TOKEN_TTL_SECONDS: '3600',
      },
    });
  });
  afterAll(() => auth.stop());

  const login = () => auth.call<authV1.LoginRequest, authV1.TokenPair>('login', admin);
  const jwks = async () =>
    (await auth.call<authV1.GetJwksRequest, authV1.GetJwksResponse>('getJwks', {})).keys;
  const authenticate = (bearerToken: string) =>
    auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>('authenticate', {
      bearerToken,
      requiredScopes: [],
      requiredRoles: [],
    });

  it('publishes the next key before it signs and keeps the old one until its tokens expired', async () => {
    const before = await login();
    const oldKid = kidOf(before.accessToken);
    expect((await jwks()).map((k) => [k.kid, k.kty, k.alg, k.use])).toEqual([
      [oldKid, 'RSA', 'RS256', 'sig'],
    ]);

    const rotated = await auth.call<authV1.RotateSigningKeyRequest, authV1.RotateSigningKeyResponse>(
      'rotateSigningKey',
      {},
      { bearer: before.accessToken },
    );
    expect(rotated.signsFrom?.getTime()).toBe(clock.now() + 600_000);
    expect((await jwks()).map((k) => k.kid)).toEqual([oldKid, rotated.kid]);
    expect(kidOf((await login()).accessToken)).toBe(oldKid); // published, not signing yet

    clock.advance(600_000);
    const after = await login();
    expect(kidOf(after.accessToken)).toBe(rotated.kid);
    // A token signed by the previous key is still valid until it expires.
    await expect(authenticate(before.accessToken)).resolves.toBeDefined();
    expect((await jwks()).map((k) => k.kid)).toEqual([oldKid, rotated.kid]);

    clock.advance(1200_000 + 30_000); // past the old access token's exp + skew
    const expired = await callError(authenticate(before.accessToken));
    expect(expired.code).toBe(status.UNAUTHENTICATED);
    expect(readErrorDetails(expired.metadata).reason).toBe('TOKEN_EXPIRED');

    // The old key leaves the JWKS once the longest lifetime (refresh: 1 h here) of its tokens is over.
    clock.advance(3600_000);
    await auth.call('rotateSigningKey', {}, { bearer: (await login()).accessToken }); // reloads the keys
    expect((await jwks()).map((k) => k.kid)).not.toContain(oldKid);
  });

  it('serves the JWKS and OpenID configuration on the ops port, usable by a standard JWT library', async () => {
    const ops = `http://127.0.0.1:${auth.service.host.opsPort}`;
    const config = (await (await fetch(`${ops}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({ issuer: 'gatehouse-auth', jwks_uri: `${ops}/.well-known/jwks.json` });
    const set = (await (await fetch(`${ops}/.well-known/jwks.json`)).json()) as jose.JSONWebKeySet;
    expect(set.keys.length).toBeGreaterThanOrEqual(1);
    expect(set.keys.every((k) => k.d === undefined && k.p === undefined)).toBe(true); // never private parts

    const { accessToken } = await login();
    const verified = await jose.jwtVerify(accessToken, jose.createLocalJWKSet(set), {
      issuer: 'gatehouse-auth',
      audience: 'gatehouse',
      typ: 'at+jwt',
      algorithms: ['RS256'],
      currentDate: new Date(clock.now()),
    });
    expect(verified.payload).toMatchObject({
      iss: 'gatehouse-auth',
      aud: 'gatehouse',
      roles: ['admin', 'user'],
      tier: 'admin',
    });
    expect(Object.keys(verified.payload).sort()).toEqual(
      ['aud', 'email', 'exp', 'iat', 'iss', 'jti', 'roles', 'scopes', 'sid', 'sub', 'tier'].sort(),
    );
  });
});
