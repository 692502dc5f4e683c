import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../../../test/support/test-env';
import { openTestRedis, redisUrlOf, type RedisBackend } from '../../../../../test/support/test-redis';
import type { KeyValueStore } from './key-value-store';
import { createMemoryKeyValueStore } from './memory-key-value-store';
import { createRedisKeyValueStore } from './redis-key-value-store';

interface KeyValueBackend {
  name: RedisBackend | 'memory';
  open(keyPrefix: string): Promise<KeyValueStore>;
  /** Deletes every key the file wrote. */
  cleanup(keyPrefixes: string[]): Promise<void>;
}

/** The store on the tests' single Redis or on their Redis Cluster (keys spread over its masters). */
function redisBackend(name: RedisBackend): KeyValueBackend {
  return {
    name,
    open: (keyPrefix) =>
      createRedisKeyValueStore({ redisUrl: redisUrlOf(name), cluster: name === 'cluster', keyPrefix }),
    async cleanup(keyPrefixes) {
      const redis = await openTestRedis(name);
      try {
        for (const prefix of keyPrefixes) await redis.drop(prefix);
      } finally {
        await redis.close();
      }
    },
  };
}

const backends: KeyValueBackend[] = [
  redisBackend('redis'),
  redisBackend('cluster'),
  {
    name: 'memory',
    open: async (keyPrefix) => createMemoryKeyValueStore({ keyPrefix }),
    cleanup: async () => undefined,
  },
];

/** Real time: keys given SHORT_TTL_MS are gone after EXPIRY_WAIT_MS even on a loaded machine. */
const SHORT_TTL_MS = 80;
const EXPIRY_WAIT_MS = 250;
const LONG_TTL_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects the messages of a channel and lets a test wait for the next ones. */
function inbox() {
  const messages: string[] = [];
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    messages,
    onMessage: (message: string) => {
      messages.push(message);
      waiters = waiters.filter((waiter) =>
        messages.length >= waiter.count ? (waiter.resolve(), false) : true,
      );
    },
    /** Resolves once `count` messages in total have arrived. */
    received: (count: number) =>
      new Promise<void>((resolve, reject) => {
        if (messages.length >= count) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`only ${messages.length} of ${count} messages arrived`)),
          5000,
        );
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };
}

describe.each(backends)('KeyValueStore contract: $name', (backend) => {
  const prefixes: string[] = [];
  const stores: KeyValueStore[] = [];
  let store: KeyValueStore;

  async function open(): Promise<KeyValueStore> {
    const prefix = `${uniqueName('kv')}:`;
    prefixes.push(prefix);
    const opened = await backend.open(prefix);
    stores.push(opened);
    return opened;
  }

  beforeAll(async () => {
    store = await open();
  });

  afterAll(async () => {
    await Promise.all(stores.map((opened) => opened.close()));
    await backend.cleanup(prefixes);
  });

  it('reports its kind', () => {
    expect(store.kind).toBe(backend.name === 'cluster' ? 'redis' : backend.name);
    expect(store.cluster === true).toBe(backend.name === 'cluster');
  });

  it('gets, sets, checks and deletes keys', async () => {
    expect(await store.get('basic')).toBeNull();
    expect(await store.exists('basic')).toBe(false);

    expect(await store.set('basic', 'one')).toBe(true);
    expect(await store.get('basic')).toBe('one');
    expect(await store.exists('basic')).toBe(true);
    expect(await store.set('basic', 'two')).toBe(true);
    expect(await store.get('basic')).toBe('two');

    expect(await store.delete('basic')).toBe(true);
    expect(await store.delete('basic')).toBe(false);
    expect(await store.get('basic')).toBeNull();
    expect(await store.exists('basic')).toBe(false);
  });

  it('keeps values exactly, empty and unicode included', async () => {
    await store.set('empty', '');
    await store.set('unicode', 'Grüße {tag} ✓ \n');

    expect(await store.get('empty')).toBe('');
    expect(await store.exists('empty')).toBe(true);
    expect(await store.get('unicode')).toBe('Grüße {tag} ✓ \n');
  });

  it('sets onlyIfAbsent only when the key does not exist', async () => {
    expect(await store.set('nx', 'first', { onlyIfAbsent: true })).toBe(true);
    expect(await store.set('nx', 'second', { onlyIfAbsent: true })).toBe(false);
    expect(await store.get('nx')).toBe('first');

    await store.delete('nx');
    expect(await store.set('nx', 'third', { onlyIfAbsent: true, ttlMs: LONG_TTL_MS })).toBe(true);
    expect(await store.get('nx')).toBe('third');
  });

  it('reports ttlMs: null when missing, Infinity without expiry, the remaining ms otherwise', async () => {
    await store.set('ttl:none', 'v');
    await store.set('ttl:long', 'v', { ttlMs: LONG_TTL_MS });

    expect(await store.ttlMs('ttl:missing')).toBeNull();
    expect(await store.ttlMs('ttl:none')).toBe(Number.POSITIVE_INFINITY);
    const remaining = await store.ttlMs('ttl:long');
    expect(remaining).toBeGreaterThan(LONG_TTL_MS - 5000);
    expect(remaining).toBeLessThanOrEqual(LONG_TTL_MS);
  });

  it('drops the expiry when a key is set again without ttlMs, as Redis SET does', async () => {
    await store.set('ttl:reset', 'a', { ttlMs: LONG_TTL_MS });
    await store.set('ttl:reset', 'b');

    expect(await store.ttlMs('ttl:reset')).toBe(Number.POSITIVE_INFINITY);
  });

  it('expires keys once their ttl has passed', async () => {
    await store.set('expiry:short', 'v', { ttlMs: SHORT_TTL_MS });
    await store.set('expiry:nx', 'v', { ttlMs: SHORT_TTL_MS, onlyIfAbsent: true });
    await store.incrementBy('expiry:counter', 3, { ttlMs: SHORT_TTL_MS });
    await store.set('expiry:long', 'v', { ttlMs: LONG_TTL_MS });

    await sleep(EXPIRY_WAIT_MS);

    expect(await store.get('expiry:short')).toBeNull();
    expect(await store.exists('expiry:short')).toBe(false);
    expect(await store.ttlMs('expiry:short')).toBeNull();
    expect(await store.set('expiry:nx', 'again', { onlyIfAbsent: true })).toBe(true);
    expect(await store.incrementBy('expiry:counter', 1)).toBe(1);
    expect(await store.get('expiry:long')).toBe('v');
  });

  it('sets an expiry with expire, and answers false for a missing key', async () => {
    await store.set('expire:kept', 'v');
    await store.set('expire:gone', 'v');

    expect(await store.expire('expire:missing', LONG_TTL_MS)).toBe(false);
    expect(await store.expire('expire:kept', LONG_TTL_MS)).toBe(true);
    expect(await store.expire('expire:gone', SHORT_TTL_MS)).toBe(true);
    await sleep(EXPIRY_WAIT_MS);

    expect(await store.exists('expire:missing')).toBe(false);
    expect(await store.get('expire:kept')).toBe('v');
    expect(await store.ttlMs('expire:kept')).toBeGreaterThan(LONG_TTL_MS - 5000);
    expect(await store.get('expire:gone')).toBeNull();
  });

  it('rejects a ttl that is not a positive number, before touching the key', async () => {
    for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.set('bad-ttl', 'v', { ttlMs })).rejects.toThrow(
        `ttlMs must be a positive number of milliseconds, got ${String(ttlMs)}`,
      );
    }
    await expect(store.expire('bad-ttl', 0)).rejects.toThrow(
      'ttlMs must be a positive number of milliseconds, got 0',
    );
    await expect(store.incrementBy('bad-ttl', 1, { ttlMs: -5 })).rejects.toThrow(
      'ttlMs must be a positive number of milliseconds, got -5',
    );
    expect(await store.exists('bad-ttl')).toBe(false);
  });

  it('increments from 0, by positive and negative deltas', async () => {
    expect(await store.incrementBy('counter', 5)).toBe(5);
    expect(await store.incrementBy('counter', -7)).toBe(-2);
    expect(await store.incrementBy('counter', 0)).toBe(-2);
    expect(await store.get('counter')).toBe('-2');
    expect(await store.ttlMs('counter')).toBe(Number.POSITIVE_INFINITY);

    expect(await store.incrementBy('counter:negative', -3)).toBe(-3);
  });

  it('increments a value that was set as an integer string', async () => {
    await store.set('counter:set', '40');

    expect(await store.incrementBy('counter:set', 2)).toBe(42);
  });

  it('gives the ttl only to the key the increment creates', async () => {
    expect(await store.incrementBy('counter:ttl', 1, { ttlMs: LONG_TTL_MS })).toBe(1);
    expect(await store.incrementBy('counter:ttl', 1, { ttlMs: 1000 })).toBe(2);
    expect(await store.ttlMs('counter:ttl')).toBeGreaterThan(LONG_TTL_MS - 5000);

    await store.set('counter:persistent', '5');
    expect(await store.incrementBy('counter:persistent', 1, { ttlMs: 1000 })).toBe(6);
    expect(await store.ttlMs('counter:persistent')).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects incrementing a value that is not an integer, leaving it unchanged', async () => {
    for (const [key, value] of [
      ['nan:text', 'abc'],
      ['nan:decimal', '1.5'],
      ['nan:empty', ''],
      ['nan:space', ' 1'],
    ] as const) {
      await store.set(key, value);
      await expect(store.incrementBy(key, 1)).rejects.toThrow(/not an integer or out of range/);
      await expect(store.incrementBy(key, 1, { ttlMs: LONG_TTL_MS })).rejects.toThrow(
        /not an integer or out of range/,
      );
      expect(await store.get(key)).toBe(value);
      expect(await store.ttlMs(key)).toBe(Number.POSITIVE_INFINITY);
    }
  });

  it('rejects a delta that is not a safe integer', async () => {
    await expect(store.incrementBy('delta', 1.5)).rejects.toThrow('delta must be a safe integer, got 1.5');
    await expect(store.incrementBy('delta', 2 ** 53)).rejects.toThrow(
      `delta must be a safe integer, got ${2 ** 53}`,
    );
    expect(await store.exists('delta')).toBe(false);
  });

  it('delivers published messages to every subscriber, in order', async () => {
    const first = inbox();
    const second = inbox();
    const stopFirst = await store.subscribe('news', first.onMessage);
    const stopSecond = await store.subscribe('news', second.onMessage);

    await store.publish('news', 'one');
    await store.publish('news', 'two');
    await Promise.all([first.received(2), second.received(2)]);

    expect(first.messages).toEqual(['one', 'two']);
    expect(second.messages).toEqual(['one', 'two']);
    await stopFirst();
    await stopSecond();
  });

  it('stops delivery after unsubscribe', async () => {
    const leaving = inbox();
    const staying = inbox();
    const sentinel = inbox();
    const stopLeaving = await store.subscribe('updates', leaving.onMessage);
    const stopStaying = await store.subscribe('updates', staying.onMessage);
    const stopSentinel = await store.subscribe('sentinel', sentinel.onMessage);

    await store.publish('updates', 'before');
    await Promise.all([leaving.received(1), staying.received(1)]);
    await stopLeaving();
    await store.publish('updates', 'after');
    await staying.received(2);
    // The last subscriber leaves the channel: a later message on it goes nowhere, which we know
    // once a message published after it on another channel has arrived.
    await stopStaying();
    await store.publish('updates', 'unheard');
    await store.publish('sentinel', 'done');
    await sentinel.received(1);

    expect(leaving.messages).toEqual(['before']);
    expect(staying.messages).toEqual(['before', 'after']);
    await stopSentinel();
    await stopLeaving(); // a second call is harmless
  });

  it('does not share keys or channels between stores with different prefixes', async () => {
    const other = await open();
    const ours = inbox();
    const theirs = inbox();
    const stopOurs = await store.subscribe('shared-channel', ours.onMessage);
    const stopTheirs = await other.subscribe('shared-channel', theirs.onMessage);

    await store.set('shared', 'ours');
    expect(await other.get('shared')).toBeNull();
    expect(await other.exists('shared')).toBe(false);
    expect(await other.set('shared', 'theirs', { onlyIfAbsent: true })).toBe(true);
    expect(await other.delete('shared')).toBe(true);
    expect(await store.get('shared')).toBe('ours');

    await other.publish('shared-channel', 'from other');
    await store.publish('shared-channel', 'from ours');
    await Promise.all([ours.received(1), theirs.received(1)]);

    expect(ours.messages).toEqual(['from ours']);
    expect(theirs.messages).toEqual(['from other']);
    await stopOurs();
    await stopTheirs();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('rejects every call once closed', async () => {
    const closing = await open();
    await closing.set('k', 'v');
    await closing.close();
    await closing.close(); // idempotent

    const calls: Array<() => Promise<unknown>> = [
      () => closing.get('k'),
      () => closing.set('k', 'v'),
      () => closing.delete('k'),
      () => closing.exists('k'),
      () => closing.incrementBy('k', 1),
      () => closing.ttlMs('k'),
      () => closing.expire('k', 1000),
      () => closing.publish('c', 'm'),
      () => closing.subscribe('c', () => undefined),
      () => closing.ping(),
    ];
    for (const call of calls) await expect(call()).rejects.toThrow('key-value store is closed');
  });
});
