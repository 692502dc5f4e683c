import type { PendingLogin } from './pending-logins';

/** Who the provider says logged in. */
export interface ProviderIdentity {
  /** The provider's stable id of the account: `sub`, or GitHub's numeric user id. */
  subject: string;
  email?: string;
  /** True only when the provider itself asserts the e-mail address is verified. */
  emailVerified: boolean;
  displayName?: string;
}

/** A begun authorization request: the URL for the browser and the secrets kept until completion. */
export interface BegunAuthorization {
  authorizationUrl: string;
  state: string;
  /** Absent for providers without ID tokens (GitHub). */
  nonce?: string;
  /** The PKCE verifier whose S256 challenge is in the URL. */
  codeVerifier: string;
}

/** What the provider sent to the redirect URI. */
export interface ProviderCallback {
  state: string;
  code: string;
  /** RFC 9207 `iss`, when sent. */
  iss?: string;
}

/** One configured identity provider; failures are GatehouseErrors naming it (federation-errors). */
export interface FederatedProvider {
  readonly name: string;
  readonly kind: 'oidc' | 'github';
  /** Draws state, PKCE verifier and (OpenID Connect) nonce, and builds the authorization URL. */
  begin(redirectUri: string): Promise<BegunAuthorization>;
  /** Exchanges the code (with the pending login's PKCE verifier) and validates who it is. */
  identify(callback: ProviderCallback, pending: PendingLogin): Promise<ProviderIdentity>;
}

/** The redirect URI with the callback's parameters, as the relying-party library wants it. */
export function callbackUrl(callback: ProviderCallback, pending: PendingLogin): URL {
  const url = new URL(pending.redirectUri);
  url.searchParams.set('code', callback.code);
  url.searchParams.set('state', callback.state);
  if (callback.iss !== undefined && callback.iss !== '') url.searchParams.set('iss', callback.iss);
  return url;
}
