import type { authV1 } from '@gatehouse/contracts';
import type { Clock } from '@gatehouse/runtime';

export interface CachedCredential {
  principal: authV1.Principal;
  /** Epoch ms after which the entry must not be used: min(credential expiry, cached at + max age). */
  validUntil: number;
  userId: string;
  jti?: string;
  sid?: string;
  keyId?: string;
}

/** Which entries an invalidation message drops. */
export type Invalidation =
  | { kind: 'user'; id: string }
  | { kind: 'jti'; id: string }
  | { kind: 'sid'; id: string }
  | { kind: 'key'; id: string }
  | { kind: 'all' };

/**
 * Verified credentials, keyed by a digest of the credential (never the credential itself). Bounded
 * in entries (oldest evicted first) and in age, and emptied selectively on invalidations.
 */
export class CredentialCache {
  private readonly entries = new Map<string, CachedCredential>();
  /** Bumped by every invalidation; `set` ignores results computed across one. */
  generation = 0;

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries: number,
  ) {}

  get(digest: string): CachedCredential | undefined {
    const entry = this.entries.get(digest);
    if (entry === undefined) return undefined;
    if (entry.validUntil <= this.clock.now()) {
      this.entries.delete(digest);
      return undefined;
    }
    return entry;
  }

  set(digest: string, entry: CachedCredential, generation: number): void {
    if (this.maxEntries <= 0 || generation !== this.generation) return;
    this.entries.delete(digest);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(digest, entry);
  }

  invalidate(what: Invalidation): void {
    this.generation += 1;
    if (what.kind === 'all') {
      this.entries.clear();
      return;
    }
    for (const [digest, entry] of this.entries) {
      const field =
        what.kind === 'user'
          ? entry.userId
          : what.kind === 'jti'
            ? entry.jti
            : what.kind === 'sid'
              ? entry.sid
              : entry.keyId;
      if (field === what.id) this.entries.delete(digest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
