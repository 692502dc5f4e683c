import type { Invalidation } from '../authenticate/credential-cache';
import type { RevocationRecord } from './revocation';

/**
 * The revocation a local verifier must hear of for a cache invalidation, or undefined when it
 * concerns only things verifiers ask the service about anyway (API keys). `lifetimeMs` is how long
 * an access token can still be presented: its lifetime plus the clock skew.
 */
export function revocationOf(
  what: Invalidation,
  now: number,
  lifetimeMs: number,
): RevocationRecord | undefined {
  const record = (kind: RevocationRecord['kind'], id: string): RevocationRecord => ({
    kind,
    id,
    revokedAt: now,
    expiresAt: now + lifetimeMs,
  });
  switch (what.kind) {
    case 'jti':
      return record('token', what.id);
    case 'sid':
      return record('session', what.id);
    case 'user':
      return record('subject', what.id);
    default:
      return undefined;
  }
}
