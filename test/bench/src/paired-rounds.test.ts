import { describe, expect, it } from 'vitest';
import { measurePaired, median } from './paired-rounds';
import type { ScenarioInstance } from './scenario';

const instance = (call: () => Promise<void>, log: string[], name: string): ScenarioInstance => ({
  call: async () => {
    if (log.at(-1) !== name) log.push(name);
    await call();
  },
  teardown: async () => undefined,
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('measurePaired', () => {
  it('alternates baseline and scenario rounds and reports the median ratios', async () => {
    const order: string[] = [];
    const immediate = () => Promise.resolve();
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
    const { ratio, result } = await measurePaired({
      baseline: instance(immediate, order, 'baseline'),
      scenario: instance(slow, order, 'scenario'),
      concurrency: 2,
      rounds: 3,
      roundMs: 60,
      maxCalls: 100_000,
      warmupMs: 0,
    });
    // Rounds run baseline-scenario, scenario-baseline, baseline-scenario: consecutive runs of the
    // same side merge in this log, which always-same-order rounds would not.
    expect(order).toEqual(['baseline', 'scenario', 'baseline', 'scenario']);
    expect(ratio.rounds).toBe(3);
    expect(ratio.throughput).toBeGreaterThan(0);
    expect(ratio.throughput).toBeLessThan(0.5);
    const [lowest, highest] = ratio.throughputRange;
    expect(lowest).toBeLessThanOrEqual(ratio.throughput);
    expect(highest).toBeGreaterThanOrEqual(ratio.throughput);
    expect(highest).toBeLessThan(0.5);
    expect(ratio.p50).toBeGreaterThan(1);
    expect(result.calls).toBeGreaterThan(0);
  });
});

describe('measurePaired with a reference', () => {
  it('measures baseline, reference and scenario in every round and compares the scenario with the reference', async () => {
    const order: string[] = [];
    const immediate = () => Promise.resolve();
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
    const { ratio, reference } = await measurePaired({
      baseline: instance(immediate, order, 'baseline'),
      reference: instance(immediate, order, 'reference'),
      scenario: instance(slow, order, 'scenario'),
      concurrency: 2,
      rounds: 3,
      roundMs: 60,
      maxCalls: 100_000,
      warmupMs: 0,
    });
    // Forward, reversed, forward: the reference always sits between the other two.
    expect(order).toEqual([
      'baseline',
      'reference',
      'scenario',
      'reference',
      'baseline',
      'reference',
      'scenario',
    ]);
    expect(ratio.rounds).toBe(3);
    expect(reference?.ratio.rounds).toBe(3);
    expect(reference!.versus.throughput).toBeLessThan(0.5);
    expect(reference!.versus.p50).toBeGreaterThan(1);
    expect(reference!.versus.addedP50RoundTrips).toBeGreaterThan(0);
    expect(reference!.result.calls).toBeGreaterThan(0);
  });
});
