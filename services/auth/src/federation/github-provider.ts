import type { Configuration } from 'openid-client' with { 'resolution-mode': 'import' };
import type { GitHubProviderConfig } from './federation-config';
import {
  callbackUrl,
  type BegunAuthorization,
  type FederatedProvider,
  type ProviderCallback,
  type ProviderIdentity,
} from './federated-provider';
import { loginRefused, providerUnavailable } from './federation-errors';
import { drawLoginSecrets, type OpenIdClient } from './openid-client-module';
import type { PendingLogin } from './pending-logins';
import { providerFailure } from './provider-failure';
import { isLoopbackHost } from './redirect-allowlist';

export interface GitHubProviderOptions {
  config: GitHubProviderConfig;
  client: OpenIdClient;
  /** Each request to GitHub. */
  timeoutMs: number;
}

interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

/**
 * GitHub's OAuth 2.0 (not OpenID Connect: no ID token, no nonce). openid-client runs the
 * authorization-code grant with PKCE; the account is GET /user, and its e-mail the primary one
 * of GET /user/emails with GitHub's `verified` flag.
 */
export class GitHubProvider implements FederatedProvider {
  readonly kind = 'github';
  private readonly configuration: Configuration;

  constructor(private readonly options: GitHubProviderOptions) {
    const { client, config, timeoutMs } = options;
    this.configuration = new client.Configuration(
      {
        issuer: new URL(config.authorizeUrl).origin,
        authorization_endpoint: config.authorizeUrl,
        token_endpoint: config.tokenUrl,
      },
      config.clientId,
      config.clientSecret,
      client.ClientSecretPost(config.clientSecret),
    );
    this.configuration.timeout = timeoutMs / 1000;
    const tokenUrl = new URL(config.tokenUrl).href;
    this.configuration[client.customFetch] = (url, init) =>
      fetch(url, init as RequestInit).then((response) =>
        url === tokenUrl ? errorsAsErrors(response) : response,
      );
    const urls = [config.authorizeUrl, config.tokenUrl, config.apiUrl].map((url) => new URL(url));
    if (urls.some((url) => url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      client.allowInsecureRequests(this.configuration);
    }
  }

  get name(): string {
    return this.options.config.name;
  }

  async begin(redirectUri: string): Promise<BegunAuthorization> {
    const { state, codeVerifier, codeChallenge } = await drawLoginSecrets(this.options.client, false);
    const authorizationUrl = this.options.client.buildAuthorizationUrl(this.configuration, {
      redirect_uri: redirectUri,
      scope: this.options.config.scopes.join(' '),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).href;
    return { authorizationUrl, state, codeVerifier };
  }

  async identify(callback: ProviderCallback, pending: PendingLogin): Promise<ProviderIdentity> {
    const { client } = this.options;
    let accessToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(this.configuration, callbackUrl(callback, pending), {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: callback.state,
      });
      accessToken = tokens.access_token;
    } catch (error) {
      throw providerFailure(client, this.name, 'the token endpoint', error);
    }
    const user = (await this.api(accessToken, '/user')) as { id?: unknown; login?: unknown; name?: unknown };
    const emails = await this.api(accessToken, '/user/emails');
    if (typeof user.id !== 'number' && typeof user.id !== 'string') {
      throw loginRefused(this.name, 'response_invalid', `${this.name} /user answered without an id`);
    }
    const primary = Array.isArray(emails)
      ? (emails as GitHubEmail[]).find((entry) => entry.primary === true && typeof entry.email === 'string')
      : undefined;
    const name = typeof user.name === 'string' && user.name !== '' ? user.name : user.login;
    return {
      subject: String(user.id),
      email: primary?.email as string | undefined,
      emailVerified: primary?.verified === true,
      displayName: typeof name === 'string' ? name : undefined,
    };
  }

  private async api(accessToken: string, path: string): Promise<unknown> {
    const { client, config } = this.options;
    const headers = new Headers({
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'gatehouse-auth',
    });
    let response: Response;
    try {
      response = await client.fetchProtectedResource(
        this.configuration,
        accessToken,
        new URL(`${config.apiUrl}${path}`),
        'GET',
        undefined,
        headers,
      );
    } catch (error) {
      throw providerFailure(client, this.name, 'the user API', error);
    }
    if (response.status >= 500 || response.status === 429) {
      throw providerUnavailable(this.name, `the user API answered HTTP ${response.status} for ${path}`);
    }
    if (response.status !== 200) {
      throw loginRefused(
        this.name,
        'response_invalid',
        `${this.name} answered HTTP ${response.status} for ${path}`,
      );
    }
    try {
      return await response.json();
    } catch (error) {
      throw providerUnavailable(this.name, `the user API did not answer JSON for ${path}`, error);
    }
  }
}

/**
 * GitHub answers a refused code with HTTP 200 and an `error` member; re-labelled 400, so the
 * library reports it as the OAuth error it is (e.g. bad_verification_code) instead of as a
 * token response without a token.
 */
async function errorsAsErrors(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  const body = await response.text();
  let error: unknown;
  try {
    error = (JSON.parse(body) as { error?: unknown }).error;
  } catch {
    error = undefined;
  }
  const status = typeof error === 'string' ? 400 : 200;
  return new Response(body, { status, headers: response.headers });
}
