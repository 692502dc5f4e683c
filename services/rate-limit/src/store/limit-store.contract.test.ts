import { createManualClock, type ManualClock } from '@gatehouse/runtime';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../../test/support/test-env';
import { openTestRedis, redisUrlOf, type RedisBackend } from '../../../../test/support/test-redis';
import type { LimitSpec } from '../limiter/limit-spec';
import { clusterSlot } from './cluster-slot';
import type { LimitStore, StoreCheck } from './limit-store';
import { createMemoryLimitStore } from './memory-limit-store';
import { createRedisLimitStore } from './redis-limit-store';

const prefix = `${uniqueName('rl_contract')}:`;
const opened: LimitStore[] = [];

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  for (const backend of ['redis', 'cluster'] as const) {
    const redis = await openTestRedis(backend);
    await redis.drop(prefix);
    await redis.close();
  }
});

const onRedis = (backend: RedisBackend) => () =>
  createRedisLimitStore({
    redisUrl: redisUrlOf(backend),
    cluster: backend === 'cluster',
    keyPrefix: prefix,
    commandTimeoutMs: 2000,
  });

const backends: [string, () => Promise<LimitStore>][] = [
  ['memory', async () => createMemoryLimitStore({ maxKeys: 10_000 })],
  ['redis', onRedis('redis')],
  ['cluster', onRedis('cluster')],
];

let keyCounter = 0;
const check = (
  spec: Partial<LimitSpec> & Pick<LimitSpec, 'algorithm'>,
  extra: Partial<StoreCheck> = {},
  tag = 'd',
) => {
  keyCounter += 1;
  return {
    key: `{${tag}}:rule${keyCounter}:k=v`,
    spec: { limit: 5, windowMs: 1000, burst: 0, ...spec },
    shadow: false,
    ...extra,
  } satisfies StoreCheck;
};

describe.each(backends)('LimitStore contract: %s', (_name, open) => {
  let store: LimitStore;
  let clock: ManualClock;
  const take = async (checks: StoreCheck[], hits = 1) =>
    store.decide(checks, { hits, consume: true }, clock.now());
  const admitted = async (c: StoreCheck, attempts: number, hits = 1) => {
    let count = 0;
    for (let i = 0; i < attempts; i += 1) if ((await take([c], hits))[0]?.allowed) count += 1;
    return count;
  };

  beforeEach(async () => {
    store ??= await open();
    if (!opened.includes(store)) opened.push(store);
    clock = createManualClock(Date.UTC(2026, 0, 1));
  });

  it('fixed window: exact count per window, remaining and reset, fresh window after the boundary', async () => {
    const c = check({ algorithm: 'fixed_window', limit: 5, windowMs: 1000 });
    clock.advance(200);
    const first = await take([c]);
    expect(first[0]).toEqual({ allowed: true, remaining: 4, resetAfterMs: 800, retryAfterMs: 0 });
    expect(await admitted(c, 10)).toBe(4);
    const denied = await take([c]);
    expect(denied[0]).toEqual({ allowed: false, remaining: 0, resetAfterMs: 800, retryAfterMs: 800 });
    clock.advance(800);
    expect(await admitted(c, 10)).toBe(5);
  });

  it('fixed window admits 2x the limit across a boundary; sliding window and GCRA do not', async () => {
    const results: Record<string, number> = {};
    for (const algorithm of ['fixed_window', 'sliding_window', 'token_bucket'] as const) {
      clock.set(Date.UTC(2026, 0, 1) + 9_900); // 100 ms before a 10 s boundary
      const c = check({ algorithm, limit: 10, windowMs: 10_000 });
      let total = await admitted(c, 20);
      clock.advance(200); // 100 ms after the boundary
      total += await admitted(c, 20);
      results[algorithm] = total;
    }
    expect(results).toEqual({ fixed_window: 20, sliding_window: 10, token_bucket: 10 });
  });

  it('sliding window: the previous window counts by the share still inside the window', async () => {
    const c = check({ algorithm: 'sliding_window', limit: 10, windowMs: 10_000 });
    expect(await admitted(c, 15)).toBe(10);
    clock.advance(10_000); // next window, elapsed 0: previous weighs 100%
    expect(await admitted(c, 5)).toBe(0);
    clock.advance(5_000); // previous weighs 50%: 5 fit
    expect(await admitted(c, 10)).toBe(5);
    const over = await take([c]);
    expect(over[0]?.allowed).toBe(false);
    expect(over[0]?.retryAfterMs).toBe(1000); // one more hit slides out after 1 s
  });

  it('token bucket (GCRA): limit + burst at once, then one every interval, exactly', async () => {
    const c = check({ algorithm: 'token_bucket', limit: 10, windowMs: 10_000, burst: 5 });
    expect(await admitted(c, 30)).toBe(15);
    const over = await take([c]);
    expect(over[0]).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 1000 });
    clock.advance(999);
    expect(await admitted(c, 3)).toBe(0);
    clock.advance(1);
    expect(await admitted(c, 3)).toBe(1);
    clock.advance(3500);
    expect(await admitted(c, 10)).toBe(3);
    clock.advance(60_000);
    expect(await admitted(c, 30)).toBe(15);
  });

  it('token bucket is exact with a fractional emission interval', async () => {
    const c = check({ algorithm: 'token_bucket', limit: 7, windowMs: 60_000 });
    expect(await admitted(c, 20)).toBe(7);
    clock.advance(60_000);
    expect(await admitted(c, 20)).toBe(7);
  });

  it('all-or-nothing: when one check is over, no counter is consumed', async () => {
    const roomy = check({ algorithm: 'fixed_window', limit: 100, windowMs: 60_000 });
    const tight = check({ algorithm: 'sliding_window', limit: 2, windowMs: 60_000 });
    expect((await take([roomy, tight])).every((r) => r.allowed)).toBe(true);
    expect((await take([roomy, tight])).every((r) => r.allowed)).toBe(true);
    for (let i = 0; i < 5; i += 1) {
      const [a, b] = await take([roomy, tight]);
      expect([a?.allowed, b?.allowed]).toEqual([true, false]);
    }
    const peek = await store.decide([roomy], { hits: 1, consume: false }, clock.now());
    expect(peek[0]?.remaining).toBe(98);
  });

  it('all-or-nothing across hash tags (cluster slots): what the admitted parts took is given back', async () => {
    // Five tags, five slots: on a cluster each check is its own script call, then refunded.
    const tags = ['user=1', 'user=2', 'user=3', 'user=4', 'user=5'];
    expect(new Set(tags.map((tag) => clusterSlot(`${prefix}{${tag}}`))).size).toBe(5);
    const fixed = check({ algorithm: 'fixed_window', limit: 100, windowMs: 60_000 }, {}, tags[0]);
    const sliding = check({ algorithm: 'sliding_window', limit: 100, windowMs: 60_000 }, {}, tags[1]);
    const bucket = check({ algorithm: 'token_bucket', limit: 100, windowMs: 60_000 }, {}, tags[2]);
    const leases = check({ algorithm: 'concurrency', limit: 10, windowMs: 60_000 }, {}, tags[3]);
    const tight = check({ algorithm: 'sliding_window', limit: 2, windowMs: 60_000 }, {}, tags[4]);
    const all = (lease: string, hits = 1) =>
      take([fixed, sliding, bucket, { ...leases, leaseId: lease }, tight], hits);

    expect((await all('a')).map((r) => r.allowed)).toEqual([true, true, true, true, true]);
    expect((await all('b')).map((r) => r.allowed)).toEqual([true, true, true, true, true]);
    for (const lease of ['c', 'd', 'e']) {
      expect((await all(lease)).map((r) => r.allowed)).toEqual([true, true, true, true, false]);
    }
    // A weighted refusal gives back its full weight too.
    expect((await take([fixed, sliding, bucket, tight], 5)).map((r) => r.allowed)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    const peek = await store.decide(
      [fixed, sliding, bucket, leases],
      { hits: 1, consume: false },
      clock.now(),
    );
    expect(peek.map((r) => r.remaining)).toEqual([98, 98, 98, 8]);
    // The refused leases are gone: lease c was never held.
    expect(await store.release(leases.key, 'c', clock.now())).toBe(false);
    expect(await store.release(leases.key, 'a', clock.now())).toBe(true);
  });

  it('peek does not consume; weighted hits consume their weight', async () => {
    const c = check({ algorithm: 'fixed_window', limit: 10, windowMs: 60_000 });
    for (let i = 0; i < 5; i += 1) {
      const [peek] = await store.decide([c], { hits: 1, consume: false }, clock.now());
      expect(peek).toMatchObject({ allowed: true, remaining: 10 });
    }
    expect((await take([c], 3))[0]).toMatchObject({ allowed: true, remaining: 7 });
    expect((await take([c], 8))[0]).toMatchObject({ allowed: false, remaining: 7 });
    expect((await take([c], 7))[0]).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("a check's own demand: its weight, or checked without consuming, inside the all-or-nothing rule", async () => {
    const plain = check({ algorithm: 'sliding_window', limit: 10, windowMs: 60_000 });
    const heavy = check(
      { algorithm: 'fixed_window', limit: 10, windowMs: 60_000 },
      { demand: { hits: 4, consume: true } },
    );
    const watched = check(
      { algorithm: 'token_bucket', limit: 10, windowMs: 60_000 },
      { demand: { hits: 1, consume: false } },
    );
    const results = await take([plain, heavy, watched], 2);
    expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 8],
      [true, 6],
      [true, 10],
    ]);
    // A peek of the whole decision consumes nothing, whatever a check's own demand says.
    const peek = await store.decide([heavy], { hits: 1, consume: false }, clock.now());
    expect(peek[0]).toMatchObject({ allowed: true, remaining: 6 });
    // heavy cannot take 7: plain's 2 are not consumed either.
    const tooHeavy = { ...heavy, demand: { hits: 7, consume: true } };
    const refused = await take([plain, tooHeavy], 2);
    expect(refused.map((r) => r.allowed)).toEqual([true, false]);
    const [after] = await store.decide([plain], { hits: 1, consume: false }, clock.now());
    expect(after?.remaining).toBe(8);
    // Its own demand never consumes, even in a consuming decision of its own.
    expect((await take([watched]))[0]?.remaining).toBe(10);
  });

  it('shadow checks are counted but never block the others', async () => {
    const shadow = check({ algorithm: 'fixed_window', limit: 1, windowMs: 60_000 }, { shadow: true });
    const real = check({ algorithm: 'fixed_window', limit: 3, windowMs: 60_000 });
    const outcomes = [];
    for (let i = 0; i < 4; i += 1) outcomes.push((await take([shadow, real])).map((r) => r.allowed));
    expect(outcomes).toEqual([
      [true, true],
      [false, true],
      [false, true],
      [false, false],
    ]);
  });

  it('concurrency: leases up to the limit, Release frees one, expired leases free theirs', async () => {
    const spec = { algorithm: 'concurrency' as const, limit: 2, windowMs: 5_000 };
    const base = check(spec);
    const lease = (id: string) => ({ ...base, leaseId: id });
    expect((await take([lease('a')]))[0]).toMatchObject({ allowed: true, remaining: 1 });
    expect((await take([lease('b')]))[0]).toMatchObject({ allowed: true, remaining: 0 });
    clock.advance(1000);
    expect((await take([lease('c')]))[0]).toMatchObject({ allowed: false, retryAfterMs: 4000 });
    expect(await store.release(base.key, 'a', clock.now())).toBe(true);
    expect(await store.release(base.key, 'a', clock.now())).toBe(false);
    expect((await take([lease('d')]))[0]?.allowed).toBe(true);
    expect((await take([lease('e')]))[0]?.allowed).toBe(false);
    clock.advance(4000); // lease b (taken at 0, TTL 5 s) expires; d (taken at 1 s) does not
    expect((await take([lease('f')]))[0]?.allowed).toBe(true);
    expect(await store.release(base.key, 'b', clock.now())).toBe(false);
  });

  it('reset forgets the counters of a check', async () => {
    const c = check({ algorithm: 'sliding_window', limit: 2, windowMs: 60_000 });
    expect(await admitted(c, 5)).toBe(2);
    expect(await store.reset([c], clock.now())).toBe(1);
    expect(await admitted(c, 5)).toBe(2);
    expect(await store.reset([check({ algorithm: 'fixed_window' })], clock.now())).toBe(0);
  });
});
