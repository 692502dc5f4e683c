import type { UserRecord } from '../users/user-store';
import { newId, randomToken } from '../support/ids';
import type { IssuedPair } from '../tokens/token-issuer';
import type { AuthDomain } from './auth-domain';

/** A new refresh-token family (session) for `user`, with its first token pair. */
export async function startSession(domain: AuthDomain, user: UserRecord): Promise<IssuedPair> {
  const familyId = newId('ses');
  const refreshJti = randomToken();
  const now = domain.clock.now();
  const issued = domain.tokens.issue(user, familyId, refreshJti);
  await domain.families.create(
    familyId,
    user.userId,
    refreshJti,
    new Date(now),
    new Date(now + domain.settings.refreshTokenTtlSeconds * 1000),
  );
  return issued;
}

/** How long a revoked session's access tokens must stay denied: an access lifetime plus skew. */
export function sessionDenyMs(domain: AuthDomain): number {
  return (domain.settings.accessTokenTtlSeconds + domain.settings.clockSkewSeconds) * 1000;
}

/** Revokes sessions in the key-value store (their access tokens) and on every replica's cache. */
export async function denySessions(domain: AuthDomain, familyIds: readonly string[]): Promise<void> {
  for (const familyId of familyIds) {
    await domain.revocations.revokeSession(familyId, sessionDenyMs(domain));
    await domain.invalidate({ kind: 'sid', id: familyId });
  }
}
