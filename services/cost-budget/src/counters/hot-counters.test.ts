import { budgetV1 } from '@gatehouse/contracts';
import { createMemoryKeyValueStore, type KeyValueStore } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import type { UsageKey } from '../ledger/usage-key';
import { counterKeys, createHotCounters } from './hot-counters';

const key: UsageKey = {
  scope: { kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id: '42' },
  period: budgetV1.Period.PERIOD_TOTAL,
  periodStartMs: 0,
};

/** The in-process store, with every increment held back until released. */
function slowIncrements(kv: KeyValueStore) {
  const held: (() => void)[] = [];
  const store: KeyValueStore = {
    ...kv,
    incrementBy: async (counter, delta, options) => {
      await new Promise<void>((release) => held.push(release));
      return kv.incrementBy(counter, delta, options);
    },
  };
  return { store, releaseAll: () => held.splice(0).forEach((release) => release()) };
}

describe('hot counters', () => {
  it('a read waits for the increments this replica started, so callers need not wait for them', async () => {
    const { store, releaseAll } = slowIncrements(createMemoryKeyValueStore());
    const counters = createHotCounters({ kv: store, onError: () => undefined });
    await counters.write(key, { spentMicros: 10n, reservedMicros: 0n }, { onlyIfAbsent: false });
    void counters.apply([{ key, spentDelta: 5n, reservedDelta: 7n }]);
    const read = counters.read(key);
    let answered = false;
    void read.then(() => (answered = true));
    await new Promise((done) => setImmediate(done));
    expect(answered).toBe(false);
    releaseAll();
    expect(await read).toEqual({ spentMicros: 15n, reservedMicros: 7n });
    await counters.flushed();
  });

  it("sums one turn's deltas per counter and sends each counter one increment", async () => {
    const kv = createMemoryKeyValueStore();
    const sent: [string, number][] = [];
    const counting: KeyValueStore = {
      ...kv,
      incrementBy: (counter, delta, options) => {
        sent.push([counter, delta]);
        return kv.incrementBy(counter, delta, options);
      },
    };
    const counters = createHotCounters({ kv: counting, onError: () => undefined });
    const other: UsageKey = { ...key, scope: { kind: budgetV1.ScopeKind.SCOPE_KIND_GLOBAL, id: '' } };
    await counters.write(key, { spentMicros: 0n, reservedMicros: 0n }, { onlyIfAbsent: false });
    await counters.write(other, { spentMicros: 0n, reservedMicros: 0n }, { onlyIfAbsent: false });
    // One batch's reserves then commits, applied in the same turn.
    void counters.apply([
      { key, spentDelta: 0n, reservedDelta: 100n },
      { key: other, spentDelta: 0n, reservedDelta: 100n },
    ]);
    void counters.apply([
      { key, spentDelta: 0n, reservedDelta: 50n },
      { key: other, spentDelta: 0n, reservedDelta: 50n },
    ]);
    void counters.apply([
      { key, spentDelta: 80n, reservedDelta: -100n },
      { key: other, spentDelta: 80n, reservedDelta: -100n },
    ]);
    expect(sent).toEqual([]);
    await counters.flushed();
    const { spent, reserved } = counterKeys(key);
    const global = counterKeys(other);
    expect(sent.sort()).toEqual(
      [
        [spent, 80],
        [reserved, 50],
        [global.spent, 80],
        [global.reserved, 50],
      ].sort(),
    );
    expect(await counters.read(key)).toEqual({ spentMicros: 80n, reservedMicros: 50n });
    void counters.apply([{ key, spentDelta: 20n, reservedDelta: -50n }]);
    expect(await counters.read(key)).toEqual({ spentMicros: 100n, reservedMicros: 0n });
    expect(sent).toHaveLength(6);
  });

  it('drops a counter an increment finds missing instead of keeping a partial value', async () => {
    const counters = createHotCounters({ kv: createMemoryKeyValueStore(), onError: () => undefined });
    await counters.apply([{ key, spentDelta: 5n, reservedDelta: 0n }]);
    expect(await counters.read(key)).toBeUndefined();
  });
});
