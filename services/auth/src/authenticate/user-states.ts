import type { Clock } from '@gatehouse/runtime';
import type { UserRecord, UserStore } from '../users/user-store';

/**
 * Users as Authenticate needs them (disabled? roles? tier?), read from SQL at most once per max
 * age per user, and dropped at once on an invalidation. Concurrent misses share one query.
 */
export class UserStates {
  private readonly entries = new Map<string, { user: UserRecord | undefined; at: number }>();
  private readonly loading = new Map<string, Promise<UserRecord | undefined>>();
  /** Bumped by every invalidation: a load that overlapped one is used once but not kept. */
  private generation = 0;

  constructor(
    private readonly users: UserStore,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    private readonly maxEntries: number,
  ) {}

  async get(userId: string): Promise<UserRecord | undefined> {
    const entry = this.entries.get(userId);
    if (entry !== undefined && this.clock.now() - entry.at < this.maxAgeMs) return entry.user;
    let pending = this.loading.get(userId);
    if (pending === undefined) {
      const startedAt = this.clock.now();
      const generation = this.generation;
      pending = this.users.byId(userId).finally(() => this.loading.delete(userId));
      this.loading.set(userId, pending);
      const user = await pending;
      if (generation !== this.generation) return user;
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(userId, { user, at: startedAt });
      return user;
    }
    return pending;
  }

  invalidate(userId?: string): void {
    this.generation += 1;
    if (userId === undefined) this.entries.clear();
    else this.entries.delete(userId);
    if (userId === undefined) this.loading.clear();
    else this.loading.delete(userId);
  }
}
