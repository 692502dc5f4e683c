import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import { accessTokenAlgorithm, type JwksCache } from './jwks-cache';
import type { Principal } from './principal';
import { principalFromClaims, type AccessTokenClaims } from './principal-from-claims';
import type { RevocationFeed } from './revocation-feed';
import type { TokenRefusalReason } from './token-refusals';

/** What local verification decided; `ask` hands the token to the auth service's Authenticate. */
export type LocalVerdict =
  { kind: 'accept'; principal: Principal } | { kind: 'refuse'; reason: TokenRefusalReason } | { kind: 'ask' };

/** `typ` of access tokens (RFC 9068); refresh tokens carry another. */
const accessTokenType = 'at+jwt';
const maxTokenLength = 8192;
const segment = /^[A-Za-z0-9_-]+$/;
const kidPattern = /^[A-Za-z0-9_-]{8,64}$/;
const allowedHeader = new Set(['alg', 'kid', 'typ']);
const ask: LocalVerdict = { kind: 'ask' };

interface Verified {
  claims: AccessTokenClaims;
  principal: Principal;
  kid: string;
}

/**
 * Verifies access tokens in process, synchronously, with the rules of the auth service: RS256 only
 * (never `none` or HMAC), only alg/kid/typ in the header, typ at+jwt, a published kid, iss, aud,
 * times within the skew; then the revocation feed. Signatures verified once are remembered by
 * token (bounded) so a repeated token costs map lookups; revocation and expiry are checked on
 * every call. Whatever it cannot decide from what it knows (unknown kid, changed subject, stale
 * feed) it leaves to Authenticate.
 */
export class LocalTokenVerifier {
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly options: {
      jwks: JwksCache;
      feed: RevocationFeed;
      maxStalenessMs: number;
      maxEntries: number;
      now: () => number;
    },
  ) {}

  verify(token: string): LocalVerdict {
    const { feed } = this.options;
    if (!feed.isFresh(this.options.maxStalenessMs)) return ask;
    // Remembered by digest, so that no token is kept in memory.
    const digest = createHash('sha256').update(token).digest('base64');
    let entry = this.verified.get(digest);
    if (entry === undefined || !this.options.jwks.has(entry.kid)) {
      const outcome = this.verifySignatureAndClaims(token);
      if ('kind' in outcome) return outcome;
      entry = outcome;
      this.remember(digest, entry);
    }
    const nowSeconds = this.options.now() / 1000;
    if (nowSeconds >= entry.claims.exp + feed.skewSeconds) {
      this.verified.delete(digest);
      return { kind: 'refuse', reason: 'TOKEN_EXPIRED' };
    }
    const verdict = feed.verdict(entry.claims);
    if (verdict === 'revoked') return { kind: 'refuse', reason: 'TOKEN_REVOKED' };
    if (verdict === 'ask') return ask;
    return { kind: 'accept', principal: entry.principal };
  }

  /** Drops remembered verifications (the published keys changed). */
  forget(): void {
    this.verified.clear();
  }

  private remember(digest: string, entry: Verified): void {
    if (this.options.maxEntries <= 0) return;
    this.verified.delete(digest);
    if (this.verified.size >= this.options.maxEntries)
      this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(digest, entry);
  }

  private verifySignatureAndClaims(token: string): Verified | LocalVerdict {
    const refuse = (reason: TokenRefusalReason): LocalVerdict => ({ kind: 'refuse', reason });
    if (token.length > maxTokenLength) return refuse('TOKEN_MALFORMED');
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => segment.test(part))) return refuse('TOKEN_MALFORMED');
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeObject(headerPart);
    if (header === undefined) return refuse('TOKEN_MALFORMED');
    if (header.alg !== accessTokenAlgorithm) return refuse('TOKEN_ALGORITHM_REJECTED');
    if (Object.keys(header).some((name) => !allowedHeader.has(name))) return refuse('TOKEN_HEADER_REJECTED');
    if (header.typ !== accessTokenType) return refuse('TOKEN_TYPE_MISMATCH');
    if (typeof header.kid !== 'string' || !kidPattern.test(header.kid)) return refuse('TOKEN_KID_UNKNOWN');
    const key = this.options.jwks.get(header.kid);
    if (key === undefined) {
      // Perhaps a key rotated in moments ago: fetch the keys again (rate-limited) and let the
      // service decide this token.
      this.options.jwks.refreshSoon();
      return ask;
    }
    const signature = Buffer.from(signaturePart, 'base64url');
    if (signature.toString('base64url') !== signaturePart) return refuse('TOKEN_MALFORMED');
    if (!safeVerify(`${headerPart}.${payloadPart}`, key, signature)) return refuse('TOKEN_SIGNATURE_INVALID');
    const claims = decodeObject(payloadPart);
    if (claims === undefined) return refuse('TOKEN_MALFORMED');
    const problem = this.checkClaims(claims);
    if (problem !== undefined) return problem;
    const accessClaims = claims as unknown as AccessTokenClaims;
    // Tokens without the user's roles and tier cannot yield the service's principal here.
    if (!Array.isArray(accessClaims.roles) || typeof accessClaims.tier !== 'string') return ask;
    return { claims: accessClaims, principal: principalFromClaims(accessClaims), kid: header.kid };
  }

  private checkClaims(claims: Record<string, unknown>): LocalVerdict | undefined {
    const refuse = (reason: TokenRefusalReason): LocalVerdict => ({ kind: 'refuse', reason });
    const { feed } = this.options;
    const now = this.options.now() / 1000;
    const skew = feed.skewSeconds;
    if (claims.iss !== feed.issuer) return refuse('TOKEN_ISSUER_MISMATCH');
    const aud = claims.aud;
    if (!(aud === feed.audience || (Array.isArray(aud) && aud.includes(feed.audience)))) {
      return refuse('TOKEN_AUDIENCE_MISMATCH');
    }
    const strings = ['sub', 'jti', 'sid'].every(
      (name) => typeof claims[name] === 'string' && claims[name] !== '',
    );
    if (!strings || !isTime(claims.exp) || !isTime(claims.iat)) return refuse('TOKEN_CLAIMS_INVALID');
    if (now >= (claims.exp as number) + skew) return refuse('TOKEN_EXPIRED');
    if ((claims.iat as number) > now + skew) return refuse('TOKEN_NOT_YET_VALID');
    if (claims.nbf !== undefined && (!isTime(claims.nbf) || (claims.nbf as number) > now + skew)) {
      return refuse('TOKEN_NOT_YET_VALID');
    }
    for (const list of ['roles', 'scopes']) {
      const value = claims[list];
      if (value !== undefined && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
        return refuse('TOKEN_CLAIMS_INVALID');
      }
    }
    for (const text of ['tier', 'email']) {
      if (claims[text] !== undefined && typeof claims[text] !== 'string')
        return refuse('TOKEN_CLAIMS_INVALID');
    }
    return undefined;
  }
}

function safeVerify(signed: string, key: KeyObject, signature: Buffer): boolean {
  try {
    return verifySignature('sha256', Buffer.from(signed), key, signature);
  } catch {
    return false;
  }
}

function isTime(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
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
