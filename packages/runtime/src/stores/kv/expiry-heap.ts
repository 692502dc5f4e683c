/** One scheduled expiry: `key` expires at `expiresAt` unless its entry changed since (stale). */
export interface ExpiryItem {
  key: string;
  expiresAt: number;
}

/**
 * A binary min-heap of expiries, so the memory store finds the next key to expire (for the sweep)
 * or to evict (nearest expiry first) in O(log n) instead of scanning every key.
 * Items are never updated in place: a changed expiry pushes a new item and the caller discards
 * stale ones when they surface (lazy deletion), and rebuilds the heap when stale items pile up.
 */
export class ExpiryHeap {
  private items: ExpiryItem[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: ExpiryItem): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.expiresAt <= item.expiresAt) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = item;
  }

  peek(): ExpiryItem | undefined {
    return this.items[0];
  }

  pop(): ExpiryItem | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.expiresAt < items[left]!.expiresAt ? right : left;
      if (items[child]!.expiresAt >= last.expiresAt) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = last;
    return top;
  }

  /** Replaces the content with `items` (used to drop stale items in one O(n) pass). */
  rebuild(items: ExpiryItem[]): void {
    this.items = [];
    for (const item of items) this.push(item);
  }
}
