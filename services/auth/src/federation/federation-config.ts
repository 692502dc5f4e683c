import type { EnvReader } from '@gatehouse/config';
import { isLoopbackHost, parseRedirectPattern, type RedirectPattern } from './redirect-allowlist';

/** An OpenID Connect issuer, found through its discovery document (Google is one). */
export interface OidcProviderConfig {
  kind: 'oidc';
  name: string;
  /** AUTH_FEDERATION_<NAME>_ISSUER: the issuer identifier, e.g. https://accounts.google.com. */
  issuer: string;
  clientId: string;
  /** Unset: a public client (PKCE only, token_endpoint_auth_method none). */
  clientSecret?: string;
  scopes: readonly string[];
}

/** GitHub (OAuth 2.0, not OpenID Connect): the user and its verified e-mails come from its API. */
export interface GitHubProviderConfig {
  kind: 'github';
  name: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  authorizeUrl: string;
  tokenUrl: string;
  /** REST API base, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  apiUrl: string;
}

export type ProviderConfig = OidcProviderConfig | GitHubProviderConfig;

/** Federated login (AUTH_FEDERATION_*); no providers means the feature is off. */
export interface FederationSettings {
  providers: readonly ProviderConfig[];
  /** AUTH_FEDERATION_REDIRECT_URIS: where providers may send browsers back. */
  redirectUris: readonly RedirectPattern[];
  /** AUTH_FEDERATION_STATE_TTL_SECONDS, default 600: how long a begun login may be completed. */
  stateTtlSeconds: number;
  /** AUTH_FEDERATION_HTTP_TIMEOUT_MS, default 10000: each request to a provider. */
  httpTimeoutMs: number;
  /** AUTH_FEDERATION_DISCOVERY_MAX_AGE_SECONDS, default 3600: discovery documents are re-read this often. */
  discoveryMaxAgeSeconds: number;
}

const namePattern = /^[a-z][a-z0-9-]{0,31}$/;

const defaults = {
  oidcScopes: 'openid email profile',
  githubScopes: 'read:user user:email',
  githubAuthorizeUrl: 'https://github.com/login/oauth/authorize',
  githubTokenUrl: 'https://github.com/login/oauth/access_token',
  githubApiUrl: 'https://api.github.com',
};

/** Reads AUTH_FEDERATION_*; every problem names its variable, and secrets are never echoed. */
export function readFederationSettings(env: EnvReader): FederationSettings {
  const names = listOf(env.string('AUTH_FEDERATION_PROVIDERS', ''), ',');
  const providers: ProviderConfig[] = [];
  for (const name of new Set(names)) {
    if (!namePattern.test(name)) {
      env.fail(
        'AUTH_FEDERATION_PROVIDERS',
        `provider names are lower-case letters, digits and -, up to 32 characters; got ${JSON.stringify(name)}`,
      );
      continue;
    }
    const provider = readProvider(env, name);
    if (provider !== undefined) providers.push(provider);
  }
  const redirectVariable = 'AUTH_FEDERATION_REDIRECT_URIS';
  const redirectUris: RedirectPattern[] = [];
  const redirectEntries = listOf(env.string(redirectVariable, ''), ',');
  for (const raw of redirectEntries) {
    const parsed = parseRedirectPattern(raw);
    if (typeof parsed === 'string') env.fail(redirectVariable, parsed);
    else redirectUris.push(parsed);
  }
  if (providers.length > 0 && redirectEntries.length === 0) {
    env.fail(redirectVariable, 'is required with AUTH_FEDERATION_PROVIDERS: the allowed redirect URIs');
  }
  return {
    providers,
    redirectUris,
    stateTtlSeconds: env.integer('AUTH_FEDERATION_STATE_TTL_SECONDS', 600, { min: 30, max: 3600 }),
    httpTimeoutMs: env.integer('AUTH_FEDERATION_HTTP_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
    discoveryMaxAgeSeconds: env.integer('AUTH_FEDERATION_DISCOVERY_MAX_AGE_SECONDS', 3600, {
      min: 60,
      max: 7 * 86_400,
    }),
  };
}

function readProvider(env: EnvReader, name: string): ProviderConfig | undefined {
  const prefix = `AUTH_FEDERATION_${name.toUpperCase().replace(/-/g, '_')}_`;
  const kind = env.oneOf(`${prefix}TYPE`, ['oidc', 'github'], name === 'github' ? 'github' : 'oidc');
  const clientId = required(env, `${prefix}CLIENT_ID`);
  const clientSecret = env.optionalString(`${prefix}CLIENT_SECRET`);
  if (kind === 'github') {
    if (clientSecret === undefined) env.fail(`${prefix}CLIENT_SECRET`, 'is required for a GitHub provider');
    const authorizeUrl = providerUrl(env, `${prefix}AUTHORIZE_URL`, defaults.githubAuthorizeUrl);
    const tokenUrl = providerUrl(env, `${prefix}TOKEN_URL`, defaults.githubTokenUrl);
    const apiUrl = providerUrl(env, `${prefix}API_URL`, defaults.githubApiUrl).replace(/\/+$/, '');
    const scopes = listOf(env.string(`${prefix}SCOPES`, defaults.githubScopes), ' ');
    return { kind, name, clientId, clientSecret: clientSecret ?? '', scopes, authorizeUrl, tokenUrl, apiUrl };
  }
  const issuer = providerUrl(env, `${prefix}ISSUER`, undefined);
  const scopes = listOf(env.string(`${prefix}SCOPES`, defaults.oidcScopes), ' ');
  if (!scopes.includes('openid')) env.fail(`${prefix}SCOPES`, 'must include openid');
  return { kind, name, issuer, clientId, clientSecret, scopes };
}

function required(env: EnvReader, variable: string): string {
  const value = env.optionalString(variable);
  if (value === undefined) env.fail(variable, 'is required');
  return value ?? '';
}

/** An https URL; plain http only to a loopback host (a provider on this machine, as in tests). */
function providerUrl(env: EnvReader, variable: string, fallback: string | undefined): string {
  const value = env.optionalString(variable) ?? fallback;
  if (value === undefined) {
    env.fail(variable, 'is required');
    return '';
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const secure = url?.protocol === 'https:' || (url?.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (url === undefined || !secure || url.search !== '' || url.hash !== '' || url.username !== '') {
    env.fail(
      variable,
      `must be an https:// URL without query or credentials (http:// only on a loopback host), got ${JSON.stringify(value)}`,
    );
    return '';
  }
  return value;
}

function listOf(text: string, separator: string): string[] {
  return text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
