import type { authV1 } from '@gatehouse/contracts';
import {
  accessTokenType,
  refreshTokenType,
  signJwt,
  type TokenClaims,
  type TokenType,
} from '@gatehouse/credentials';
import type { Clock } from '@gatehouse/runtime';
import { randomToken } from '../support/ids';
import type { UserRecord } from '../users/user-store';
import { verifyJwt } from './jwt';
import type { KeyRing } from './key-ring';

export interface TokenIssuerOptions {
  keyRing: KeyRing;
  clock: Clock;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  skewSeconds: number;
  userScopes: readonly string[];
}

export interface IssuedPair {
  pair: authV1.TokenPair;
  accessJti: string;
  refreshJti: string;
}

/** Signs access and refresh tokens with the current key, and verifies them strictly. */
export class TokenIssuer {
  constructor(private readonly options: TokenIssuerOptions) {}

  /** A new pair for `user` in session `familyId` whose refresh token id is `refreshJti`. */
  issue(user: UserRecord, familyId: string, refreshJti: string): IssuedPair {
    const { keyRing, issuer, audience, accessTtlSeconds, refreshTtlSeconds } = this.options;
    const now = Math.floor(this.options.clock.now() / 1000);
    const key = keyRing.signer();
    const accessJti = randomToken();
    const base = { iss: issuer, aud: audience, sub: user.userId, iat: now, sid: familyId };
    const access: TokenClaims = {
      ...base,
      jti: accessJti,
      exp: now + accessTtlSeconds,
      roles: user.roles,
      scopes: [...this.options.userScopes],
      tier: user.tier,
      email: user.email,
    };
    const refresh: TokenClaims = { ...base, jti: refreshJti, exp: now + refreshTtlSeconds };
    return {
      accessJti,
      refreshJti,
      pair: {
        accessToken: signJwt(access, accessTokenType, key.kid, key.privateKey()),
        refreshToken: signJwt(refresh, refreshTokenType, key.kid, key.privateKey()),
        tokenType: 'Bearer',
        expiresIn: BigInt(accessTtlSeconds),
        refreshExpiresIn: BigInt(refreshTtlSeconds),
      },
    };
  }

  verify(token: string, typ: TokenType): Promise<TokenClaims> {
    const { keyRing, issuer, audience, skewSeconds } = this.options;
    return verifyJwt(token, {
      typ,
      issuer,
      audience,
      skewSeconds,
      nowSeconds: Math.floor(this.options.clock.now() / 1000),
      key: (kid) =>
        keyRing.knownKey(kid)?.publicKey ?? keyRing.verificationKey(kid).then((k) => k?.publicKey),
    });
  }

  verifyAccess(token: string): Promise<TokenClaims> {
    return this.verify(token, accessTokenType);
  }

  verifyRefresh(token: string): Promise<TokenClaims> {
    return this.verify(token, refreshTokenType);
  }

  /** Milliseconds until a token with this `exp` (seconds) can no longer be accepted. */
  remainingMs(exp: number): number {
    return Math.max(0, (exp + this.options.skewSeconds) * 1000 - this.options.clock.now());
  }
}
