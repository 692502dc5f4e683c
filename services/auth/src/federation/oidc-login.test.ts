import { status } from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import { createManualClock, readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/spawned-service';
import type { Backend } from '../../../../test/support/start-service';
import { callError, goodPassword, signUp, startAuth, type StartedAuth } from '../test-support/start-auth';
import {
  signInAtProvider,
  startTestOpenIdProvider,
  type TestOpenIdProvider,
} from '../test-support/test-openid-provider';

const redirectUri = 'http://127.0.0.1/callback';
const adminEmail = 'admin@federation.test';

describe.each(['embedded', 'real'] as Backend[])(
  'federated login with an OpenID provider on %s stores',
  (backend) => {
    let op: TestOpenIdProvider;
    let flaky: TestOpenIdProvider;
    let auth: StartedAuth;
    let admin: string;
    const clock = createManualClock(Date.now());

    beforeAll(async () => {
      op = await startTestOpenIdProvider({ redirectUris: [redirectUri] });
      flaky = await startTestOpenIdProvider({ redirectUris: [redirectUri] });
      flaky.accounts.set('fay', { email: 'fay@example.com', emailVerified: true });
      auth = await startAuth({
        backend,
        clock,
        env: {
          GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: adminEmail,
          GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: goodPassword,
          AUTH_FEDERATION_PROVIDERS: 'test,flaky,down',
          AUTH_FEDERATION_TEST_ISSUER: op.issuer,
          AUTH_FEDERATION_TEST_CLIENT_ID: op.clientId,
          AUTH_FEDERATION_TEST_CLIENT_SECRET: op.clientSecret,
          AUTH_FEDERATION_FLAKY_ISSUER: flaky.issuer,
          AUTH_FEDERATION_FLAKY_CLIENT_ID: flaky.clientId,
          AUTH_FEDERATION_FLAKY_CLIENT_SECRET: flaky.clientSecret,
          // A port nothing listens on.
          AUTH_FEDERATION_DOWN_ISSUER: `http://127.0.0.1:${await freePort()}`,
          AUTH_FEDERATION_DOWN_CLIENT_ID: 'nobody',
          AUTH_FEDERATION_REDIRECT_URIS: `${redirectUri},https://app.example.com/login/done`,
          AUTH_FEDERATION_HTTP_TIMEOUT_MS: '2000',
        },
      });
      admin = (
        await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
          email: adminEmail,
          password: goodPassword,
        })
      ).accessToken;
    }, 60_000);
    afterAll(async () => {
      await auth?.stop();
      await op?.stop();
      await flaky?.stop();
    });

    let n = 0;
    /** A provider account with a fresh id. */
    const account = (claims: { email?: string; emailVerified?: boolean; name?: string }) => {
      n += 1;
      const id = `acct-${backend}-${n}`;
      op.accounts.set(id, claims);
      return id;
    };
    const begin = (provider = 'test', uri = redirectUri) =>
      auth.call<authV1.BeginFederatedLoginRequest, authV1.BeginFederatedLoginResponse>(
        'beginFederatedLogin',
        {
          provider,
          redirectUri: uri,
        },
      );
    const complete = (request: Partial<authV1.CompleteFederatedLoginRequest>) =>
      auth.call<authV1.CompleteFederatedLoginRequest, authV1.TokenPair>('completeFederatedLogin', {
        state: '',
        code: '',
        iss: '',
        error: '',
        ...request,
      });
    /** Begins, signs in at the provider as `id` (after `tamper` edits the URL), and returns the redirect. */
    const authorize = async (id: string, tamper?: (url: URL) => void) => {
      const begun = await begin();
      const url = new URL(begun.authorizationUrl);
      tamper?.(url);
      const back = await signInAtProvider(url.href, id, redirectUri);
      return { begun, back, params: paramsOf(back) };
    };
    const paramsOf = (back: URL) => ({
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? '',
      iss: back.searchParams.get('iss') ?? '',
    });
    const authenticate = (token: string) =>
      auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>('authenticate', {
        bearerToken: token,
        requiredScopes: [],
        requiredRoles: [],
      });
    const identitiesOf = async (userId: string) =>
      (
        await auth.call<authV1.ListFederatedIdentitiesRequest, authV1.ListFederatedIdentitiesResponse>(
          'listFederatedIdentities',
          { userId },
          { bearer: admin },
        )
      ).identities;
    const auditOf = async (subject: string) =>
      (
        await auth.call<authV1.ListAuditEventsRequest, authV1.ListAuditEventsResponse>(
          'listAuditEvents',
          { pageSize: 50, pageToken: '', subject, type: '' },
          { bearer: admin },
        )
      ).events.map((event) => ({ type: event.type, detail: event.detail }));
    const lastFailure = async () =>
      (
        await auth.call<authV1.ListAuditEventsRequest, authV1.ListAuditEventsResponse>(
          'listAuditEvents',
          { pageSize: 1, pageToken: '', subject: '', type: 'login.failure' },
          { bearer: admin },
        )
      ).events[0]?.detail;

    it('sends the browser to the provider with PKCE S256, state, nonce and the allowed redirect URI', async () => {
      const begun = await begin();
      const url = new URL(begun.authorizationUrl);
      expect(url.origin).toBe(op.issuer);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        client_id: op.clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid email profile',
        state: begun.state,
        code_challenge_method: 'S256',
      });
      expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(begun.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(begun.expiresAt?.getTime()).toBe(clock.now() + 600_000);
    });

    it('creates a user (role user, tier free) for a new verified e-mail and answers a working token pair', async () => {
      const id = account({ email: `New.${backend}@Example.com`, emailVerified: true, name: 'Nia New' });
      const { params } = await authorize(id);
      expect(params.iss).toBe(op.issuer);
      const pair = await complete(params);
      expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 1800n, refreshExpiresIn: 604800n });
      const { principal } = await authenticate(pair.accessToken);
      expect(principal).toMatchObject({ email: `new.${backend}@example.com`, roles: ['user'], tier: 'free' });
      const userId = principal?.subject ?? '';
      expect(await identitiesOf(userId)).toMatchObject([
        { provider: 'test', subject: id, userId, email: `New.${backend}@Example.com`, emailVerified: true },
      ]);
      expect((await auditOf(userId)).map((event) => event.type)).toEqual([
        'login.success',
        'federated.identity_linked',
        'user.registered',
      ]);
      // The same refresh families as Login: Refresh rotates, Logout revokes.
      const refreshed = await auth.call<authV1.RefreshRequest, authV1.TokenPair>('refresh', {
        refreshToken: pair.refreshToken,
      });
      await auth.call('logout', { refreshToken: refreshed.refreshToken }, { bearer: refreshed.accessToken });
      const revoked = await callError(authenticate(refreshed.accessToken));
      expect(revoked.code).toBe(status.UNAUTHENTICATED);
      // A created user has no password: password login refuses it like an unknown account.
      const login = await callError(
        auth.call('login', { email: `new.${backend}@example.com`, password: '' }),
      );
      expect(login.code).toBe(status.INVALID_ARGUMENT);
      const withPassword = await callError(
        auth.call('login', { email: `new.${backend}@example.com`, password: goodPassword }),
      );
      expect(withPassword.code).toBe(status.UNAUTHENTICATED);
    });

    it('logs a linked account in as its user again, without a new link', async () => {
      const id = account({ email: `again.${backend}@example.com`, emailVerified: true });
      const first = await authenticate((await complete((await authorize(id)).params)).accessToken);
      const second = await authenticate((await complete((await authorize(id)).params)).accessToken);
      expect(second.principal?.subject).toBe(first.principal?.subject);
      const identities = await identitiesOf(first.principal?.subject ?? '');
      expect(identities).toHaveLength(1);
      expect(identities[0]?.lastLoginAt).toBeInstanceOf(Date);
    });

    it('links an existing password user by a verified e-mail; the password still works', async () => {
      const email = `linked.${backend}@example.com`;
      const user = await signUp(auth, email);
      const id = account({ email: email.toUpperCase(), emailVerified: true });
      const pair = await complete((await authorize(id)).params);
      expect((await authenticate(pair.accessToken)).principal?.subject).toBe(user.userId);
      expect(await identitiesOf(user.userId)).toMatchObject([{ provider: 'test', subject: id }]);
      await auth.call('login', { email, password: goodPassword });
    });

    it('never links by an unverified e-mail, nor creates a user with one', async () => {
      const email = `victim.${backend}@example.com`;
      const victim = await signUp(auth, email);
      for (const emailVerified of [false, undefined]) {
        const id = account({ email, emailVerified });
        const error = await callError(complete((await authorize(id)).params));
        expect(error.code).toBe(status.UNAUTHENTICATED);
        expect(readErrorDetails(error.metadata)).toMatchObject({
          reason: 'FEDERATED_EMAIL_UNVERIFIED',
          metadata: { provider: 'test', why: 'email_unverified' },
        });
        expect(await lastFailure()).toEqual({
          method: 'federated',
          provider: 'test',
          why: 'email_unverified',
        });
      }
      expect(await identitiesOf(victim.userId)).toEqual([]);
      const fresh = account({ email: `unverified.${backend}@example.com`, emailVerified: false });
      expect((await callError(complete((await authorize(fresh)).params))).code).toBe(status.UNAUTHENTICATED);
      const users = await auth.call<authV1.ListUsersRequest, authV1.ListUsersResponse>(
        'listUsers',
        { pageSize: 10, pageToken: '', emailPrefix: `unverified.${backend}` },
        { bearer: admin },
      );
      expect(users.users).toEqual([]);
    });

    it('refuses a state it never issued, and a state used once already', async () => {
      const { params } = await authorize(
        account({ email: `replay.${backend}@example.com`, emailVerified: true }),
      );
      const wrong = await callError(complete({ ...params, state: 'A'.repeat(43) }));
      expect(wrong.code).toBe(status.UNAUTHENTICATED);
      expect(readErrorDetails(wrong.metadata).reason).toBe('FEDERATED_STATE_INVALID');
      await complete(params);
      const replayed = await callError(complete(params));
      expect(replayed.code).toBe(status.UNAUTHENTICATED);
      expect(readErrorDetails(replayed.metadata).reason).toBe('FEDERATED_STATE_INVALID');
      expect(await lastFailure()).toEqual({ method: 'federated', provider: '', why: 'state_unknown' });
    });

    it('completes a state exactly once when two completions race', async () => {
      const { params } = await authorize(
        account({ email: `race.${backend}@example.com`, emailVerified: true }),
      );
      const outcomes = await Promise.allSettled([complete(params), complete(params), complete(params)]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    });

    it('refuses an ID token whose nonce is not the one of this login', async () => {
      const id = account({ email: `nonce.${backend}@example.com`, emailVerified: true });
      // The code of another authorization request (its nonce) injected into this login.
      const { params } = await authorize(id, (url) => url.searchParams.set('nonce', 'another-login-nonce'));
      const error = await callError(complete(params));
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).toBe('the ID token from test failed validation: unexpected "nonce"');
      expect(readErrorDetails(error.metadata).metadata).toEqual({
        provider: 'test',
        why: 'id_token_invalid',
      });
    });

    it('refuses a code bound to another PKCE challenge (the provider checks the verifier)', async () => {
      const id = account({ email: `pkce.${backend}@example.com`, emailVerified: true });
      const { params } = await authorize(id, (url) =>
        url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'),
      );
      const error = await callError(complete(params));
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).toBe('test refused the login: invalid_grant');
      expect(await lastFailure()).toEqual({ method: 'federated', provider: 'test', why: 'code_rejected' });
    });

    it('refuses an expired code (the provider) and an expired login (its state)', async () => {
      const id = account({ email: `late.${backend}@example.com`, emailVerified: true });
      op.codeTtlSeconds = 1;
      try {
        const { params } = await authorize(id);
        await new Promise((resolve) => setTimeout(resolve, 2100));
        const error = await callError(complete(params));
        expect(error.code).toBe(status.UNAUTHENTICATED);
        expect(error.details).toBe('test refused the login: invalid_grant');
      } finally {
        op.codeTtlSeconds = 60;
      }
      const { params } = await authorize(id);
      clock.advance(600_001);
      const expired = await callError(complete(params));
      expect(expired.code).toBe(status.UNAUTHENTICATED);
      expect(readErrorDetails(expired.metadata).reason).toBe('FEDERATED_STATE_EXPIRED');
      expect(await lastFailure()).toEqual({ method: 'federated', provider: 'test', why: 'state_expired' });
    });

    it('refuses a disabled user', async () => {
      const id = account({ email: `off.${backend}@example.com`, emailVerified: true });
      const pair = await complete((await authorize(id)).params);
      const userId = (await authenticate(pair.accessToken)).principal?.subject ?? '';
      await auth.call('setUserDisabled', { userId, disabled: true }, { bearer: admin });
      const error = await callError(complete((await authorize(id)).params));
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(readErrorDetails(error.metadata).reason).toBe('USER_DISABLED');
    });

    it('reports the error a provider redirected with, and consumes the state', async () => {
      const begun = await begin();
      const error = await callError(complete({ state: begun.state, error: 'access_denied' }));
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).toBe('test answered with an error: "access_denied"');
      const again = await callError(complete({ state: begun.state, error: 'access_denied' }));
      expect(readErrorDetails(again.metadata).reason).toBe('FEDERATED_STATE_INVALID');
    });

    it('lets an admin list and unlink identities, audited; a user cannot', async () => {
      const id = account({ email: `unlink.${backend}@example.com`, emailVerified: true });
      const pair = await complete((await authorize(id)).params);
      const userId = (await authenticate(pair.accessToken)).principal?.subject ?? '';
      const denied = await callError(
        auth.call('listFederatedIdentities', { userId }, { bearer: pair.accessToken }),
      );
      expect(denied.code).toBe(status.PERMISSION_DENIED);
      await auth.call(
        'unlinkFederatedIdentity',
        { userId, provider: 'test', subject: id },
        { bearer: admin },
      );
      expect(await identitiesOf(userId)).toEqual([]);
      expect((await auditOf(userId))[0]).toEqual({
        type: 'federated.identity_unlinked',
        detail: { provider: 'test', provider_subject: id },
      });
      const missing = await callError(
        auth.call('unlinkFederatedIdentity', { userId, provider: 'test', subject: id }, { bearer: admin }),
      );
      expect(missing.code).toBe(status.NOT_FOUND);
    });

    it('answers UNAVAILABLE naming the provider when it cannot be reached', async () => {
      const down = await callError(begin('down'));
      expect(down.code).toBe(status.UNAVAILABLE);
      expect(down.details).toBe(
        'identity provider "down" is unavailable: discovery could not be reached (ECONNREFUSED)',
      );
      expect(readErrorDetails(down.metadata)).toMatchObject({
        reason: 'FEDERATED_PROVIDER_UNAVAILABLE',
        metadata: { provider: 'down' },
      });
      // Discovered while up, then gone before the code is exchanged.
      const begun = await begin('flaky');
      const back = await signInAtProvider(begun.authorizationUrl, 'fay', redirectUri);
      await flaky.stop();
      const gone = await callError(complete(paramsOf(back)));
      expect(gone.code).toBe(status.UNAVAILABLE);
      expect(gone.details).toBe(
        'identity provider "flaky" is unavailable: the token endpoint could not be reached (ECONNREFUSED)',
      );
    });

    it.each([
      ['provider', { provider: '', redirectUri }],
      ['provider', { provider: 'nope', redirectUri }],
      ['redirect_uri', { provider: 'test', redirectUri: '' }],
      ['redirect_uri', { provider: 'test', redirectUri: 'https://evil.example.com/callback' }],
      ['redirect_uri', { provider: 'test', redirectUri: 'https://app.example.com/login/done/../x' }],
      ['redirect_uri', { provider: 'test', redirectUri: 'https://app.example.com/login/done?next=1' }],
      ['redirect_uri', { provider: 'test', redirectUri: 'http://127.0.0.1:8080/other' }],
      ['redirect_uri', { provider: 'test', redirectUri: 'http://localhost:8080/callback' }],
    ])('BeginFederatedLogin answers INVALID_ARGUMENT naming %s', async (field, request) => {
      const error = await callError(auth.call('beginFederatedLogin', request));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(readErrorDetails(error.metadata).field).toBe(field);
    });

    it('lists the configured providers when one is unknown; allows any loopback port', async () => {
      const error = await callError(begin('nope'));
      expect(error.details).toBe('provider: unknown provider "nope"; configured: test, flaky, down');
      const loopback = await begin('test', 'http://127.0.0.1:49152/callback');
      expect(new URL(loopback.authorizationUrl).searchParams.get('redirect_uri')).toBe(
        'http://127.0.0.1:49152/callback',
      );
      const exact = await begin('test', 'https://app.example.com/login/done');
      expect(exact.state).not.toBe('');
    });

    it.each([
      ['state', {}],
      ['code', { state: 'x'.repeat(43) }],
      ['state', { state: 'x'.repeat(513), code: 'c' }],
      ['code', { state: 'x'.repeat(43), code: 'c'.repeat(4097) }],
    ])('CompleteFederatedLogin answers INVALID_ARGUMENT naming %s', async (field, request) => {
      const error = await callError(complete(request));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(readErrorDetails(error.metadata).field).toBe(field);
    });
  },
);
