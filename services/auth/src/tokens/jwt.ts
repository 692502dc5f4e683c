import { sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { unauthenticated } from '../support/auth-errors';
import { signingAlgorithm } from './signing-key-store';

/** `typ` of access tokens (RFC 9068) and of refresh tokens. */
export const accessTokenType = 'at+jwt';
export const refreshTokenType = 'rt+jwt';
export type TokenType = typeof accessTokenType | typeof refreshTokenType;

export interface TokenClaims {
  iss: string;
  aud: string;
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  /** Session (refresh-token family) the token belongs to. */
  sid: string;
  roles?: string[];
  scopes?: string[];
  tier?: string;
  email?: string;
}

export interface VerifyExpectations {
  typ: TokenType;
  issuer: string;
  audience: string;
  nowSeconds: number;
  skewSeconds: number;
  /** Looks the key up by kid; undefined when unknown. Never used as a path, URL or query. */
  key: (kid: string) => Promise<KeyObject | undefined> | KeyObject | undefined;
}

const maxTokenLength = 8192;
const segment = /^[A-Za-z0-9_-]+$/;
const kidPattern = /^[A-Za-z0-9_-]{8,64}$/;
const allowedHeader = new Set(['alg', 'kid', 'typ']);

export function signJwt(claims: TokenClaims, typ: TokenType, kid: string, privateKey: KeyObject): string {
  const header = encode({ alg: signingAlgorithm, kid, typ });
  const payload = encode(claims);
  const signature = rsaSign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

/**
 * Strict verification: one algorithm (RS256, never `none` or HMAC), only alg/kid/typ in the header
 * (no jwk, jku, x5u, x5c, crit), a well-formed known kid, the expected typ, iss, aud and times.
 * Every failure is UNAUTHENTICATED with a reason. Synchronous crypto: no thread-pool wait.
 */
export async function verifyJwt(token: string, expect: VerifyExpectations): Promise<TokenClaims> {
  if (typeof token !== 'string' || token.length > maxTokenLength) throw unauthenticated('TOKEN_MALFORMED');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => segment.test(part)))
    throw unauthenticated('TOKEN_MALFORMED');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeObject(headerPart);
  if (header.alg !== signingAlgorithm) throw unauthenticated('TOKEN_ALGORITHM_REJECTED');
  if (Object.keys(header).some((name) => !allowedHeader.has(name)))
    throw unauthenticated('TOKEN_HEADER_REJECTED');
  if (header.typ !== expect.typ) throw unauthenticated('TOKEN_TYPE_MISMATCH');
  if (typeof header.kid !== 'string' || !kidPattern.test(header.kid))
    throw unauthenticated('TOKEN_KID_UNKNOWN');
  const key = await expect.key(header.kid);
  if (key === undefined) throw unauthenticated('TOKEN_KID_UNKNOWN');
  const signature = Buffer.from(signaturePart, 'base64url');
  // Canonical encoding only: a token has exactly one spelling (no malleable trailing bits).
  if (signature.toString('base64url') !== signaturePart) throw unauthenticated('TOKEN_MALFORMED');
  if (!safeVerify(`${headerPart}.${payloadPart}`, key, signature))
    throw unauthenticated('TOKEN_SIGNATURE_INVALID');
  const claims = decodeObject(payloadPart);
  checkClaims(claims, expect);
  return claims as unknown as TokenClaims;
}

/** The claims of a token without verifying it: only for tokens this service just verified or issued. */
export function peekClaims(token: string): Record<string, unknown> | undefined {
  try {
    return decodeObject(token.split('.')[1] ?? '');
  } catch {
    return undefined;
  }
}

function checkClaims(claims: Record<string, unknown>, expect: VerifyExpectations): void {
  const { nowSeconds: now, skewSeconds: skew } = expect;
  if (claims.iss !== expect.issuer) throw unauthenticated('TOKEN_ISSUER_MISMATCH');
  const aud = claims.aud;
  if (!(aud === expect.audience || (Array.isArray(aud) && aud.includes(expect.audience)))) {
    throw unauthenticated('TOKEN_AUDIENCE_MISMATCH');
  }
  const strings = ['sub', 'jti', 'sid'].every(
    (name) => typeof claims[name] === 'string' && claims[name] !== '',
  );
  if (!strings || !isTime(claims.exp) || !isTime(claims.iat)) throw unauthenticated('TOKEN_CLAIMS_INVALID');
  if (now >= (claims.exp as number) + skew) throw unauthenticated('TOKEN_EXPIRED');
  if ((claims.iat as number) > now + skew) throw unauthenticated('TOKEN_NOT_YET_VALID');
  if (claims.nbf !== undefined && (!isTime(claims.nbf) || (claims.nbf as number) > now + skew)) {
    throw unauthenticated('TOKEN_NOT_YET_VALID');
  }
  for (const list of ['roles', 'scopes']) {
    const value = claims[list];
    if (value !== undefined && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
      throw unauthenticated('TOKEN_CLAIMS_INVALID');
    }
  }
}

function safeVerify(signed: string, key: KeyObject, signature: Buffer): boolean {
  try {
    return rsaVerify('sha256', Buffer.from(signed), key, signature);
  } catch {
    return false;
  }
}

function isTime(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeObject(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    const bytes = Buffer.from(part, 'base64url');
    if (bytes.toString('base64url') !== part) throw new Error('non-canonical base64url');
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw unauthenticated('TOKEN_MALFORMED');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw unauthenticated('TOKEN_MALFORMED');
  return value as Record<string, unknown>;
}
