/** Thrown when every slot holds a live counter: the decision fails and the failure policy applies. */
export class StoreFullError extends Error {
  constructor(maxKeys: number) {
    super(`memory limit store is full (${maxKeys} active counters)`);
    this.name = 'StoreFullError';
  }
}

const columns = 4; // a, b, c, expiresAt

/**
 * Counters as rows of one Float64Array (three numbers and an expiry per key), indexed by a Map from
 * key to row: compact (no object per counter) and bounded. Expired rows are reclaimed lazily on
 * read, by an incremental sweep, and when the slab is full.
 */
export class CounterSlab {
  private readonly index = new Map<string, number>();
  private rows = new Float64Array(1024 * columns);
  private readonly free: number[] = [];
  private used = 0;
  private sweeper: Iterator<[string, number]> | undefined;

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.index.size;
  }

  /** [a, b, c] of a live counter, or undefined. */
  read(key: string, now: number): [number, number, number] | undefined {
    const row = this.index.get(key);
    if (row === undefined) return undefined;
    const base = row * columns;
    if ((this.rows[base + 3] ?? 0) <= now) {
      this.remove(key, row);
      return undefined;
    }
    return [this.rows[base] ?? 0, this.rows[base + 1] ?? 0, this.rows[base + 2] ?? 0];
  }

  write(key: string, a: number, b: number, c: number, expiresAt: number, now: number): void {
    let row = this.index.get(key);
    if (row === undefined) {
      row = this.allocate(now);
      this.index.set(key, row);
    }
    const base = row * columns;
    this.rows[base] = a;
    this.rows[base + 1] = b;
    this.rows[base + 2] = c;
    this.rows[base + 3] = expiresAt;
  }

  delete(key: string): boolean {
    const row = this.index.get(key);
    if (row === undefined) return false;
    this.remove(key, row);
    return true;
  }

  /** Looks at up to `budget` counters (round robin) and reclaims the expired ones. */
  sweep(now: number, budget: number): void {
    for (let i = 0; i < budget && this.index.size > 0; i += 1) {
      this.sweeper ??= this.index.entries();
      const next = this.sweeper.next();
      if (next.done === true) {
        this.sweeper = undefined;
        continue;
      }
      const [key, row] = next.value;
      if ((this.rows[row * columns + 3] ?? 0) <= now) this.remove(key, row);
    }
  }

  private allocate(now: number): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.index.size >= this.maxKeys) {
      this.sweep(now, Math.min(this.index.size, 10_000));
      const freed = this.free.pop();
      if (freed !== undefined) return freed;
      throw new StoreFullError(this.maxKeys);
    }
    if ((this.used + 1) * columns > this.rows.length) {
      const grown = new Float64Array(Math.min(this.rows.length * 2, this.maxKeys * columns + columns));
      grown.set(this.rows);
      this.rows = grown;
    }
    const row = this.used;
    this.used += 1;
    return row;
  }

  private remove(key: string, row: number): void {
    this.index.delete(key);
    this.rows[row * columns + 3] = 0;
    this.free.push(row);
  }
}
