import { describe, expect, it } from 'vitest';
import { configProblems } from '../../../test/support/config-problems';
import { readAuthConfig } from './config';

const problems = (env: Record<string, string>) => configProblems(() => readAuthConfig(env));

describe('readAuthConfig', () => {
  it('defaults to bcrypt cost 12, 30 min access / 7 day refresh tokens, lockout 5 in 15 min for 15 min', () => {
    const { auth } = readAuthConfig({});
    expect(auth.bcryptCost).toBe(12);
    expect(auth.accessTokenTtlSeconds).toBe(1800);
    expect(auth.refreshTokenTtlSeconds).toBe(7 * 24 * 3600);
    expect([auth.lockoutMaxFailures, auth.lockoutWindowSeconds, auth.lockoutDurationSeconds]).toEqual([
      5, 900, 900,
    ]);
    expect(auth.cacheMaxAgeMs).toBe(1000);
    expect(auth.usingDevEncryptionKey).toBe(true);
    expect(Object.isFrozen(auth)).toBe(true);
  });

  it('refuses a bcrypt cost below 10 unless the test flag is set', () => {
    expect(problems({ BCRYPT_COST: '9' })).toEqual([
      'BCRYPT_COST: must be at least 10 (got 9); lower is for tests only',
    ]);
    expect(problems({ BCRYPT_COST: '4', AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS: 'true' })).toEqual([]);
  });

  it('requires a 32-byte AUTH_KEY_ENCRYPTION_KEY with DATABASE_URL and never prints it', () => {
    expect(problems({ DATABASE_URL: 'postgres://db:5432/x' })).toEqual([
      'AUTH_KEY_ENCRYPTION_KEY: is required with DATABASE_URL: 32 random bytes, base64 (openssl rand -base64 32)',
    ]);
    const short = problems({ AUTH_KEY_ENCRYPTION_KEY: 'c2VjcmV0LXZhbHVl' });
    expect(short).toEqual([
      'AUTH_KEY_ENCRYPTION_KEY: must be 32 bytes in base64 (44 characters), got 12 bytes',
    ]);
    expect(short.join()).not.toContain('c2VjcmV0LXZhbHVl');
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      readAuthConfig({ DATABASE_URL: 'postgres://db:5432/x', AUTH_KEY_ENCRYPTION_KEY: key }).auth
        .usingDevEncryptionKey,
    ).toBe(false);
  });

  it('names each bad variable', () => {
    expect(
      problems({
        AUTH_ACCESS_TOKEN_TTL_SECONDS: 'soon',
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: 'a@b.co',
        AUTH_API_KEY_PREFIX: 'Bad',
      }),
    ).toEqual([
      'GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: must be set together with GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL',
      'AUTH_ACCESS_TOKEN_TTL_SECONDS: must be an integer from 10 to 86400, got "soon"',
      'AUTH_API_KEY_PREFIX: must look like "gh_live_" (lower-case, ends with _), got "Bad"',
    ]);
  });
});

const google = {
  AUTH_FEDERATION_PROVIDERS: 'google',
  AUTH_FEDERATION_GOOGLE_ISSUER: 'https://accounts.google.com',
  AUTH_FEDERATION_GOOGLE_CLIENT_ID: '1234.apps.googleusercontent.com',
  AUTH_FEDERATION_GOOGLE_CLIENT_SECRET: 'GOCSPX-very-secret',
  AUTH_FEDERATION_REDIRECT_URIS: 'https://auth.example.com/federated/callback, http://127.0.0.1/callback',
};

describe('AUTH_FEDERATION_* settings', () => {
  it('is off by default, with documented TTLs', () => {
    expect(readAuthConfig({}).auth.federation).toEqual({
      providers: [],
      redirectUris: [],
      stateTtlSeconds: 600,
      httpTimeoutMs: 10_000,
      discoveryMaxAgeSeconds: 3600,
    });
  });

  it('reads an OpenID Connect issuer and GitHub with their defaults', () => {
    const { federation } = readAuthConfig({
      ...google,
      AUTH_FEDERATION_PROVIDERS: 'google, github',
      AUTH_FEDERATION_GITHUB_CLIENT_ID: 'Iv1.abc',
      AUTH_FEDERATION_GITHUB_CLIENT_SECRET: 'gh-secret',
    }).auth;
    expect(federation.providers).toEqual([
      {
        kind: 'oidc',
        name: 'google',
        issuer: 'https://accounts.google.com',
        clientId: '1234.apps.googleusercontent.com',
        clientSecret: 'GOCSPX-very-secret',
        scopes: ['openid', 'email', 'profile'],
      },
      {
        kind: 'github',
        name: 'github',
        clientId: 'Iv1.abc',
        clientSecret: 'gh-secret',
        scopes: ['read:user', 'user:email'],
        authorizeUrl: 'https://github.com/login/oauth/authorize',
        tokenUrl: 'https://github.com/login/oauth/access_token',
        apiUrl: 'https://api.github.com',
      },
    ]);
    expect(federation.redirectUris.map((uri) => [uri.text, uri.anyPort])).toEqual([
      ['https://auth.example.com/federated/callback', false],
      ['http://127.0.0.1/callback', true],
    ]);
  });

  it('names every bad variable and never echoes a secret', () => {
    const found = problems({
      AUTH_FEDERATION_PROVIDERS: 'Bad!,corp,github,gitlab',
      AUTH_FEDERATION_CORP_ISSUER: 'http://sso.example.com',
      AUTH_FEDERATION_CORP_CLIENT_ID: 'corp',
      AUTH_FEDERATION_CORP_SCOPES: 'email profile',
      AUTH_FEDERATION_GITHUB_CLIENT_ID: 'Iv1.abc',
      AUTH_FEDERATION_GITLAB_TYPE: 'saml',
      AUTH_FEDERATION_GITLAB_ISSUER: 'https://gitlab.example.com',
      AUTH_FEDERATION_GITLAB_CLIENT_SECRET: 'gitlab-secret-value',
      AUTH_FEDERATION_STATE_TTL_SECONDS: '5',
    });
    expect(found).toEqual([
      'AUTH_FEDERATION_PROVIDERS: provider names are lower-case letters, digits and -, up to 32 characters; got "Bad!"',
      'AUTH_FEDERATION_CORP_ISSUER: must be an https:// URL without query or credentials (http:// only on a loopback host), got "http://sso.example.com"',
      'AUTH_FEDERATION_CORP_SCOPES: must include openid',
      'AUTH_FEDERATION_GITHUB_CLIENT_SECRET: is required for a GitHub provider',
      'AUTH_FEDERATION_GITLAB_TYPE: must be one of oidc, github, got "saml"',
      'AUTH_FEDERATION_GITLAB_CLIENT_ID: is required',
      'AUTH_FEDERATION_REDIRECT_URIS: is required with AUTH_FEDERATION_PROVIDERS: the allowed redirect URIs',
      'AUTH_FEDERATION_STATE_TTL_SECONDS: must be an integer from 30 to 3600, got "5"',
    ]);
    expect(found.join('\n')).not.toContain('gitlab-secret-value');
  });

  it('refuses redirect URIs that cannot be matched exactly', () => {
    expect(
      problems({
        ...google,
        AUTH_FEDERATION_REDIRECT_URIS:
          'http://app.example.com/cb,https://app.example.com,https://a.example.com/cb?x=1',
      }),
    ).toEqual([
      'AUTH_FEDERATION_REDIRECT_URIS: "http://app.example.com/cb" must use https:// (http:// only on 127.0.0.1, [::1] or localhost)',
      'AUTH_FEDERATION_REDIRECT_URIS: entries must be absolute URLs without query, fragment or credentials, written as browsers do (e.g. https://app.example.com/callback); got "https://app.example.com"',
      'AUTH_FEDERATION_REDIRECT_URIS: entries must be absolute URLs without query, fragment or credentials, written as browsers do (e.g. https://app.example.com/callback); got "https://a.example.com/cb?x=1"',
    ]);
  });
});
