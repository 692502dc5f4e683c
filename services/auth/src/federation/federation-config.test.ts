import { ConfigError } from '@gatehouse/config';
import { describe, expect, it } from 'vitest';
import { readAuthConfig } from '../config';
import { isAllowedRedirect, parseRedirectPattern, type RedirectPattern } from './redirect-allowlist';

const problems = (env: Record<string, string>) => {
  try {
    readAuthConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
};

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

describe('the redirect allowlist', () => {
  const patterns = [
    'https://app.example.com/login/done',
    'http://127.0.0.1/callback',
    'http://[::1]/callback',
    'http://localhost:8400/callback',
    'http://127.0.0.1:9000/fixed',
  ].map((raw) => parseRedirectPattern(raw) as RedirectPattern);

  it.each([
    'https://app.example.com/login/done',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:50123/callback',
    'http://[::1]:50123/callback',
    'http://localhost:8400/callback',
    'http://127.0.0.1:9000/fixed',
  ])('allows %s', (uri) => expect(isAllowedRedirect(patterns, uri)).toBe(true));

  it.each([
    'https://app.example.com/login/done/',
    'https://APP.example.com/login/done',
    'https://app.example.com/login/done?next=/admin',
    'https://app.example.com/login/done#x',
    'https://app.example.com/login/x/../done',
    'https://app.example.com:443/login/done',
    'https://user@app.example.com/login/done',
    'https://app.example.com.evil.com/login/done',
    'https://127.0.0.1:50123/callback',
    'http://127.0.0.1:50123/callback/../other',
    'http://127.0.0.1:50123/Callback',
    'http://localhost:50123/callback',
    'http://127.0.0.1:9001/fixed',
    'http://127.0.0.2:50123/callback',
    'not a url',
  ])('refuses %s', (uri) => expect(isAllowedRedirect(patterns, uri)).toBe(false));
});
