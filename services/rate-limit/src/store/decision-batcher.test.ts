import { describe, expect, it } from 'vitest';
import type { Demand } from '../limiter/limit-spec';
import { DecisionBatcher, type PendingDecision } from './decision-batcher';
import type { StoreCheck } from './limit-store';

const check = (key: string): StoreCheck => ({
  key,
  spec: { algorithm: 'sliding_window', limit: 10, windowMs: 1000, burst: 0 },
  shadow: false,
});
const consume: Demand = { hits: 1, consume: true };

/** A batcher whose store answers every check with `remaining` = its position in the batch. */
function recordingBatcher(options: { maxBatch?: number; fail?: Error } = {}) {
  const batches: (readonly PendingDecision[])[] = [];
  const batcher = new DecisionBatcher({
    maxBatch: options.maxBatch ?? 64,
    send: async (batch) => {
      batches.push(batch);
      if (options.fail !== undefined) throw options.fail;
      return batch.flatMap((d, i) => d.checks.flatMap(() => [1, i, 0, 0]));
    },
  });
  return { batcher, batches };
}

describe('DecisionBatcher', () => {
  it('sends the decisions of one event-loop turn as one call, in order, and routes each answer back', async () => {
    const { batcher, batches } = recordingBatcher();
    const answers = await Promise.all([
      batcher.decide([check('{d}:a')], consume, 1, 0),
      batcher.decide([check('{d}:b'), check('{d}:c')], consume, 2, 0),
      batcher.decide([check('{d}:a')], { hits: 1, consume: false }, 3, 0),
    ]);
    expect(batches.length).toBe(1);
    expect(batches[0]?.map((d) => [d.checks.map((c) => c.key), d.now, d.demand.consume])).toEqual([
      [['{d}:a'], 1, true],
      [['{d}:b', '{d}:c'], 2, true],
      [['{d}:a'], 3, false],
    ]);
    expect(answers.map((results) => results.map((r) => r.remaining))).toEqual([[0], [1, 1], [2]]);
    // A later turn is a new batch.
    await batcher.decide([check('{d}:a')], consume, 4, 0);
    expect(batches.length).toBe(2);
  });

  it('keeps one call per group (one Redis Cluster slot) and splits batches at maxBatch', async () => {
    const { batcher, batches } = recordingBatcher({ maxBatch: 2 });
    await Promise.all([
      batcher.decide([check('{x}:1')], consume, 1, 7),
      batcher.decide([check('{y}:1')], consume, 1, 9),
      batcher.decide([check('{x}:2')], consume, 1, 7),
      batcher.decide([check('{x}:3')], consume, 1, 7),
    ]);
    expect(batches.map((batch) => batch.map((d) => d.checks[0]?.key))).toEqual([
      ['{x}:1', '{x}:2'],
      ['{x}:3'],
      ['{y}:1'],
    ]);
  });

  it('sends every call of a busy turn before the first answers, so they pipeline', async () => {
    const pending: (() => void)[] = [];
    const sent: number[] = [];
    const batcher = new DecisionBatcher({
      maxBatch: 2,
      send: (batch) => {
        sent.push(batch.length);
        return new Promise((resolve) => pending.push(() => resolve(batch.flatMap(() => [1, 0, 0, 0]))));
      },
    });
    const answers = Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((k) => batcher.decide([check(`{d}:${k}`)], consume, 1, 0)),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([2, 2, 1]);
    for (const answer of pending.reverse()) answer();
    expect((await answers).map((results) => results[0]?.allowed)).toEqual([true, true, true, true, true]);
  });

  it('fails every decision of a failed call with its error', async () => {
    const failure = new Error('connection lost');
    const { batcher } = recordingBatcher({ fail: failure });
    const outcomes = await Promise.allSettled([
      batcher.decide([check('{d}:a')], consume, 1, 0),
      batcher.decide([check('{d}:b')], consume, 1, 0),
    ]);
    expect(outcomes).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('answers a decision without checks at once, without a call', async () => {
    const { batcher, batches } = recordingBatcher();
    expect(await batcher.decide([], consume, 1, 0)).toEqual([]);
    expect(batches.length).toBe(0);
  });
});
