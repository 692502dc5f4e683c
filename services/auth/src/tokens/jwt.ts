import type { KeyObject } from 'node:crypto';
import {
  readJwt,
  verifyJwtClaims,
  type ClaimExpectations,
  type TokenClaims,
  type TokenType,
} from '@gatehouse/credentials';
import { unauthenticated } from '../support/auth-errors';

export interface VerifyExpectations extends ClaimExpectations {
  typ: TokenType;
  /** Looks the key up by kid; undefined when unknown. Never used as a path, URL or query. */
  key: (kid: string) => Promise<KeyObject | undefined> | KeyObject | undefined;
}

/**
 * Strict verification by the shared rules (@gatehouse/credentials): RS256 only, only alg/kid/typ
 * in the header, a known kid, the expected typ, iss, aud and times. Every failure is
 * UNAUTHENTICATED with its reason. Only the key lookup may wait (a key not loaded yet).
 */
export async function verifyJwt(token: string, expect: VerifyExpectations): Promise<TokenClaims> {
  const jwt = readJwt(token, expect.typ);
  if (typeof jwt === 'string') throw unauthenticated(jwt);
  const key = await expect.key(jwt.kid);
  if (key === undefined) throw unauthenticated('TOKEN_KID_UNKNOWN');
  const claims = verifyJwtClaims(jwt, key, expect);
  if (typeof claims === 'string') throw unauthenticated(claims);
  return claims;
}
