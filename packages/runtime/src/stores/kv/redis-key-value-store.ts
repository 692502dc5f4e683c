import type { RedisClusterSetting } from '@gatehouse/config';
import type { Clock } from '../../clock';
import { connectRedis, type RedisClient } from '../redis/connect-redis';
import { StoreRefusals, type StoreRefusal } from '../redis/store-refusals';
import { checkDelta, STORE_CLOSED_MESSAGE, toTtlMs } from './key-value-arguments';
import type { IncrementOptions, KeyValueStore, SetOptions } from './key-value-store';

export interface RedisKeyValueStoreOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://...` for TLS; for a Redis Cluster, one or
   * more comma-separated seed nodes (user, password and TLS taken from the first).
   */
  redisUrl: string;
  /** true: Redis Cluster; false: one server; 'auto' (default): ask the server at start. */
  cluster?: RedisClusterSetting;
  /**
   * Prepended to every key and pub/sub channel, so services (and test files) sharing one Redis
   * never see each other's data. Keep `{` out of it: Redis Cluster hash tags belong to the keys.
   * Default: none.
   */
  keyPrefix?: string;
  /** A command without an answer after this long rejects, instead of waiting on a dead Redis. Default: 500 ms. */
  commandTimeoutMs?: number;
  /** Limit for opening a connection, at start-up and for each background reconnect. Default: 2000 ms. */
  connectTimeoutMs?: number;
  /** Receives connection errors (the client keeps reconnecting) and errors thrown by subscribers. Default: ignored. */
  onError?: (error: unknown) => void;
  /** The first command Redis refuses for each cause (MOVED, NOAUTH, WRONGTYPE...), for one log line. */
  onRefusal?: (refusal: StoreRefusal) => void;
  /** Time of the refusal window (see StoreRefusals). Default: the system clock. */
  clock?: Clock;
}

// INCRBY and the creation-time expiry in one atomic step: with two round trips a crash or a
// concurrent caller between them could leave a counter that never expires.
const INCREMENT_WITH_TTL = `
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value
`;

interface ChannelState {
  handlers: Set<(message: string) => void>;
  /** The SUBSCRIBE every subscriber of the channel waits for. */
  subscribed: Promise<unknown>;
}

type ScriptedRedis = RedisClient & {
  gatehouseIncrementWithTtl(key: string, delta: number, ttlMs: number): Promise<number>;
};

/**
 * The KeyValueStore over Redis (ioredis), one server or a Redis Cluster. Resolves once connected;
 * rejects, naming the server, when Redis cannot be reached within `connectTimeoutMs`.
 *
 * Failure behaviour: commands are never queued while the connection is down (no offline queue) and
 * time out after `commandTimeoutMs`, so callers fail fast and decide themselves (fail open or
 * closed); meanwhile the client reconnects in the background, backing off up to 2 s. Every method
 * takes one key, so on a cluster each command goes to the master of its slot. `ping` (readiness)
 * also fails while Redis refuses commands (see StoreRefusals) or the topology is wrong.
 */
export async function createRedisKeyValueStore(options: RedisKeyValueStoreOptions): Promise<KeyValueStore> {
  const prefix = options.keyPrefix ?? '';
  const refusals = new StoreRefusals({ clock: options.clock, onRefusal: options.onRefusal });
  // A reconnect Redis refuses (NOAUTH after a password change...) only shows as an error event.
  const onError = (error: unknown) => {
    refusals.record(error, 'connect');
    options.onError?.(error);
  };
  const connection = await connectRedis({
    redisUrl: options.redisUrl,
    cluster: options.cluster,
    commandTimeoutMs: options.commandTimeoutMs ?? 500,
    connectTimeoutMs: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    reconnectDelayMs: (attempt) => Math.min(attempt * 100, 2000),
    // Commands issued in one event-loop turn leave in one write (one system call here, one read for
    // Redis) instead of one each: a batch's counter updates, a login's session writes.
    enableAutoPipelining: true,
    onError,
  });
  const client = connection.client as ScriptedRedis;
  client.defineCommand('gatehouseIncrementWithTtl', { numberOfKeys: 1, lua: INCREMENT_WITH_TTL });
  /** Notes what Redis refused, then passes the outcome on unchanged. */
  const watched = <T>(operation: string, command: Promise<T>): Promise<T> =>
    command.catch((error: unknown) => {
      refusals.record(error, operation);
      throw error;
    });

  // Redis forbids ordinary commands on a subscribed connection: subscriptions get their own,
  // opened on first use since most stores never subscribe. On a cluster, SUBSCRIBE and PUBLISH
  // are cluster-wide: a message published through any node reaches subscribers on every node.
  let subscriber: Promise<RedisClient> | undefined;
  const channels = new Map<string, ChannelState>();
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new Error(STORE_CLOSED_MESSAGE);
  }

  function subscribeChannel(subscribed: RedisClient, fullChannel: string): ChannelState {
    const pending = subscribed.subscribe(fullChannel);
    const state: ChannelState = { handlers: new Set(), subscribed: pending };
    channels.set(fullChannel, state);
    pending.catch(() => {
      if (channels.get(fullChannel) === state) channels.delete(fullChannel);
    });
    return state;
  }

  function openSubscriber(): Promise<RedisClient> {
    subscriber ??= (async () => {
      const opened = await connection.duplicate();
      opened.on('error', onError);
      opened.on('message', (channel: string, message: string) => {
        for (const handler of [...(channels.get(channel)?.handlers ?? [])]) {
          try {
            handler(message);
          } catch (error) {
            onError(error);
          }
        }
      });
      if (closed) {
        opened.disconnect(); // the store closed while this connection was opening
        throw new Error(STORE_CLOSED_MESSAGE);
      }
      return opened;
    })().catch((error: unknown) => {
      subscriber = undefined; // let the next subscribe try again
      throw error;
    });
    return subscriber;
  }

  return {
    kind: 'redis',
    cluster: connection.mode === 'cluster',

    async get(key) {
      ensureOpen();
      return watched('get', client.get(prefix + key));
    },

    async set(key, value, setOptions: SetOptions = {}) {
      ensureOpen();
      const fullKey = prefix + key;
      const onlyIfAbsent = setOptions.onlyIfAbsent === true;
      let reply: string | null;
      if (setOptions.ttlMs === undefined) {
        reply = await watched(
          'set',
          onlyIfAbsent ? client.set(fullKey, value, 'NX') : client.set(fullKey, value),
        );
      } else {
        const ttlMs = toTtlMs(setOptions.ttlMs);
        reply = await watched(
          'set',
          onlyIfAbsent
            ? client.set(fullKey, value, 'PX', ttlMs, 'NX')
            : client.set(fullKey, value, 'PX', ttlMs),
        );
      }
      return reply === 'OK';
    },

    async delete(key) {
      ensureOpen();
      return (await watched('delete', client.del(prefix + key))) > 0;
    },

    async exists(key) {
      ensureOpen();
      return (await watched('exists', client.exists(prefix + key))) > 0;
    },

    async incrementBy(key, delta, incrementOptions: IncrementOptions = {}) {
      ensureOpen();
      checkDelta(delta);
      if (incrementOptions.ttlMs === undefined)
        return watched('increment', client.incrby(prefix + key, delta));
      const ttlMs = toTtlMs(incrementOptions.ttlMs);
      return watched('increment', client.gatehouseIncrementWithTtl(prefix + key, delta, ttlMs));
    },

    async ttlMs(key) {
      ensureOpen();
      const pttl = await watched('ttl', client.pttl(prefix + key));
      if (pttl === -2) return null;
      return pttl === -1 ? Number.POSITIVE_INFINITY : pttl;
    },

    async expire(key, ttlMs) {
      ensureOpen();
      return (await watched('expire', client.pexpire(prefix + key, toTtlMs(ttlMs)))) === 1;
    },

    async publish(channel, message) {
      ensureOpen();
      await watched('publish', client.publish(prefix + channel, message));
    },

    async subscribe(channel, onMessage) {
      ensureOpen();
      const fullChannel = prefix + channel;
      const subscribed = await openSubscriber();
      let state: ChannelState | undefined;
      // Loop: while we waited, the last handler of the channel may have unsubscribed it.
      while (state === undefined || channels.get(fullChannel) !== state) {
        state = channels.get(fullChannel) ?? subscribeChannel(subscribed, fullChannel);
        await state.subscribed;
      }
      // Each call gets its own registration, so subscribing one function twice needs two unsubscribes.
      const handler = (message: string) => onMessage(message);
      state.handlers.add(handler);
      const registered = state;
      return async () => {
        if (!registered.handlers.delete(handler) || registered.handlers.size > 0) return;
        if (channels.get(fullChannel) !== registered) return;
        channels.delete(fullChannel);
        // Commands on one connection run in order, so a later SUBSCRIBE of this channel still wins.
        if (!closed) await subscribed.unsubscribe(fullChannel);
      };
    },

    /** Reachability (every master on a cluster), topology, and no refusal in the last 10 s. */
    async ping() {
      ensureOpen();
      try {
        await watched('ping', connection.ping());
        await watched('ping', connection.checkTopology()).catch(() => undefined);
      } catch (error) {
        refusals.check(); // "WRONGPASS ..." says more than "Stream isn't writeable"
        throw error;
      }
      refusals.check();
    },

    /** Idempotent; afterwards every other method rejects with "key-value store is closed". */
    async close() {
      if (closed) return;
      closed = true;
      channels.clear();
      const pending: Promise<RedisClient | undefined>[] = [Promise.resolve(client)];
      if (subscriber !== undefined) pending.push(subscriber.catch(() => undefined));
      await Promise.all(
        pending.map(async (opened) => {
          const done = await opened;
          // QUIT lets Redis finish what was sent; when Redis is gone, just drop the socket.
          await done?.quit().catch(() => done.disconnect());
        }),
      );
    },
  };
}
