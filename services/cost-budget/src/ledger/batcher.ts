/** Queues items and runs them in batches (group commit). */
export interface Batcher<Item, Outcome> {
  /** Resolves with the item's outcome once its batch ran; rejects when the whole batch failed. */
  submit(item: Item): Promise<Outcome>;
}

export interface BatcherOptions<Item, Outcome> {
  /** Runs one batch; answers one outcome per item, in order. */
  run(items: readonly Item[]): Promise<Outcome[]>;
  /** Most items in one batch. */
  maxBatch: number;
  /** Batches running at once (default 1); a second one overlaps the first's round trips. */
  maxInFlight?: number;
  /**
   * Keeps the load in two even groups (default false). Under a closed-loop load the items of a
   * finished batch come back as new ones while the next batch runs; a batch that took nearly all
   * of them leaves the next one nearly empty, and the two then alternate big and small, each
   * mostly waiting for the other. With this set, a batch takes at most half of the items in
   * circulation (those waiting plus the last batch's), so one group runs while the other is
   * answered and comes back. An idle batcher still starts a lone item at once.
   */
  evenGroups?: boolean;
}

interface Waiting<Item, Outcome> {
  item: Item;
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
}

/**
 * An item submitted while no batch runs starts one at once (no added latency when idle); items
 * submitted while one runs wait and all go together as the next batch. Under load, each batch
 * carries everything that arrived during the previous one, so one transaction serves many calls.
 */
export function createBatcher<Item, Outcome>(options: BatcherOptions<Item, Outcome>): Batcher<Item, Outcome> {
  let waiting: Waiting<Item, Outcome>[] = [];
  let running = 0;
  let lastBatchSize = 0;
  const maxInFlight = options.maxInFlight ?? 1;

  const nextBatchSize = (): number => {
    if (!options.evenGroups) return options.maxBatch;
    return Math.min(options.maxBatch, Math.ceil((waiting.length + lastBatchSize) / 2));
  };

  const pump = (): void => {
    if (running >= maxInFlight || waiting.length === 0) return;
    running += 1;
    const batch = waiting.slice(0, nextBatchSize());
    lastBatchSize = batch.length;
    waiting = waiting.slice(batch.length);
    void runBatch(batch).finally(() => {
      running -= 1;
      pump();
    });
  };

  const runBatch = async (batch: Waiting<Item, Outcome>[]): Promise<void> => {
    try {
      const outcomes = await options.run(batch.map((entry) => entry.item));
      if (outcomes.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} answered ${outcomes.length} outcomes`);
      }
      batch.forEach((entry, index) => entry.resolve(outcomes[index]!));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  };

  return {
    submit(item) {
      return new Promise<Outcome>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        pump();
      });
    },
  };
}
