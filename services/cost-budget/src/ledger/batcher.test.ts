import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher';

/** A run function whose batches finish only when released, recording what each batch held. */
function controlledRun() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const run = async (items: readonly number[]) => {
    batches.push([...items]);
    await new Promise<void>((release) => releases.push(release));
    return items.map((item) => item * 10);
  };
  return { batches, releases, run };
}

const settle = () => new Promise((done) => setImmediate(done));

describe('createBatcher', () => {
  it('starts a lone item at once and groups items arriving meanwhile into the next batch, in order', async () => {
    const { batches, releases, run } = controlledRun();
    const batcher = createBatcher({ run, maxBatch: 64 });
    const first = batcher.submit(1);
    await settle();
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4, 5].map((item) => batcher.submit(item));
    await settle();
    expect(batches).toEqual([[1]]);
    releases[0]!();
    expect(await first).toBe(10);
    await settle();
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
    releases[1]!();
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50]);
  });

  it('caps a batch at maxBatch and runs at most maxInFlight batches at once', async () => {
    const { batches, releases, run } = controlledRun();
    const batcher = createBatcher({ run, maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5, 6, 7].map((item) => batcher.submit(item));
    await settle();
    expect(batches).toEqual([[1], [2]]);
    releases[0]!();
    await settle();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    releases[1]!();
    await settle();
    expect(batches).toEqual([[1], [2], [3, 4], [5, 6]]);
    releases[2]!();
    releases[3]!();
    await settle();
    expect(batches).toEqual([[1], [2], [3, 4], [5, 6], [7]]);
    releases[4]!();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('with evenGroups, takes at most half of the items in circulation into a batch', async () => {
    const { batches, releases, run } = controlledRun();
    const batcher = createBatcher({ run, maxBatch: 64, evenGroups: true });
    const all = [batcher.submit(1)];
    await settle();
    expect(batches).toEqual([[1]]);
    all.push(...[2, 3, 4, 5, 6, 7, 8].map((item) => batcher.submit(item)));
    releases[0]!();
    await settle();
    // 7 waiting and the last batch's 1 in circulation: half of 8.
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
    all.push(...[9, 10, 11, 12].map((item) => batcher.submit(item)));
    releases[1]!();
    await settle();
    // 7 waiting and the last batch's 4: half of 11, rounded up.
    expect(batches).toEqual([[1], [2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]);
    releases[2]!();
    await settle();
    expect(batches).toEqual([[1], [2, 3, 4, 5], [6, 7, 8, 9, 10, 11], [12]]);
    releases[3]!();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
  });

  it('rejects every item of a failed batch and keeps serving later ones', async () => {
    let calls = 0;
    const batcher = createBatcher<number, number>({
      maxBatch: 8,
      run: async (items) => {
        calls += 1;
        if (calls === 2) throw new Error('database unavailable');
        await settle();
        return items.map((item) => item + 1);
      },
    });
    const first = batcher.submit(1);
    const failing = [batcher.submit(2), batcher.submit(3)];
    expect(await first).toBe(2);
    for (const item of failing) await expect(item).rejects.toThrow('database unavailable');
    expect(await batcher.submit(4)).toBe(5);
  });

  it('rejects the batch when the run answers a different number of outcomes', async () => {
    const batcher = createBatcher<number, number>({ maxBatch: 8, run: async () => [] });
    await expect(batcher.submit(1)).rejects.toThrow('a batch of 1 answered 0 outcomes');
  });
});
