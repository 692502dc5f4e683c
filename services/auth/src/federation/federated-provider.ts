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

/** The parameters of the authorization request that Gatehouse chose. */
export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  /** Absent for providers without ID tokens (GitHub). */
  nonce?: string;
  /** S256 of the PKCE verifier. */
  codeChallenge: string;
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
  /** OpenID Connect providers bind their ID token to a nonce; GitHub has none. */
  readonly usesNonce: boolean;
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
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
