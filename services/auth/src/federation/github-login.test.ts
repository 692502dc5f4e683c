import { status } from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import { readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../../test/support/start-service';
import { startFakeGitHub, type FakeGitHub, type FakeGitHubUser } from '../test-support/fake-github';
import { callError, goodPassword, startAuth, type StartedAuth } from '../test-support/start-auth';

const redirectUri = 'http://127.0.0.1/callback';

describe.each(['embedded', 'real'] as Backend[])('federated login with GitHub on %s stores', (backend) => {
  let github: FakeGitHub;
  let auth: StartedAuth;
  let n = 0;
  const user = (emails: FakeGitHubUser['emails'], name?: string): FakeGitHubUser => {
    n += 1;
    return { id: 4000 + n, login: `octo-${backend}-${n}`, name, emails };
  };

  beforeAll(async () => {
    github = await startFakeGitHub(user([]));
    auth = await startAuth({
      backend,
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: 'admin@github.test',
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: goodPassword,
        AUTH_FEDERATION_PROVIDERS: 'github',
        AUTH_FEDERATION_GITHUB_CLIENT_ID: github.clientId,
        AUTH_FEDERATION_GITHUB_CLIENT_SECRET: github.clientSecret,
        AUTH_FEDERATION_GITHUB_AUTHORIZE_URL: `${github.baseUrl}/login/oauth/authorize`,
        AUTH_FEDERATION_GITHUB_TOKEN_URL: `${github.baseUrl}/login/oauth/access_token`,
        AUTH_FEDERATION_GITHUB_API_URL: `${github.baseUrl}/api`,
        AUTH_FEDERATION_REDIRECT_URIS: redirectUri,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await auth?.stop();
    await github?.stop();
  });

  /** Begins a login, lets the fake approve it (after `tamper`), and returns the redirect's parameters. */
  const authorize = async (tamper?: (url: URL) => void) => {
    const begun = await auth.call<authV1.BeginFederatedLoginRequest, authV1.BeginFederatedLoginResponse>(
      'beginFederatedLogin',
      { provider: 'github', redirectUri },
    );
    const url = new URL(begun.authorizationUrl);
    tamper?.(url);
    const response = await fetch(url, { redirect: 'manual' });
    const back = new URL(response.headers.get('location') ?? '');
    return { url, state: back.searchParams.get('state') ?? '', code: back.searchParams.get('code') ?? '' };
  };
  const complete = (params: { state: string; code: string }) =>
    auth.call<authV1.CompleteFederatedLoginRequest, authV1.TokenPair>('completeFederatedLogin', {
      ...params,
      iss: '',
      error: '',
    });
  const principalOf = async (pair: authV1.TokenPair) =>
    (
      await auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>('authenticate', {
        bearerToken: pair.accessToken,
        requiredScopes: [],
        requiredRoles: [],
      })
    ).principal;

  it('asks for read:user and user:email with PKCE S256 and no nonce', async () => {
    const { url } = await authorize();
    expect(url.origin + url.pathname).toBe(`${github.baseUrl}/login/oauth/authorize`);
    expect(url.searchParams.get('scope')).toBe('read:user user:email');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.has('nonce')).toBe(false);
  });

  it("logs in with the account's primary verified e-mail, creating the user", async () => {
    github.user = user(
      [
        { email: `other.${backend}@example.com`, primary: false, verified: true },
        { email: `octo.${backend}@example.com`, primary: true, verified: true },
      ],
      'Octo Cat',
    );
    const principal = await principalOf(await complete(await authorize()));
    expect(principal).toMatchObject({ email: `octo.${backend}@example.com`, tier: 'free', roles: ['user'] });
    const admin = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email: 'admin@github.test',
      password: goodPassword,
    });
    const listed = await auth.call<authV1.ListUsersRequest, authV1.ListUsersResponse>(
      'listUsers',
      { pageSize: 5, pageToken: '', emailPrefix: `octo.${backend}` },
      { bearer: admin.accessToken },
    );
    expect(listed.users.map((u) => u.displayName)).toEqual(['Octo Cat']);
    const identities = await auth.call<
      authV1.ListFederatedIdentitiesRequest,
      authV1.ListFederatedIdentitiesResponse
    >('listFederatedIdentities', { userId: principal?.subject ?? '' }, { bearer: admin.accessToken });
    expect(identities.identities).toMatchObject([
      { provider: 'github', subject: String(github.user.id), emailVerified: true },
    ]);
    const again = await principalOf(await complete(await authorize()));
    expect(again?.subject).toBe(principal?.subject);
  });

  it('refuses an account whose primary e-mail GitHub has not verified', async () => {
    github.user = user([
      { email: `unverified.${backend}@example.com`, primary: true, verified: false },
      { email: `verified.${backend}@example.com`, primary: false, verified: true },
    ]);
    const error = await callError(complete(await authorize()));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(readErrorDetails(error.metadata).reason).toBe('FEDERATED_EMAIL_UNVERIFIED');
  });

  it("refuses a code bound to another PKCE challenge with GitHub's error code", async () => {
    github.user = user([{ email: `pkce.${backend}@example.com`, primary: true, verified: true }]);
    const params = await authorize((url) =>
      url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'),
    );
    const error = await callError(complete(params));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toBe('github refused the login: bad_verification_code');
  });

  it('answers UNAVAILABLE naming GitHub when its API fails, then when it is down', async () => {
    github.user = user([{ email: `down.${backend}@example.com`, primary: true, verified: true }]);
    github.apiStatus = 502;
    try {
      const error = await callError(complete(await authorize()));
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toBe(
        'identity provider "github" is unavailable: the user API answered HTTP 502 for /user',
      );
    } finally {
      github.apiStatus = undefined;
    }
    const params = await authorize();
    await github.stop();
    const error = await callError(complete(params));
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.details).toBe(
      'identity provider "github" is unavailable: the token endpoint could not be reached (ECONNREFUSED)',
    );
    expect(readErrorDetails(error.metadata).metadata).toEqual({ provider: 'github' });
  });
});
