export interface SetOptions {
  /** Time to live in milliseconds; no expiry when absent. */
  ttlMs?: number;
  /** Set only when the key does not exist yet (Redis NX). */
  onlyIfAbsent?: boolean;
}

export interface IncrementOptions {
  /** Expiry given to the key when this increment creates it; an existing key keeps its expiry. */
  ttlMs?: number;
}

/**
 * Fast, expiring state of a service: Redis when REDIS_URL is set, else an in-process store with
 * the same semantics (expiry included). Every key and channel is namespaced by the store's prefix.
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  /** Redis only: true when it is a Redis Cluster. */
  readonly cluster?: boolean;
  get(key: string): Promise<string | null>;
  /** Resolves false only when `onlyIfAbsent` is set and the key already existed. */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /** Resolves true when the key existed. */
  delete(key: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** Adds an integer delta (may be negative) to an integer value, creating it at 0; resolves the new value. */
  incrementBy(key: string, delta: number, options?: IncrementOptions): Promise<number>;
  /** Remaining lifetime in ms: null when the key does not exist, Infinity when it never expires. */
  ttlMs(key: string): Promise<number | null>;
  /** Sets a key's time to live; resolves false when the key does not exist. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /** Delivers a message to every subscriber of the channel, in this process and others sharing the store. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `onMessage` for each message published on the channel; resolves an unsubscribe function. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  /** One round trip; rejects when the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
