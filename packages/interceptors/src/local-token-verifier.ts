import { createHash } from 'node:crypto';
import { accessTokenType, readJwt, verifyJwtClaims, type TokenRefusalReason } from '@gatehouse/credentials';
import type { JwksCache } from './jwks-cache';
import type { Principal } from './principal';
import { principalFromClaims, type AccessTokenClaims } from './principal-from-claims';
import type { RevocationFeed } from './revocation-feed';

/** What local verification decided; `ask` hands the token to the auth service's Authenticate. */
export type LocalVerdict =
  { kind: 'accept'; principal: Principal } | { kind: 'refuse'; reason: TokenRefusalReason } | { kind: 'ask' };

const ask: LocalVerdict = { kind: 'ask' };

interface Verified {
  claims: AccessTokenClaims;
  principal: Principal;
  kid: string;
}

/**
 * Verifies access tokens in process, synchronously, by the auth service's own rules
 * (@gatehouse/credentials): RS256 only, only alg/kid/typ in the header, typ at+jwt, a published
 * kid, iss, aud, times within the skew; then the revocation feed. Signatures verified once are remembered by
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
    const jwt = readJwt(token, accessTokenType);
    if (typeof jwt === 'string') return refuse(jwt);
    const key = this.options.jwks.get(jwt.kid);
    if (key === undefined) {
      // Perhaps a key rotated in moments ago: fetch the keys again (rate-limited) and let the
      // service decide this token.
      this.options.jwks.refreshSoon();
      return ask;
    }
    const { feed } = this.options;
    const claims = verifyJwtClaims(jwt, key, {
      issuer: feed.issuer,
      audience: feed.audience,
      nowSeconds: this.options.now() / 1000,
      skewSeconds: feed.skewSeconds,
    });
    if (typeof claims === 'string') return refuse(claims);
    // Tokens without the user's roles and tier cannot yield the service's principal here.
    if (claims.roles === undefined || claims.tier === undefined) return ask;
    const accessClaims = claims as AccessTokenClaims;
    return { claims: accessClaims, principal: principalFromClaims(accessClaims), kid: jwt.kid };
  }
}

function refuse(reason: TokenRefusalReason): LocalVerdict {
  return { kind: 'refuse', reason };
}
