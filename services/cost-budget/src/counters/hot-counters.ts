import type { KeyValueStore } from '@gatehouse/runtime';
import type { LedgerEntry } from '../ledger/ledger-entries';
import { usageKeyText, type UsageKey } from '../ledger/usage-key';
import type { Usage } from '../ledger/usage-rows';

/**
 * Hot spend/hold counters per usage row in the key-value store: a fast read cache of the ledger.
 * PostgreSQL stays the truth (admission is decided there); counters are rebuilt from the ledger
 * whenever they are missing (Redis flushed, evicted, or never written).
 *
 * Each value is stored as 1 + its amount, so a key that existed always holds at least 1: when an
 * increment answers exactly its delta, the key had been lost and the increment created a partial
 * value — it is deleted again, and the next read rebuilds the counter from the ledger.
 */
export interface HotCounters {
  /**
   * Applies committed ledger deltas (after COMMIT). Never throws: a failure drops the counter.
   * Callers need not wait: every read and write of this replica first waits for pending applies.
   * Deltas applied in one event-loop turn (a whole batch's) are summed per counter and sent together.
   */
  apply(entries: readonly LedgerEntry[]): Promise<void>;
  /** Resolves when every apply started so far has finished (reads wait for this; so does shutdown). */
  flushed(): Promise<void>;
  /** The cached usage, or undefined when either counter is missing. */
  read(key: UsageKey): Promise<Usage | undefined>;
  /** Sets both counters from ledger totals; `onlyIfAbsent` keeps counters written meanwhile. */
  write(key: UsageKey, usage: Usage, options: { onlyIfAbsent: boolean; ttlMs?: number }): Promise<void>;
  /** Deletes both counters of a usage row. */
  drop(key: UsageKey): Promise<void>;
}

const maxSafeDelta = BigInt(Number.MAX_SAFE_INTEGER);

/** Both counters of one usage row share a hash tag, so they live on one Redis Cluster slot. */
export function counterKeys(key: UsageKey): { spent: string; reserved: string } {
  const tag = `{${usageKeyText(key)}}`;
  return { spent: `usage:${tag}:spent`, reserved: `usage:${tag}:reserved` };
}

export function createHotCounters(options: {
  kv: KeyValueStore;
  onError: (error: unknown) => void;
}): HotCounters {
  const { kv } = options;
  const bump = async (counter: string, delta: bigint) => {
    if (delta === 0n) return;
    if (delta > maxSafeDelta || delta < -maxSafeDelta) {
      await kv.delete(counter);
      return;
    }
    const value = await kv.incrementBy(counter, Number(delta));
    if (value === Number(delta)) await kv.delete(counter);
  };
  const pending = new Set<Promise<void>>();
  const flushed = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  const drop = async (key: UsageKey) => {
    const keys = counterKeys(key);
    await kv.delete(keys.spent);
    await kv.delete(keys.reserved);
  };
  const applyNow = (entries: Iterable<LedgerEntry>) =>
    // All at once: the commands share one pipelined round trip instead of one each.
    Promise.all(
      [...entries].map(async (entry) => {
        const keys = counterKeys(entry.key);
        try {
          await Promise.all([bump(keys.spent, entry.spentDelta), bump(keys.reserved, entry.reservedDelta)]);
        } catch (error) {
          options.onError(error);
          await drop(entry.key).catch(() => undefined);
        }
      }),
    ).then(() => undefined);

  // This turn's deltas, one summed entry per usage row, sent once the turn is over.
  let turn: { entries: Map<string, LedgerEntry>; done: Promise<void> } | undefined;
  const openTurn = () => {
    const entries = new Map<string, LedgerEntry>();
    const done = new Promise<void>((resolve) =>
      setImmediate(() => {
        turn = undefined;
        void applyNow(entries.values()).then(resolve);
      }),
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
    return { entries, done };
  };
  return {
    apply(entries) {
      if (entries.length === 0) return Promise.resolve();
      turn ??= openTurn();
      for (const entry of entries) {
        const text = usageKeyText(entry.key);
        const summed = turn.entries.get(text);
        turn.entries.set(
          text,
          summed === undefined
            ? entry
            : {
                key: entry.key,
                spentDelta: summed.spentDelta + entry.spentDelta,
                reservedDelta: summed.reservedDelta + entry.reservedDelta,
              },
        );
      }
      return turn.done;
    },
    flushed,
    async read(key) {
      await flushed();
      const keys = counterKeys(key);
      const [spent, reserved] = [await kv.get(keys.spent), await kv.get(keys.reserved)];
      if (spent === null || reserved === null) return undefined;
      return { spentMicros: BigInt(spent) - 1n, reservedMicros: BigInt(reserved) - 1n };
    },
    async write(key, usage, { onlyIfAbsent, ttlMs }) {
      await flushed();
      const keys = counterKeys(key);
      const set = { onlyIfAbsent, ...(ttlMs === undefined ? {} : { ttlMs }) };
      await kv.set(keys.spent, (usage.spentMicros + 1n).toString(), set);
      await kv.set(keys.reserved, (usage.reservedMicros + 1n).toString(), set);
    },
    drop,
  };
}
