/** In-process concurrency leases: per key, lease id -> expiry (ms). Expired leases are pruned on read. */
export class LeaseTable {
  private readonly byKey = new Map<string, Map<string, number>>();

  count(key: string, now: number): { active: number; earliestExpiry: number } {
    const leases = this.byKey.get(key);
    if (leases === undefined) return { active: 0, earliestExpiry: 0 };
    let earliestExpiry = 0;
    for (const [id, expiry] of leases) {
      if (expiry <= now) leases.delete(id);
      else if (earliestExpiry === 0 || expiry < earliestExpiry) earliestExpiry = expiry;
    }
    if (leases.size === 0) this.byKey.delete(key);
    return { active: leases.size, earliestExpiry };
  }

  add(key: string, id: string, expiry: number): void {
    let leases = this.byKey.get(key);
    if (leases === undefined) {
      leases = new Map();
      this.byKey.set(key, leases);
    }
    leases.set(id, expiry);
  }

  remove(key: string, id: string, now: number): boolean {
    const leases = this.byKey.get(key);
    const expiry = leases?.get(id);
    if (leases === undefined || expiry === undefined) return false;
    leases.delete(id);
    if (leases.size === 0) this.byKey.delete(key);
    return expiry > now;
  }

  clear(key: string): boolean {
    return this.byKey.delete(key);
  }
}
