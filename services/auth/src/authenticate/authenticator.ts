import { hash } from 'node:crypto';
import { authV1 } from '@gatehouse/contracts';
import { isServiceAccount, unmetRequirement } from '@gatehouse/credentials';
import type { Clock } from '@gatehouse/runtime';
import { hashApiKey, looksLikeApiKey } from '../api-keys/api-key-format';
import type { ApiKeyStore } from '../api-keys/api-key-store';
import type { LastUsedRecorder } from '../api-keys/last-used-recorder';
import type { AuthMetrics } from '../auth-metrics';
import type { Revocations } from '../sessions/revocations';
import { permissionDenied, unauthenticated } from '../support/auth-errors';
import type { TokenIssuer } from '../tokens/token-issuer';
import type { UserRecord } from '../users/user-store';
import type { CachedCredential, CredentialCache } from './credential-cache';
import type { UserStates } from './user-states';

export type Credential = { bearerToken: string } | { apiKey: string };

export interface AuthenticatorOptions {
  tokens: TokenIssuer;
  apiKeys: ApiKeyStore;
  lastUsed: LastUsedRecorder;
  revocations: Revocations;
  userStates: UserStates;
  cache: CredentialCache;
  clock: Clock;
  apiKeyPrefix: string;
  /** Longest a verification is reused without re-checking revocation and the user. */
  cacheMaxAgeMs: number;
  /** Counts each verification (cache hit or miss, and its result). */
  metrics?: AuthMetrics;
}

/**
 * Authenticate: a bearer access token or an API key to a Principal. A repeated credential is a
 * hash and a map lookup; the first sight verifies the signature (sync RS256), checks revocation
 * and the user, then caches the result for at most min(exp, max age).
 */
export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  async authenticate(
    credential: Credential,
    requiredScopes: readonly string[] = [],
    requiredRoles: readonly string[] = [],
  ): Promise<authV1.Principal> {
    const secret = 'bearerToken' in credential ? credential.bearerToken : credential.apiKey;
    if (secret === '') throw unauthenticated('CREDENTIAL_MISSING');
    // One-shot hash: a Hash object per call costs more than hashing the ~600 bytes of a token.
    const digest = hash('sha256', secret, 'base64url');
    const { cache } = this.options;
    let entry = cache.get(digest);
    const cacheHit = entry !== undefined;
    const kind = 'bearerToken' in credential ? 'access_token' : 'api_key';
    try {
      if (entry === undefined) {
        const generation = cache.generation;
        entry = kind === 'access_token' ? await this.fromToken(secret) : await this.fromApiKey(secret);
        cache.set(digest, entry, generation);
      }
      if (entry.keyId !== undefined) this.options.lastUsed.touch(entry.keyId);
      enforce(entry.principal, requiredScopes, requiredRoles);
    } catch (error) {
      this.options.metrics?.verification(kind, cacheHit, error);
      throw error;
    }
    this.options.metrics?.verification(kind, cacheHit);
    return entry.principal;
  }

  private async fromToken(token: string): Promise<CachedCredential> {
    const claims = await this.options.tokens.verifyAccess(token);
    const [user, revoked] = await Promise.all([
      this.options.userStates.get(claims.sub),
      this.options.revocations.isRevoked(claims.jti, claims.sid),
    ]);
    if (revoked || user === undefined) throw unauthenticated('TOKEN_REVOKED');
    if (user.disabled) throw unauthenticated('USER_DISABLED');
    const expiresAt = claims.exp * 1000;
    return {
      principal: principalOf(
        user,
        isServiceAccount(user.roles)
          ? authV1.PrincipalKind.PRINCIPAL_KIND_SERVICE
          : authV1.PrincipalKind.PRINCIPAL_KIND_USER,
        claims.scopes ?? [],
        new Date(expiresAt),
      ),
      validUntil: Math.min(expiresAt, this.options.clock.now() + this.options.cacheMaxAgeMs),
      userId: user.userId,
      jti: claims.jti,
      sid: claims.sid,
    };
  }

  private async fromApiKey(apiKey: string): Promise<CachedCredential> {
    if (!looksLikeApiKey(apiKey, this.options.apiKeyPrefix)) throw unauthenticated('API_KEY_INVALID');
    const record = await this.options.apiKeys.byHash(hashApiKey(apiKey));
    if (record === undefined) throw unauthenticated('API_KEY_INVALID');
    const now = this.options.clock.now();
    if (record.revokedAt !== undefined) throw unauthenticated('API_KEY_REVOKED');
    if (record.expiresAt !== undefined && record.expiresAt.getTime() <= now)
      throw unauthenticated('API_KEY_EXPIRED');
    const user = await this.options.userStates.get(record.userId);
    if (user === undefined) throw unauthenticated('API_KEY_REVOKED');
    if (user.disabled) throw unauthenticated('USER_DISABLED');
    const principal = principalOf(
      user,
      authV1.PrincipalKind.PRINCIPAL_KIND_API_KEY,
      record.scopes,
      record.expiresAt,
      record.keyId,
    );
    const expiry = record.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    return {
      principal,
      validUntil: Math.min(expiry, now + this.options.cacheMaxAgeMs),
      userId: user.userId,
      keyId: record.keyId,
    };
  }
}

function enforce(principal: authV1.Principal, scopes: readonly string[], roles: readonly string[]): void {
  const unmet = unmetRequirement(principal, { scopes, roles });
  if (unmet !== undefined) throw permissionDenied(unmet.message, unmet.reason);
}

/**
 * Frozen: a cached principal is shared by every call presenting the credential, and its encoded
 * Authenticate response is reused (authenticate-response.ts), so it must never change.
 */
function principalOf(
  user: UserRecord,
  kind: authV1.PrincipalKind,
  scopes: string[],
  expiresAt: Date | undefined,
  apiKeyId = '',
): authV1.Principal {
  return Object.freeze({
    subject: user.userId,
    kind,
    email: user.email,
    roles: Object.freeze([...user.roles]) as string[],
    scopes: Object.freeze([...scopes]) as string[],
    tier: user.tier,
    apiKeyId,
    expiresAt,
  });
}
