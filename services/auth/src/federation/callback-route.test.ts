import type { authV1 } from '@gatehouse/contracts';
import { createLogger } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import { startAuth, type StartedAuth } from '../test-support/start-auth';
import {
  signInAtProvider,
  startTestOpenIdProvider,
  type TestOpenIdProvider,
} from '../test-support/test-openid-provider';

describe('the browser callback on the ops port', () => {
  let op: TestOpenIdProvider;
  let auth: StartedAuth;
  let callbackUrl: string;
  const logs = captureLogs();

  beforeAll(async () => {
    // E-mail claims in the ID token itself, as Google sends them (no userinfo call).
    op = await startTestOpenIdProvider({
      redirectUris: ['http://127.0.0.1/federated/callback'],
      conformIdTokenClaims: false,
    });
    auth = await startAuth({
      backend: 'embedded',
      logger: createLogger({ service: 'auth', level: 'debug', destination: logs.stream }),
      env: {
        AUTH_FEDERATION_PROVIDERS: 'corp',
        AUTH_FEDERATION_CORP_ISSUER: op.issuer,
        AUTH_FEDERATION_CORP_CLIENT_ID: op.clientId,
        AUTH_FEDERATION_CORP_CLIENT_SECRET: op.clientSecret,
        AUTH_FEDERATION_REDIRECT_URIS: 'http://127.0.0.1/federated/callback',
      },
    });
    callbackUrl = `http://127.0.0.1:${auth.service.host.opsPort}/federated/callback`;
  }, 60_000);
  afterAll(async () => {
    await auth?.stop();
    await op?.stop();
  });

  let n = 0;
  /** Begins at the RPC, signs in at the provider, and returns the redirect to the ops callback. */
  const redirected = async () => {
    n += 1;
    op.accounts.set(`pat-${n}`, { email: `pat${n}@example.com`, emailVerified: true, name: `Pat ${n}` });
    const begun = await auth.call<authV1.BeginFederatedLoginRequest, authV1.BeginFederatedLoginResponse>(
      'beginFederatedLogin',
      { provider: 'corp', redirectUri: callbackUrl },
    );
    return {
      back: await signInAtProvider(begun.authorizationUrl, `pat-${n}`, callbackUrl),
      email: `pat${n}@example.com`,
    };
  };

  it('completes the login and shows the token pair in a page that is never stored', async () => {
    const { back, email } = await redirected();
    const response = await fetch(back);
    expect(response.status).toBe(200);
    const headers = [
      'content-type',
      'cache-control',
      'referrer-policy',
      'x-frame-options',
      'content-security-policy',
    ];
    expect(Object.fromEntries(headers.map((name) => [name, response.headers.get(name)]))).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    });
    const page = await response.text();
    expect(page).toContain(`Signed in to Gatehouse as <strong>${email}</strong> with corp.`);
    const accessToken = /aria-label="access token">([^<]+)</.exec(page)?.[1] ?? '';
    const { principal } = await auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>(
      'authenticate',
      { bearerToken: accessToken, requiredScopes: [], requiredRoles: [] },
    );
    expect(principal?.email).toBe(email);
    // Neither the code, the state nor a token reaches the logs.
    const code = back.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    expect(logs.text()).not.toContain(code);
    expect(logs.text()).not.toContain(back.searchParams.get('state') ?? '');
    expect(logs.text()).not.toContain(accessToken);
    expect(logs.text()).not.toContain(op.clientSecret);
  });

  it('answers JSON in the OAuth token-response shape when asked, and refuses a replay', async () => {
    const { back } = await redirected();
    const response = await fetch(back, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_expires_in',
      'refresh_token',
      'token_type',
    ]);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1800, refresh_expires_in: 604800 });
    const replay = await fetch(back, { headers: { accept: 'application/json' } });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'FEDERATED_STATE_INVALID',
      message: 'this login is unknown or was already completed: begin it again',
    });
    const page = await fetch(back);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('<h1>Sign-in failed</h1>');
  });

  it('says what is missing, and completes nothing on HEAD', async () => {
    const missing = await fetch(`${callbackUrl}?code=abc`, { headers: { accept: 'application/json' } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'state: is required' });
    const { back } = await redirected();
    const head = await fetch(back, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect((await fetch(back)).status).toBe(200);
  });

  it('escapes what it echoes', async () => {
    const response = await fetch(`${callbackUrl}?state=${'s'.repeat(600)}<script>`);
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('state: must be at most 512 characters');
    expect(page).not.toContain('<script>');
  });
});

describe('federated login with registration turned off', () => {
  let op: TestOpenIdProvider;
  let auth: StartedAuth;

  beforeAll(async () => {
    op = await startTestOpenIdProvider({ redirectUris: ['http://127.0.0.1/federated/callback'] });
    op.accounts.set('stranger', { email: 'stranger@example.com', emailVerified: true });
    auth = await startAuth({
      backend: 'embedded',
      env: {
        AUTH_ALLOW_REGISTRATION: 'false',
        AUTH_FEDERATION_PROVIDERS: 'corp',
        AUTH_FEDERATION_CORP_ISSUER: op.issuer,
        AUTH_FEDERATION_CORP_CLIENT_ID: op.clientId,
        AUTH_FEDERATION_CORP_CLIENT_SECRET: op.clientSecret,
        AUTH_FEDERATION_REDIRECT_URIS: 'http://127.0.0.1/federated/callback',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await auth?.stop();
    await op?.stop();
  });

  it('creates no user: 403 REGISTRATION_DISABLED on the callback', async () => {
    const callbackUrl = `http://127.0.0.1:${auth.service.host.opsPort}/federated/callback`;
    const begun = await auth.call<authV1.BeginFederatedLoginRequest, authV1.BeginFederatedLoginResponse>(
      'beginFederatedLogin',
      { provider: 'corp', redirectUri: callbackUrl },
    );
    const back = await signInAtProvider(begun.authorizationUrl, 'stranger', callbackUrl);
    const response = await fetch(back, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      code: 'PERMISSION_DENIED',
      reason: 'REGISTRATION_DISABLED',
      message: 'registration is turned off: no user has this e-mail',
    });
  });
});
