/**
 * Keys known to be over their limit, until the time one hit fits again. A cached key is denied
 * without a store round trip. It can only deny what the store would also deny (entries are written
 * from the store's own answer and expire when it said one hit fits), so it never admits more than
 * the limit. Bounded: when full, the entry that expires first makes room.
 */
export class OverLimitCache {
  private readonly until = new Map<string, number>();

  constructor(private readonly maxKeys = 100_000) {}

  /** Ms the key stays over, or 0 when it is not known to be over. */
  overFor(key: string, now: number): number {
    const until = this.until.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.until.delete(key);
      return 0;
    }
    return until - now;
  }

  remember(key: string, until: number): void {
    if (this.until.size >= this.maxKeys && !this.until.has(key)) {
      const first = this.until.keys().next().value;
      if (first !== undefined) this.until.delete(first);
    }
    this.until.set(key, until);
  }

  forget(key: string): void {
    this.until.delete(key);
  }
}
