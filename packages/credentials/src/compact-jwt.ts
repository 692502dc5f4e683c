import { sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import type { TokenRefusalReason } from './refusal-reasons';
import { checkTokenClaims, type ClaimExpectations, type TokenClaims } from './token-claims';

/** The one signature algorithm (never `none`, HMAC or one a token names): RS256 verifies fastest here (docs/auth.md). */
export const jwtAlgorithm = 'RS256';
/** `typ` of access tokens (RFC 9068) and of refresh tokens. */
export const accessTokenType = 'at+jwt';
export const refreshTokenType = 'rt+jwt';
export type TokenType = typeof accessTokenType | typeof refreshTokenType;

/** A compact JWS whose header passed `readJwt`; its signature is not checked yet. */
export interface SignedJwt {
  /** Key id from the header: well-formed, never used as a path, URL or query. */
  readonly kid: string;
  readonly signingInput: string;
  readonly payloadPart: string;
  readonly signaturePart: string;
}

const maxTokenLength = 8192;
const segment = /^[A-Za-z0-9_-]+$/;
const kidPattern = /^[A-Za-z0-9_-]{8,64}$/;
const allowedHeader = new Set(['alg', 'kid', 'typ']);

export function signJwt(claims: TokenClaims, typ: TokenType, kid: string, privateKey: KeyObject): string {
  const signingInput = `${encode({ alg: jwtAlgorithm, kid, typ })}.${encode(claims)}`;
  const signature = rsaSign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * The structure and header of `token`: three canonical base64url parts, RS256, only alg/kid/typ
 * in the header (no jwk, jku, x5u, x5c, crit), the expected typ, a well-formed kid.
 */
export function readJwt(token: unknown, typ: TokenType): SignedJwt | TokenRefusalReason {
  if (typeof token !== 'string' || token.length > maxTokenLength) return 'TOKEN_MALFORMED';
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => segment.test(part))) return 'TOKEN_MALFORMED';
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeObject(headerPart);
  if (header === undefined) return 'TOKEN_MALFORMED';
  if (header.alg !== jwtAlgorithm) return 'TOKEN_ALGORITHM_REJECTED';
  if (Object.keys(header).some((name) => !allowedHeader.has(name))) return 'TOKEN_HEADER_REJECTED';
  if (header.typ !== typ) return 'TOKEN_TYPE_MISMATCH';
  if (typeof header.kid !== 'string' || !kidPattern.test(header.kid)) return 'TOKEN_KID_UNKNOWN';
  return { kid: header.kid, signingInput: `${headerPart}.${payloadPart}`, payloadPart, signaturePart };
}

/** The claims of `jwt` when `key` signed it and they meet `expect`. Synchronous: no thread-pool wait. */
export function verifyJwtClaims(
  jwt: SignedJwt,
  key: KeyObject,
  expect: ClaimExpectations,
): TokenClaims | TokenRefusalReason {
  const signature = Buffer.from(jwt.signaturePart, 'base64url');
  // Canonical encoding only: a token has exactly one spelling (no malleable trailing bits).
  if (signature.toString('base64url') !== jwt.signaturePart) return 'TOKEN_MALFORMED';
  if (!safeVerify(jwt.signingInput, key, signature)) return 'TOKEN_SIGNATURE_INVALID';
  const claims = decodeObject(jwt.payloadPart);
  if (claims === undefined) return 'TOKEN_MALFORMED';
  return checkTokenClaims(claims, expect);
}

function safeVerify(signed: string, key: KeyObject, signature: Buffer): boolean {
  try {
    return rsaVerify('sha256', Buffer.from(signed), key, signature);
  } catch {
    return false;
  }
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A canonical base64url JSON object, or undefined. */
function decodeObject(part: string): Record<string, unknown> | undefined {
  try {
    const bytes = Buffer.from(part, 'base64url');
    if (bytes.toString('base64url') !== part) return undefined;
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
