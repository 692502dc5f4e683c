import { authV1 } from '@gatehouse/contracts';
import { isServiceAccount, type TokenClaims } from '@gatehouse/credentials';
import type { Principal } from './principal';

/** The claims of an access token the auth service issued for a user: with roles and tier. */
export type AccessTokenClaims = TokenClaims & { roles: string[]; tier: string };

/**
 * The Principal the auth service's Authenticate returns for this token, built from its claims. The
 * token carries the user's email, roles and tier as they were at issue; a change of the user since
 * then arrives on the revocation feed and sends the token back to Authenticate.
 */
export function principalFromClaims(claims: AccessTokenClaims): Principal {
  const roles = [...claims.roles];
  return {
    subject: claims.sub,
    kind: isServiceAccount(roles)
      ? authV1.PrincipalKind.PRINCIPAL_KIND_SERVICE
      : authV1.PrincipalKind.PRINCIPAL_KIND_USER,
    email: claims.email ?? '',
    roles,
    scopes: [...(claims.scopes ?? [])],
    tier: claims.tier,
    apiKeyId: '',
    expiresAt: new Date(claims.exp * 1000),
  };
}
