import { authV1 } from '@gatehouse/contracts';
import type { Principal } from './principal';

/** The claims of an access token the auth service issued. */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  sub: string;
  jti: string;
  sid: string;
  iat: number;
  exp: number;
  roles: string[];
  scopes?: string[];
  tier: string;
  email?: string;
}

/**
 * The Principal the auth service's Authenticate returns for this token, built from its claims. The
 * token carries the user's email, roles and tier as they were at issue; a change of the user since
 * then arrives on the revocation feed and sends the token back to Authenticate.
 */
export function principalFromClaims(claims: AccessTokenClaims): Principal {
  const roles = [...claims.roles];
  const service = roles.includes('service') && !roles.includes('user') && !roles.includes('admin');
  return {
    subject: claims.sub,
    kind: service ? authV1.PrincipalKind.PRINCIPAL_KIND_SERVICE : authV1.PrincipalKind.PRINCIPAL_KIND_USER,
    email: claims.email ?? '',
    roles,
    scopes: [...(claims.scopes ?? [])],
    tier: claims.tier,
    apiKeyId: '',
    expiresAt: new Date(claims.exp * 1000),
  };
}
