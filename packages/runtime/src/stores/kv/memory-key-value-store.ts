import { systemClock, type Clock } from '../../clock';
import { ExpiryHeap } from './expiry-heap';
import { checkDelta, STORE_CLOSED_MESSAGE, toTtlMs } from './key-value-arguments';
import { createLocalChannels } from './local-channels';
import type { IncrementOptions, KeyValueStore, SetOptions } from './key-value-store';

export interface MemoryKeyValueStoreOptions {
  /** Prepended to every key and channel, as the Redis store does. Default: none. */
  keyPrefix?: string;
  /** The source of time for expiry; inject a manual clock to move time by hand. Default: system clock. */
  clock?: Clock;
  /**
   * Upper bound on stored keys, so a runaway key space cannot exhaust the process memory.
   * Creating a key beyond it first drops expired keys, then evicts the key with the nearest
   * expiry, else (no key has an expiry) the oldest one, i.e. the least recently `set`.
   * Default: 1,000,000.
   */
  maxKeys?: number;
  /** How often expired keys are swept away even when nobody reads them. Default: 1000 ms. */
  sweepIntervalMs?: number;
  /** Receives errors thrown by subscribers' `onMessage`. Default: ignored. */
  onError?: (error: unknown) => void;
}

interface Entry {
  value: string;
  /** Epoch ms at which the key stops existing; null when it never expires. */
  expiresAt: number | null;
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * The in-process KeyValueStore used when no Redis is configured, with Redis semantics: a key
 * expires exactly when its lifetime has elapsed (checked lazily on access, plus a periodic sweep
 * that frees memory), and pub/sub reaches the subscribers of this store instance only.
 */
export function createMemoryKeyValueStore(options: MemoryKeyValueStoreOptions = {}): KeyValueStore {
  const prefix = options.keyPrefix ?? '';
  const clock = options.clock ?? systemClock;
  const maxKeys = options.maxKeys ?? 1_000_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 1000;
  const onError = options.onError ?? (() => undefined);
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`maxKeys must be a positive integer, got ${String(maxKeys)}`);
  }
  if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs <= 0) {
    throw new RangeError(`sweepIntervalMs must be a positive number, got ${String(sweepIntervalMs)}`);
  }

  // Map order is insertion order: `set` re-inserts, so the first key is the least recently set.
  const entries = new Map<string, Entry>();
  const expiries = new ExpiryHeap();
  const channels = createLocalChannels(onError);
  let closed = false;

  // unref(): a forgotten store must not keep the process alive.
  const sweepTimer = setInterval(sweepExpired, sweepIntervalMs);
  sweepTimer.unref();

  function ensureOpen(): void {
    if (closed) throw new Error(STORE_CLOSED_MESSAGE);
  }

  function isExpired(entry: Entry, now: number): boolean {
    return entry.expiresAt !== null && entry.expiresAt <= now;
  }

  /** The entry of a key that still exists, deleting it first when it has expired. */
  function liveEntry(fullKey: string): Entry | undefined {
    const entry = entries.get(fullKey);
    if (entry === undefined) return undefined;
    if (isExpired(entry, clock.now())) {
      entries.delete(fullKey);
      return undefined;
    }
    return entry;
  }

  function scheduleExpiry(fullKey: string, expiresAt: number): void {
    expiries.push({ key: fullKey, expiresAt });
    // Every expiry change leaves a stale heap item behind; rebuild before they outnumber the keys.
    if (expiries.size > 2 * entries.size + 1024) {
      const current = [];
      for (const [key, entry] of entries) {
        if (entry.expiresAt !== null) current.push({ key, expiresAt: entry.expiresAt });
      }
      expiries.rebuild(current);
    }
  }

  /** Removes the heap's top key when the heap item is still that key's current expiry. */
  function popExpiry(): boolean {
    const item = expiries.pop();
    if (item === undefined) return false;
    const entry = entries.get(item.key);
    if (entry !== undefined && entry.expiresAt === item.expiresAt) entries.delete(item.key);
    return true;
  }

  function sweepExpired(): void {
    const now = clock.now();
    for (let top = expiries.peek(); top !== undefined && top.expiresAt <= now; top = expiries.peek()) {
      popExpiry();
    }
  }

  /** Makes room for one new key. */
  function reserveSlot(): void {
    if (entries.size < maxKeys) return;
    sweepExpired();
    while (entries.size >= maxKeys) {
      const sizeBefore = entries.size;
      while (entries.size === sizeBefore && popExpiry()) {
        // skip stale heap items until one key with an expiry is evicted
      }
      if (entries.size === sizeBefore) {
        const oldest = entries.keys().next();
        if (oldest.done === true) return;
        entries.delete(oldest.value);
      }
    }
  }

  function createEntry(fullKey: string, value: string, ttlMs: number | undefined): void {
    reserveSlot();
    const expiresAt = ttlMs === undefined ? null : clock.now() + ttlMs;
    entries.set(fullKey, { value, expiresAt });
    if (expiresAt !== null) scheduleExpiry(fullKey, expiresAt);
  }

  return {
    kind: 'memory',

    async get(key) {
      ensureOpen();
      return liveEntry(prefix + key)?.value ?? null;
    },

    async set(key, value, setOptions: SetOptions = {}) {
      ensureOpen();
      const ttlMs = setOptions.ttlMs === undefined ? undefined : toTtlMs(setOptions.ttlMs);
      const fullKey = prefix + key;
      const existing = liveEntry(fullKey);
      if (existing !== undefined) {
        if (setOptions.onlyIfAbsent === true) return false;
        entries.delete(fullKey); // re-inserted below: it becomes the most recently set key
      }
      createEntry(fullKey, value, ttlMs);
      return true;
    },

    async delete(key) {
      ensureOpen();
      const fullKey = prefix + key;
      return liveEntry(fullKey) !== undefined && entries.delete(fullKey);
    },

    async exists(key) {
      ensureOpen();
      return liveEntry(prefix + key) !== undefined;
    },

    async incrementBy(key, delta, incrementOptions: IncrementOptions = {}) {
      ensureOpen();
      checkDelta(delta);
      const ttlMs = incrementOptions.ttlMs === undefined ? undefined : toTtlMs(incrementOptions.ttlMs);
      const fullKey = prefix + key;
      const existing = liveEntry(fullKey);
      if (existing === undefined) {
        createEntry(fullKey, String(delta), ttlMs);
        return delta;
      }
      const current = INTEGER.test(existing.value) ? Number(existing.value) : Number.NaN;
      const next = current + delta;
      // Same refusal as Redis; beyond 2^53 a JS number would silently lose precision.
      if (!Number.isSafeInteger(current) || !Number.isSafeInteger(next)) {
        throw new Error(`value of key "${key}" is not an integer or out of range`);
      }
      existing.value = String(next); // an existing key keeps its expiry
      return next;
    },

    async ttlMs(key) {
      ensureOpen();
      const entry = liveEntry(prefix + key);
      if (entry === undefined) return null;
      return entry.expiresAt === null ? Number.POSITIVE_INFINITY : entry.expiresAt - clock.now();
    },

    async expire(key, ttlMs) {
      ensureOpen();
      const lifetime = toTtlMs(ttlMs);
      const fullKey = prefix + key;
      const entry = liveEntry(fullKey);
      if (entry === undefined) return false;
      entry.expiresAt = clock.now() + lifetime;
      scheduleExpiry(fullKey, entry.expiresAt);
      return true;
    },

    async publish(channel, message) {
      ensureOpen();
      channels.publish(prefix + channel, message);
    },

    async subscribe(channel, onMessage) {
      ensureOpen();
      const unsubscribe = channels.subscribe(prefix + channel, onMessage);
      return async () => unsubscribe();
    },

    async ping() {
      ensureOpen();
    },

    /** Idempotent; afterwards every other method rejects with "key-value store is closed". */
    async close() {
      closed = true;
      clearInterval(sweepTimer);
      entries.clear();
      expiries.rebuild([]);
      channels.clear();
    },
  };
}
