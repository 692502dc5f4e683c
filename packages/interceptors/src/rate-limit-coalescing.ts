/**
 * Coalescing: calls with the same descriptors that arrive while a CheckLimit for them is in flight
 * wait for it, and are then decided together by one CheckLimit with hits = their number. Counting
 * is unchanged; under load it saves most round trips.
 */
export class Coalescing<W> {
  /** Calls waiting behind the in-flight CheckLimit of each descriptor set. */
  private readonly waiting = new Map<string, W[]>();

  /** Queues `waiters` behind the CheckLimit in flight for `key`; false when there is none. */
  join(key: string, waiters: readonly W[]): boolean {
    const queue = this.waiting.get(key);
    if (queue === undefined) return false;
    queue.push(...waiters);
    return true;
  }

  /** A CheckLimit for `key` goes out: later calls for it wait. */
  open(key: string): void {
    this.waiting.set(key, []);
  }

  /** Its answer came: the calls that waited, to be decided next (none when it was not opened). */
  close(key: string): W[] {
    const queue = this.waiting.get(key) ?? [];
    this.waiting.delete(key);
    return queue;
  }
}
