import type { Counter } from 'prom-client';

/** A label-bound counter child that is incremented in plain JS and reaches prom-client at scrape time. */
export interface DeferredCount {
  inc(): void;
}

interface Pending {
  readonly labels: Record<string, string>;
  count: number;
}

const pendingByCounter = new WeakMap<object, Pending[]>();

/**
 * prom-client hashes the labels on every `inc`, even through a child from `labels()`; on the
 * per-call path that costs more than the rest of the bookkeeping. A deferred count is a plain
 * number, added to the counter by `flushDeferredCounts` from the counter's `collect` (every scrape).
 */
export function deferredCount<L extends string>(
  counter: Counter<L>,
  labels: Record<L, string>,
): DeferredCount {
  const pending: Pending = { labels, count: 0 };
  let list = pendingByCounter.get(counter);
  if (list === undefined) {
    list = [];
    pendingByCounter.set(counter, list);
  }
  list.push(pending);
  return {
    inc: () => {
      pending.count += 1;
    },
  };
}

/** Adds every pending count to `counter`; call it from the counter's `collect`. */
export function flushDeferredCounts<L extends string>(counter: Counter<L>): void {
  for (const pending of pendingByCounter.get(counter) ?? []) {
    if (pending.count === 0) continue;
    counter.inc(pending.labels as Record<L, string>, pending.count);
    pending.count = 0;
  }
}

/**
 * Deferred counts for label values known only at run time (a rule name, a domain): one child per
 * distinct label set, found by a string key. It holds as many children as the counter has series.
 */
export class DeferredCounter<L extends string> {
  private readonly children = new Map<string, DeferredCount>();

  constructor(
    private readonly counter: Counter<L>,
    private readonly labelNames: readonly L[],
  ) {}

  inc(labels: Record<L, string>): void {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name]}\u0000`;
    let child = this.children.get(key);
    if (child === undefined) {
      child = deferredCount(this.counter, { ...labels });
      this.children.set(key, child);
    }
    child.inc();
  }
}
