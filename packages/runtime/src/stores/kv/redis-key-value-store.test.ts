import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../../../../test/support/redis-server';
import { startTcpProxy } from '../../../../../test/support/tcp-proxy';
import { testRedisClusterUrl, testRedisUrl, uniqueName } from '../../../../../test/support/test-env';
import { openTestRedis } from '../../../../../test/support/test-redis';
import type { StoreRefusal } from '../redis/store-refusals';
import type { KeyValueStore } from './key-value-store';
import { createRedisKeyValueStore, type RedisKeyValueStoreOptions } from './redis-key-value-store';

// Behaviour of the Redis store beyond the KeyValueStore contract (see key-value-store.contract.test.ts).
describe('createRedisKeyValueStore', () => {
  const prefix = `${uniqueName('kv_redis')}:`;
  const raw = new Redis(testRedisUrl, { lazyConnect: true });
  const stores: KeyValueStore[] = [];

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
  });

  async function open(
    redisUrl = testRedisUrl,
    keyPrefix = prefix,
    more: Partial<RedisKeyValueStoreOptions> = {},
  ): Promise<KeyValueStore> {
    const store = await createRedisKeyValueStore({
      redisUrl,
      keyPrefix,
      commandTimeoutMs: 300,
      connectTimeoutMs: 500,
      ...more,
    });
    stores.push(store);
    return store;
  }

  it('stores keys under its prefix and publishes on prefixed channels', async () => {
    const store = await open();
    const subscriber = raw.duplicate();
    try {
      const arrived = new Promise<[string, string]>((resolve) =>
        subscriber.once('message', (channel: string, message: string) => resolve([channel, message])),
      );
      await subscriber.subscribe(`${prefix}events`);

      await store.set('key', 'value');
      await store.publish('events', 'hello');

      expect(await raw.get(`${prefix}key`)).toBe('value');
      expect(await raw.exists('key')).toBe(0);
      expect(await arrived).toEqual([`${prefix}events`, 'hello']);
    } finally {
      subscriber.disconnect();
    }
  });

  it('increments and sets the creation expiry in one step', async () => {
    const store = await open();

    expect(await store.incrementBy('counter', 2, { ttlMs: 10_000 })).toBe(2);

    expect(await raw.get(`${prefix}counter`)).toBe('2');
    const pttl = await raw.pttl(`${prefix}counter`);
    expect(pttl).toBeGreaterThan(5000);
    expect(pttl).toBeLessThanOrEqual(10_000);
  });

  it('fails fast, naming the server but not the password, when Redis is not reachable', async () => {
    const started = Date.now();

    await expect(
      createRedisKeyValueStore({ redisUrl: 'redis://:secret@127.0.0.1:1', connectTimeoutMs: 500 }),
    ).rejects.toThrow(/^Redis at 127\.0\.0\.1:1 is not reachable: connect ECONNREFUSED 127\.0\.0\.1:1$/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails commands fast while Redis is gone, and recovers when it is back', async () => {
    const redisUrl = new URL(testRedisUrl);
    const proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const store = await open(`redis://127.0.0.1:${proxy.port}`);
    await store.set('through-proxy', 'v');

    await proxy.stop();
    const started = Date.now();
    await expect(store.get('through-proxy')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1500);

    await proxy.restart();
    await waitFor(async () => (await store.get('through-proxy')) === 'v');
  });

  it('tells a cluster node from a single server by itself (REDIS_CLUSTER=auto)', async () => {
    const single = await open(testRedisUrl, prefix, { cluster: 'auto' });
    const cluster = await open(testRedisClusterUrl, prefix, { cluster: 'auto', connectTimeoutMs: 5000 });
    expect([single.cluster, cluster.cluster]).toEqual([false, true]);
    await expect(cluster.ping()).resolves.toBeUndefined();
  });

  it('on a cluster, spreads keys over every master and increments with its script on each', async () => {
    const cluster = await openTestRedis('cluster');
    const clusterPrefix = `${uniqueName('kv_spread')}:`;
    const store = await open(testRedisClusterUrl, clusterPrefix, { cluster: true, connectTimeoutMs: 5000 });
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => store.incrementBy(`user:${i}`, i + 1, { ttlMs: 60_000 })),
      );
      const perMaster = await cluster.keysPerMaster(clusterPrefix);
      expect(perMaster.size).toBe(3);
      for (const count of perMaster.values()) expect(count).toBeGreaterThan(5);
      expect([...perMaster.values()].reduce((a, b) => a + b, 0)).toBe(60);
      expect(await store.get('user:41')).toBe('42');
    } finally {
      await cluster.drop(clusterPrefix);
      await cluster.close();
    }
  });

  it('pointed at a cluster node in single mode: not ready, and the MOVED reply reported once', async () => {
    const refusals: StoreRefusal[] = [];
    const store = await open(testRedisClusterUrl, prefix, {
      cluster: false,
      onRefusal: (refusal) => refusals.push(refusal),
    });
    // Readiness says why before any command failed: the node serves a third of the slots.
    await expect(store.ping()).rejects.toThrow(
      /^Redis refuses commands: Redis at 127\.0\.0\.1:7000 is a Redis Cluster node serving \d+ of 16384 hash slots, but the client is not in cluster mode \(REDIS_CLUSTER=false\)/,
    );
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => store.get(`k${i}`)));
    const moved = outcomes.filter((o) => o.status === 'rejected').map((o) => (o.reason as Error).message);
    expect(moved.length).toBeGreaterThan(10);
    for (const message of moved) expect(message).toMatch(/^MOVED \d+ 127\.0\.0\.1:700\d$/);
    expect(refusals.map((r) => [r.reason, r.operation])).toEqual([
      ['moved', 'ping'],
      ['moved', 'get'],
    ]);
    expect(refusals[1]?.reply).toBe(moved[0]);
    await expect(store.ping()).rejects.toThrow(/serving \d+ of 16384 hash slots/);
  });

  it('a single Redis answering errors is not ready: READONLY, WRONGTYPE, NOAUTH', async () => {
    // A replica of a master that does not exist: it answers, but refuses every write.
    const replica = await startRedisServer(['--replicaof', '127.0.0.1', '1']);
    const withPassword = await startRedisServer(['--requirepass', 'p4ss']);
    try {
      const refusals: StoreRefusal[] = [];
      const onRefusal = (refusal: StoreRefusal) => refusals.push(refusal);
      const readOnly = await open(replica.url, prefix, { onRefusal });
      await expect(readOnly.ping()).resolves.toBeUndefined();
      await expect(readOnly.set('k', 'v')).rejects.toThrow(
        "READONLY You can't write against a read only replica.",
      );
      await expect(readOnly.ping()).rejects.toThrow(
        /^Redis refuses commands: READONLY You can't write against a read only replica\. \(readonly: 1 refused since .*; REDIS_URL points at a read-only replica/,
      );

      const store = await open(testRedisUrl, prefix, { onRefusal });
      await raw.hset(`${prefix}wrong`, 'field', 'value');
      await expect(store.get('wrong')).rejects.toThrow(/^WRONGTYPE/);
      await expect(store.ping()).rejects.toThrow(
        /WRONGTYPE Operation against a key holding the wrong kind of value \(wrongtype/,
      );

      // Without the password Redis refuses the connection at start...
      await expect(open(withPassword.url)).rejects.toThrow(
        `Redis at 127.0.0.1:${withPassword.port} refused the connection: NOAUTH Authentication required.`,
      );
      // ...and a running store whose password stops working is not ready, naming NOAUTH.
      const rotated = await open(`redis://:p4ss@127.0.0.1:${withPassword.port}`, prefix, { onRefusal });
      await rotated.set('k', 'v');
      const admin = new Redis(`redis://:p4ss@127.0.0.1:${withPassword.port}`);
      await admin.config('SET', 'requirepass', 'changed');
      await admin.client('KILL', 'TYPE', 'normal');
      admin.disconnect();
      await waitFor(async () => {
        const failure = await rotated.ping().then(
          () => '',
          (error: Error) => error.message,
        );
        return /WRONGPASS|NOAUTH/.test(failure);
      });
      expect(refusals.map((r) => r.reason)).toEqual(expect.arrayContaining(['readonly', 'wrongtype']));
      expect(refusals.some((r) => r.reason === 'wrongpass' || r.reason === 'noauth')).toBe(true);
    } finally {
      await replica.stop();
      await withPassword.stop();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const met = await condition().catch(() => false);
    if (met) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
