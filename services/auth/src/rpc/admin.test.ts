import { status } from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import { readErrorDetails } from '@gatehouse/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError, signUp, startAuth, type StartedAuth } from '../test-support/start-auth';

const admin = { email: 'admin@example.com', password: 'Adm1n-Bootstrap-Pass!' };

describe('admin RPCs, WhoAmI and hostile tokens (embedded stores)', () => {
  let auth: StartedAuth;
  let adminToken: string;
  let user: { userId: string; token: string; refresh: string };
  beforeAll(async () => {
    auth = await startAuth({
      backend: 'embedded',
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      },
    });
    adminToken = (await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', admin)).accessToken;
    const { userId, token, pair } = await signUp(auth, 'plain@example.com');
    user = { userId, token, refresh: pair.refreshToken };
  });
  afterAll(() => auth.stop());

  const adminCalls: [keyof authV1.AuthServiceClient, () => object][] = [
    ['listUsers', () => ({ pageSize: 0, pageToken: '', emailPrefix: '' })],
    ['setUserRoles', () => ({ userId: user.userId, roles: ['admin'] })],
    ['setUserTier', () => ({ userId: user.userId, tier: 'premium' })],
    ['setUserDisabled', () => ({ userId: user.userId, disabled: true })],
    ['rotateSigningKey', () => ({})],
    ['listAuditEvents', () => ({ pageSize: 0, pageToken: '', subject: '', type: '' })],
    ['createApiKey', () => ({ name: 'for-someone-else', scopes: [], ttlSeconds: 0n, userId: 'usr_other' })],
    ['listApiKeys', () => ({ userId: 'usr_other', pageSize: 0, pageToken: '' })],
  ];

  it.each(adminCalls)('%s is PERMISSION_DENIED for a plain user', async (method, request) => {
    const error = await callError(auth.call(method, request(), { bearer: user.token }));
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });

  it.each(adminCalls)('%s is UNAUTHENTICATED without a credential', async (method, request) => {
    const error = await callError(auth.call(method, request()));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(readErrorDetails(error.metadata).reason).toBe('CREDENTIAL_MISSING');
  });

  it('lets an admin change tier and roles, seen at once by Authenticate, and audits it', async () => {
    const tier = await auth.call<authV1.SetUserTierRequest, authV1.SetUserTierResponse>(
      'setUserTier',
      { userId: user.userId, tier: 'premium' },
      { bearer: adminToken },
    );
    expect(tier.user?.tier).toBe('premium');
    const { principal } = await auth.call<authV1.WhoAmIRequest, authV1.WhoAmIResponse>(
      'whoAmI',
      {},
      { bearer: user.token },
    );
    expect(principal).toMatchObject({
      subject: user.userId,
      tier: 'premium',
      roles: ['user'],
      email: 'plain@example.com',
    });
    const bad = await callError(
      auth.call('setUserRoles', { userId: user.userId, roles: ['root'] }, { bearer: adminToken }),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toBe('roles[0]: must be one of admin, user, service, got "root"');
    const events = await auth.call<authV1.ListAuditEventsRequest, authV1.ListAuditEventsResponse>(
      'listAuditEvents',
      { pageSize: 1, pageToken: '', subject: user.userId, type: '' },
      { bearer: adminToken },
    );
    expect(events.events.map((e) => [e.type, e.detail])).toEqual([
      ['user.tier_changed', { tier: 'premium' }],
    ]);
    expect(events.nextPageToken).not.toBe('');
    const next = await auth.call<authV1.ListAuditEventsRequest, authV1.ListAuditEventsResponse>(
      'listAuditEvents',
      { pageSize: 500, pageToken: events.nextPageToken, subject: user.userId, type: '' },
      { bearer: adminToken },
    );
    expect(next.events.map((e) => e.type)).toEqual(['login.success', 'user.registered']);
    const badPage = await callError(
      auth.call(
        'listAuditEvents',
        { pageSize: 501, pageToken: '', subject: '', type: '' },
        { bearer: adminToken },
      ),
    );
    expect(badPage.details).toBe('page_size: must be from 1 to 500 (0 means 50), got 501');
  });

  it('Authenticate without a credential is INVALID_ARGUMENT naming it', async () => {
    const error = await callError(auth.call('authenticate', { requiredScopes: [], requiredRoles: [] }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(readErrorDetails(error.metadata).field).toBe('credential');
  });

  it('property: random and mutated tokens and keys only ever yield UNAUTHENTICATED', async () => {
    const valid = user.token;
    const mutated = fc
      .tuple(
        fc.nat({ max: valid.length - 1 }),
        fc.constantFrom(...'ABCxyz019-_.='.split('')),
        fc.nat({ max: 3 }),
      )
      .map(([at, char, cut]) =>
        (valid.slice(0, at) + char + valid.slice(at + 1)).slice(0, valid.length - cut),
      )
      .filter((token) => token !== valid);
    const swapped = fc.constantFrom(
      user.refresh,
      `${valid.split('.')[0]}.${user.refresh.split('.')[1]}.${valid.split('.')[2]}`,
    );
    const credential = fc.oneof(
      fc.string().map((bearerToken) => ({ bearerToken })),
      fc.string().map((apiKey) => ({ apiKey })),
      fc.string().map((s) => ({ apiKey: `gh_live_${s}` })),
      mutated.map((bearerToken) => ({ bearerToken })),
      swapped.map((bearerToken) => ({ bearerToken })),
    );
    await fc.assert(
      fc.asyncProperty(credential, async (cred) => {
        if (('bearerToken' in cred && cred.bearerToken === '') || ('apiKey' in cred && cred.apiKey === ''))
          return;
        const error = await callError(
          auth.call('authenticate', { ...cred, requiredScopes: [], requiredRoles: [] }),
        );
        expect(error.code).toBe(status.UNAUTHENTICATED);
        expect(readErrorDetails(error.metadata).reason).toMatch(/^[A-Z_]+$/);
      }),
      { numRuns: 300 },
    );
  });
});
