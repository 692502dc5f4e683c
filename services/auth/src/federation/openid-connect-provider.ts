import type { Clock } from '@gatehouse/runtime';
import type { Configuration, IDToken } from 'openid-client' with { 'resolution-mode': 'import' };
import type { OidcProviderConfig } from './federation-config';
import {
  callbackUrl,
  type BegunAuthorization,
  type FederatedProvider,
  type ProviderCallback,
  type ProviderIdentity,
} from './federated-provider';
import { loginRefused } from './federation-errors';
import { drawLoginSecrets, type OpenIdClient } from './openid-client-module';
import type { PendingLogin } from './pending-logins';
import { providerFailure } from './provider-failure';
import { isLoopbackHost } from './redirect-allowlist';

export interface OpenIdConnectProviderOptions {
  config: OidcProviderConfig;
  client: OpenIdClient;
  clock: Clock;
  /** Each request to the provider. */
  timeoutMs: number;
  /** How long a discovered configuration is used before it is read again. */
  discoveryMaxAgeMs: number;
  /** Tolerance on the ID token's exp / iat / nbf. */
  clockSkewSeconds: number;
}

/**
 * Any OpenID Connect issuer, through openid-client: discovery, JWKS, and the ID token checked for
 * signature (the provider's keys and algorithms), iss, aud, azp, exp, iat and the login's nonce.
 * Discovery happens at first use and is cached; a failed one is retried at the next login.
 */
export class OpenIdConnectProvider implements FederatedProvider {
  readonly kind = 'oidc';
  private discovered?: { configuration: Promise<Configuration>; at: number };

  constructor(private readonly options: OpenIdConnectProviderOptions) {}

  get name(): string {
    return this.options.config.name;
  }

  async begin(redirectUri: string): Promise<BegunAuthorization> {
    const { client, config } = this.options;
    const configuration = await this.configuration();
    const { state, nonce = '', codeVerifier, codeChallenge } = await drawLoginSecrets(client, true);
    const authorizationUrl = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: config.scopes.join(' '),
      state,
      nonce,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).href;
    return { authorizationUrl, state, nonce, codeVerifier };
  }

  async identify(callback: ProviderCallback, pending: PendingLogin): Promise<ProviderIdentity> {
    const { client } = this.options;
    const configuration = await this.configuration();
    let claims: IDToken | undefined;
    let accessToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl(callback, pending), {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: callback.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      accessToken = tokens.access_token;
    } catch (error) {
      throw providerFailure(client, this.name, 'the token endpoint', error);
    }
    if (claims === undefined) {
      throw loginRefused(this.name, 'response_invalid', `${this.name} returned no ID token`);
    }
    let profile: Record<string, unknown> = claims;
    // Some issuers put e-mail claims only in userinfo; ask it, bound to the ID token's subject.
    if (typeof claims.email !== 'string' && configuration.serverMetadata().userinfo_endpoint) {
      try {
        profile = { ...(await client.fetchUserInfo(configuration, accessToken, claims.sub)), ...claims };
      } catch (error) {
        throw providerFailure(client, this.name, 'userinfo', error);
      }
    }
    return {
      subject: claims.sub,
      email: typeof profile.email === 'string' ? profile.email : undefined,
      // Only a JSON true counts: a string "true" or a missing claim is not the provider's word.
      emailVerified: profile.email_verified === true,
      displayName: typeof profile.name === 'string' ? profile.name : undefined,
    };
  }

  /** The discovered configuration; UNAVAILABLE naming the provider when discovery fails. */
  private async configuration(): Promise<Configuration> {
    const { clock, discoveryMaxAgeMs } = this.options;
    if (this.discovered === undefined || clock.now() - this.discovered.at >= discoveryMaxAgeMs) {
      const configuration = this.discover();
      this.discovered = { configuration, at: clock.now() };
      // A failed discovery is forgotten, so the next login tries again.
      configuration.catch(() => {
        if (this.discovered?.configuration === configuration) this.discovered = undefined;
      });
    }
    return this.discovered.configuration;
  }

  private async discover(): Promise<Configuration> {
    const { client, config, timeoutMs, clockSkewSeconds } = this.options;
    const issuer = new URL(config.issuer);
    try {
      return await client.discovery(
        issuer,
        config.clientId,
        { client_secret: config.clientSecret, [client.clockTolerance]: clockSkewSeconds },
        config.clientSecret === undefined ? client.None() : client.ClientSecretPost(config.clientSecret),
        {
          timeout: timeoutMs / 1000,
          // Plain http only ever to a provider on this machine (config refuses any other).
          execute:
            issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname)
              ? [client.allowInsecureRequests]
              : [],
        },
      );
    } catch (error) {
      throw providerFailure(client, this.name, 'discovery', error);
    }
  }
}
