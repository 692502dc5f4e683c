import { afterEach, describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../clock';
import type { KeyValueStore } from './key-value-store';
import { createMemoryKeyValueStore, type MemoryKeyValueStoreOptions } from './memory-key-value-store';

// Behaviour of the in-process store beyond the KeyValueStore contract, with time moved by hand.
describe('createMemoryKeyValueStore', () => {
  const opened: KeyValueStore[] = [];
  const clock = createManualClock();

  function open(options: MemoryKeyValueStoreOptions = {}): KeyValueStore {
    const store = createMemoryKeyValueStore({ clock, ...options });
    opened.push(store);
    return store;
  }

  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('expires a key exactly when its ttl has elapsed', async () => {
    const store = open();
    await store.set('k', 'v', { ttlMs: 1000 });

    clock.advance(999);
    expect(await store.get('k')).toBe('v');
    expect(await store.ttlMs('k')).toBe(1);

    clock.advance(1);
    expect(await store.get('k')).toBeNull();
    expect(await store.ttlMs('k')).toBeNull();
    expect(await store.exists('k')).toBe(false);
  });

  it('expires an incremented counter exactly at the end of the ttl of its creation', async () => {
    const store = open();
    expect(await store.incrementBy('c', 1, { ttlMs: 500 })).toBe(1);
    clock.advance(300);
    expect(await store.incrementBy('c', 1, { ttlMs: 500 })).toBe(2);
    expect(await store.ttlMs('c')).toBe(200);

    clock.advance(200);
    expect(await store.incrementBy('c', 1, { ttlMs: 500 })).toBe(1);
    expect(await store.ttlMs('c')).toBe(500);
  });

  it('rounds a fractional ttl up to whole milliseconds', async () => {
    const store = open();
    await store.set('k', 'v', { ttlMs: 0.2 });

    expect(await store.ttlMs('k')).toBe(1);
  });

  it('moves the expiry with expire', async () => {
    const store = open();
    await store.set('k', 'v', { ttlMs: 100 });
    await store.expire('k', 1000);

    clock.advance(999);
    expect(await store.exists('k')).toBe(true);
    clock.advance(1);
    expect(await store.exists('k')).toBe(false);
    expect(await store.expire('k', 1000)).toBe(false);
  });

  it('sweeps expired keys on its timer, without any read', async () => {
    vi.useFakeTimers();
    const store = open({ maxKeys: 2, sweepIntervalMs: 1000 });
    await store.set('a', '1', { ttlMs: 10 });
    await store.set('b', '2');
    clock.advance(10);
    vi.advanceTimersByTime(1000);

    // Had "a" still been stored, the store would have been full and evicted "b" for "c".
    await store.set('c', '3');
    expect([await store.get('b'), await store.get('c')]).toEqual(['2', '3']);
  });

  describe('when maxKeys is reached', () => {
    it('first drops expired keys', async () => {
      const store = open({ maxKeys: 2 });
      await store.set('expired', '1', { ttlMs: 10 });
      await store.set('persistent', '2');
      clock.advance(10);

      await store.set('new', '3');

      expect([await store.get('persistent'), await store.get('new')]).toEqual(['2', '3']);
    });

    it('evicts the key with the nearest expiry, then the least recently set', async () => {
      const store = open({ maxKeys: 3 });
      await store.set('later', '1', { ttlMs: 5000 });
      await store.set('sooner', '2', { ttlMs: 1000 });
      await store.set('forever', '3');

      await store.set('d', '4');
      expect(await store.exists('sooner')).toBe(false);
      await store.incrementBy('e', 1);
      expect(await store.exists('later')).toBe(false);
      await store.set('f', '6');
      expect(await store.exists('forever')).toBe(false);

      expect([await store.get('d'), await store.get('e'), await store.get('f')]).toEqual(['4', '1', '6']);
    });

    it('counts a key set again as the most recent', async () => {
      const store = open({ maxKeys: 3 });
      await store.set('x', '1');
      await store.set('y', '2');
      await store.set('z', '3');
      await store.set('x', '1 again');

      await store.set('w', '4');

      expect(await store.exists('y')).toBe(false);
      expect([await store.get('x'), await store.get('z'), await store.get('w')]).toEqual([
        '1 again',
        '3',
        '4',
      ]);
    });

    it('follows expiries changed by expire', async () => {
      const store = open({ maxKeys: 2 });
      await store.set('a', '1', { ttlMs: 1000 });
      await store.set('b', '2', { ttlMs: 2000 });
      await store.expire('a', 5000);

      await store.set('c', '3');

      expect([await store.exists('a'), await store.exists('b'), await store.exists('c')]).toEqual([
        true,
        false,
        true,
      ]);
    });

    it('never evicts to overwrite an existing key', async () => {
      const store = open({ maxKeys: 2 });
      await store.set('a', '1');
      await store.set('b', '2');

      await store.set('b', '2 again');
      await store.incrementBy('a', 0);

      expect([await store.get('a'), await store.get('b')]).toEqual(['1', '2 again']);
    });
  });

  it('keeps a handful of keys when one key is re-set many times with a ttl', async () => {
    const store = open({ maxKeys: 3 });
    await store.set('stable', 's');
    for (let i = 0; i < 5000; i += 1) await store.set('churn', String(i), { ttlMs: 60_000 + i });

    expect([await store.get('stable'), await store.get('churn')]).toEqual(['s', '4999']);
    expect(await store.ttlMs('churn')).toBe(64_999);
  });

  it('delivers messages asynchronously, never on the publisher stack', async () => {
    const store = open();
    const received: string[] = [];
    await store.subscribe('c', (message) => received.push(message));

    const published = store.publish('c', 'm');
    expect(received).toEqual([]);
    await published;
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual(['m']);
  });

  it('reports a throwing subscriber to onError and still delivers to the others', async () => {
    const errors: unknown[] = [];
    const store = open({ onError: (error) => errors.push(error) });
    const failure = new Error('subscriber failed');
    const received: string[] = [];
    await store.subscribe('c', () => {
      throw failure;
    });
    await store.subscribe('c', (message) => received.push(message));

    await store.publish('c', 'm');
    await new Promise((resolve) => setImmediate(resolve));

    expect(errors).toEqual([failure]);
    expect(received).toEqual(['m']);
  });

  it('rejects bad options', () => {
    expect(() => createMemoryKeyValueStore({ maxKeys: 0 })).toThrow(
      'maxKeys must be a positive integer, got 0',
    );
    expect(() => createMemoryKeyValueStore({ sweepIntervalMs: -1 })).toThrow(
      'sweepIntervalMs must be a positive number, got -1',
    );
  });

  it('stops its sweep timer on close', async () => {
    vi.useFakeTimers();
    const store = createMemoryKeyValueStore({ clock });
    expect(vi.getTimerCount()).toBe(1);

    await store.close();

    expect(vi.getTimerCount()).toBe(0);
    await expect(store.get('k')).rejects.toThrow('key-value store is closed');
  });
});
