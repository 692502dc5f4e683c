import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../../../../../test/support/tcp-proxy';
import { testRedisUrl, uniqueName } from '../../../../../test/support/test-env';
import type { KeyValueStore } from './key-value-store';
import { createRedisKeyValueStore } from './redis-key-value-store';

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

  async function open(redisUrl = testRedisUrl, keyPrefix = prefix): Promise<KeyValueStore> {
    const store = await createRedisKeyValueStore({
      redisUrl,
      keyPrefix,
      commandTimeoutMs: 300,
      connectTimeoutMs: 500,
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
