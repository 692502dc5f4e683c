import type { RedisClusterSetting } from '@gatehouse/config';
import type { Clock } from '../../clock';
import type { StoreRefusal } from '../redis/store-refusals';
import type { KeyValueStore } from './key-value-store';
import { createMemoryKeyValueStore } from './memory-key-value-store';
import { createRedisKeyValueStore } from './redis-key-value-store';

export interface OpenKeyValueStoreOptions {
  /** Redis to use (one URL, or comma-separated cluster seeds); when absent the store lives in this process (single replica only). */
  redisUrl?: string;
  /** Redis only: true for a Redis Cluster, false for one server, 'auto' (default) asks the server. */
  cluster?: RedisClusterSetting;
  /** Prepended to every key and channel, e.g. `gatehouse:rate-limit:`. Default: none. */
  keyPrefix?: string;
  /** Time source of the in-process store's expiry (Redis keeps its own time). Default: system clock. */
  clock?: Clock;
  /** Redis only: see `RedisKeyValueStoreOptions.commandTimeoutMs`. Default: 500 ms. */
  commandTimeoutMs?: number;
  /** Redis only: see `RedisKeyValueStoreOptions.connectTimeoutMs`. Default: 2000 ms. */
  connectTimeoutMs?: number;
  /** In-process only: see `MemoryKeyValueStoreOptions.maxKeys`. Default: 1,000,000. */
  maxKeys?: number;
  /** Connection errors (Redis) and errors thrown by subscribers. Default: ignored. */
  onError?: (error: unknown) => void;
  /** Redis only: the first command refused for each cause (see RedisKeyValueStoreOptions.onRefusal). */
  onRefusal?: (refusal: StoreRefusal) => void;
}

/** The one place that chooses the key-value backend: Redis when `redisUrl` is set, else in-process. */
export async function openKeyValueStore(options: OpenKeyValueStoreOptions): Promise<KeyValueStore> {
  const { redisUrl, keyPrefix, clock, commandTimeoutMs, connectTimeoutMs, maxKeys, onError } = options;
  if (redisUrl !== undefined && redisUrl !== '') {
    const { cluster, onRefusal } = options;
    return createRedisKeyValueStore({
      redisUrl,
      cluster,
      keyPrefix,
      commandTimeoutMs,
      connectTimeoutMs,
      onError,
      onRefusal,
      clock,
    });
  }
  return createMemoryKeyValueStore({ keyPrefix, clock, maxKeys, onError });
}
