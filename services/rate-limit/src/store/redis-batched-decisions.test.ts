import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy';
import { testRedisUrl, uniqueName } from '../../../../test/support/test-env';
import { openTestRedis, redisUrlOf, type RedisBackend } from '../../../../test/support/test-redis';
import type { LimitSpec } from '../limiter/limit-spec';
import { clusterSlot } from './cluster-slot';
import type { LimitStore, StoreCheck } from './limit-store';
import { createRedisLimitStore } from './redis-limit-store';
import { StoreTimeoutError } from './store-timeout-error';

// Decisions started in one event-loop turn share one script call; these cases start them together
// (no await in between) and check the answers are those of the same decisions made one by one.
const prefix = `${uniqueName('rl_batch')}:`;
const now = Date.UTC(2026, 0, 1, 0, 0, 30);
const consume = { hits: 1, consume: true };
let counter = 0;

const check = (domain: string, spec: Partial<LimitSpec> = {}): StoreCheck => {
  counter += 1;
  return {
    key: `{${domain}}:rule${counter}:k=v`,
    spec: { algorithm: 'sliding_window', limit: 1, windowMs: 60_000, burst: 0, ...spec },
    shadow: false,
  };
};

describe.each(['redis', 'cluster'] as const)('batched decisions on %s', (backend: RedisBackend) => {
  let store: LimitStore;
  beforeAll(async () => {
    store = await createRedisLimitStore({
      redisUrl: redisUrlOf(backend),
      cluster: backend === 'cluster',
      keyPrefix: prefix,
      commandTimeoutMs: 2000,
    });
  });
  afterAll(async () => {
    await store.close();
    const redis = await openTestRedis(backend);
    await redis.drop(prefix);
    await redis.close();
  });

  it.each(['sliding_window', 'fixed_window', 'token_bucket', 'concurrency'] as const)(
    '%s: two decisions for one key in one batch, the second crossing the limit: exactly one admitted',
    async (algorithm) => {
      const c = check('d', { algorithm });
      const lease = algorithm === 'concurrency' ? { leaseId: 'l1' } : {};
      const [first, second] = await Promise.all([
        store.decide([{ ...c, ...lease }], consume, now),
        store.decide([{ ...c, ...lease }], consume, now),
      ]);
      expect([first?.[0]?.allowed, second?.[0]?.allowed]).toEqual([true, false]);
      expect(second?.[0]?.remaining).toBe(0);
    },
  );

  it('all-or-nothing holds per decision inside a batch: a denied decision consumes nothing for the next', async () => {
    const shared = check('d', { limit: 2 });
    const full = check('d', { limit: 1 });
    await store.decide([full], consume, now);
    const [denied, next, last, over] = await Promise.all([
      store.decide([shared, full], consume, now),
      store.decide([shared], consume, now),
      store.decide([shared], consume, now),
      store.decide([shared], consume, now),
    ]);
    expect(denied?.map((r) => r.allowed)).toEqual([true, false]);
    expect([next?.[0], last?.[0]].map((r) => [r?.allowed, r?.remaining])).toEqual([
      [true, 1],
      [true, 0],
    ]);
    expect(over?.[0]?.allowed).toBe(false);
  });

  it('a batch mixing hash tags (cluster slots) decides each with its own counters', async () => {
    expect(clusterSlot(`${prefix}{alpha}`)).not.toBe(clusterSlot(`${prefix}{beta}`));
    const a = check('alpha', { limit: 2 });
    const b = check('beta', { limit: 1 });
    const results = await Promise.all([
      store.decide([a], consume, now),
      store.decide([b], consume, now),
      store.decide([a], consume, now),
      store.decide([b], consume, now),
      store.decide([a], { hits: 1, consume: false }, now),
    ]);
    expect(results.map((r) => [r[0]?.allowed, r[0]?.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
  });
});

describe('batched decisions on a hung Redis', () => {
  it('a batch that gets no answer fails each of its decisions with StoreTimeoutError', async () => {
    const redis = new URL(testRedisUrl);
    const proxy: TcpProxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    const hung = await createRedisLimitStore({
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      keyPrefix: prefix,
      commandTimeoutMs: 50,
    });
    try {
      proxy.blackhole();
      const started = performance.now();
      const outcomes = await Promise.allSettled([
        hung.decide([check('d')], consume, now),
        hung.decide([check('d')], consume, now),
        hung.decide([check('e')], consume, now),
      ]);
      expect(outcomes.map((o) => o.status === 'rejected' && o.reason instanceof StoreTimeoutError)).toEqual([
        true,
        true,
        true,
      ]);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      proxy.heal();
      hung.close().catch(() => undefined);
      await proxy.stop();
    }
  });
});
