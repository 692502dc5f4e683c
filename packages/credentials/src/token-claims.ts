import type { TokenRefusalReason } from './refusal-reasons';

/** The claims of a token Gatehouse issues, as far as `checkTokenClaims` guarantees them. */
export interface TokenClaims {
  iss: string;
  aud: string | string[];
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  nbf?: number;
  /** Session (refresh-token family) the token belongs to. */
  sid: string;
  roles?: string[];
  scopes?: string[];
  tier?: string;
  email?: string;
}

/** What a verifier expects of the claims; times in seconds since the epoch. */
export interface ClaimExpectations {
  readonly issuer: string;
  readonly audience: string;
  readonly nowSeconds: number;
  /** Clock difference tolerated on exp, iat and nbf. */
  readonly skewSeconds: number;
}

const requiredStrings = ['sub', 'jti', 'sid'] as const;
const optionalLists = ['roles', 'scopes'] as const;
const optionalStrings = ['tier', 'email'] as const;

/**
 * Checks decoded claims: iss, aud (one string or a list holding ours), non-empty sub/jti/sid,
 * exp and iat as times, exp/iat/nbf within the skew, and the types of the optional claims.
 */
export function checkTokenClaims(
  claims: Record<string, unknown>,
  expect: ClaimExpectations,
): TokenClaims | TokenRefusalReason {
  const { nowSeconds: now, skewSeconds: skew } = expect;
  if (claims.iss !== expect.issuer) return 'TOKEN_ISSUER_MISMATCH';
  const aud = claims.aud;
  if (!(aud === expect.audience || (Array.isArray(aud) && aud.includes(expect.audience)))) {
    return 'TOKEN_AUDIENCE_MISMATCH';
  }
  const strings = requiredStrings.every((name) => typeof claims[name] === 'string' && claims[name] !== '');
  if (!strings || !isTime(claims.exp) || !isTime(claims.iat)) return 'TOKEN_CLAIMS_INVALID';
  if (now >= claims.exp + skew) return 'TOKEN_EXPIRED';
  if (claims.iat > now + skew) return 'TOKEN_NOT_YET_VALID';
  if (claims.nbf !== undefined && (!isTime(claims.nbf) || claims.nbf > now + skew)) {
    return 'TOKEN_NOT_YET_VALID';
  }
  for (const name of optionalLists) {
    const value = claims[name];
    if (value !== undefined && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
      return 'TOKEN_CLAIMS_INVALID';
    }
  }
  for (const name of optionalStrings) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') return 'TOKEN_CLAIMS_INVALID';
  }
  return claims as unknown as TokenClaims;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
