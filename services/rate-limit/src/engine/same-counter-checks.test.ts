import { describe, expect, it } from 'vitest';
import { createMemoryLimitStore } from '../store/memory-limit-store';
import type { StoreCheck } from '../store/limit-store';
import { groupSameCounters } from './same-counter-checks';

const check = (key: string, hits?: number, algorithm: StoreCheck['spec']['algorithm'] = 'fixed_window') => ({
  key,
  spec: { algorithm, limit: 3, windowMs: 60_000, burst: 0 },
  shadow: false,
  demand: hits === undefined ? undefined : { hits, consume: hits > 0 },
});
const consume = { hits: 1, consume: true };

describe('groupSameCounters', () => {
  it('sends checks as they are when no counter repeats, or nothing is consumed', () => {
    expect(groupSameCounters([check('a'), check('b')], consume)).toBeUndefined();
    expect(groupSameCounters([check('a'), check('a')], { hits: 1, consume: false })).toBeUndefined();
  });

  it('sends one check per counter with the summed hits, and reports each as counted in turn', async () => {
    const store = createMemoryLimitStore();
    const checks = [check('a', 2), check('b'), check('a'), check('a', 0)];
    const groups = groupSameCounters(checks, consume)!;
    expect(groups.checks.map((c) => [c.key, c.demand])).toEqual([
      ['a', { hits: 3, consume: true }],
      ['b', undefined],
      ['a', { hits: 0, consume: false }],
    ]);
    const results = groups.spread(await store.decide(groups.checks, consume, 0));
    expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 1],
      [true, 2],
      [true, 0],
      // A check that only peeks sees the counter as it was before the request.
      [true, 3],
    ]);
    // Together they no longer fit: neither is counted.
    const again = groupSameCounters([check('a'), check('a')], consume)!;
    const denied = again.spread(await store.decide(again.checks, consume, 0));
    expect(denied.map((r) => [r.allowed, r.remaining])).toEqual([
      [false, 0],
      [false, 0],
    ]);
  });

  it('leaves concurrency checks apart: each takes its own lease', () => {
    const checks = [check('c', undefined, 'concurrency'), check('c', undefined, 'concurrency')];
    expect(groupSameCounters(checks, consume)).toBeUndefined();
  });
});
