import Redis from 'ioredis';
import { checkDelta, STORE_CLOSED_MESSAGE, toTtlMs } from './key-value-arguments';
import type { IncrementOptions, KeyValueStore, SetOptions } from './key-value-store';

export interface RedisKeyValueStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...` for TLS. */
  redisUrl: string;
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

interface ScriptedRedis extends Redis {
  gatehouseIncrementWithTtl(key: string, delta: number, ttlMs: number): Promise<number>;
}

/**
 * The KeyValueStore over Redis (ioredis). Resolves once connected; rejects, naming the server, when
 * Redis cannot be reached within `connectTimeoutMs`.
 *
 * Failure behaviour: commands are never queued while the connection is down (no offline queue) and
 * time out after `commandTimeoutMs`, so callers fail fast and decide themselves (fail open or
 * closed); meanwhile the client reconnects in the background, backing off up to 2 s.
 */
export async function createRedisKeyValueStore(options: RedisKeyValueStoreOptions): Promise<KeyValueStore> {
  const prefix = options.keyPrefix ?? '';
  const onError = options.onError ?? (() => undefined);
  const server = describeServer(options.redisUrl);
  const client = new Redis(options.redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    // Commands issued in one event-loop turn leave in one write (one system call here, one read for
    // Redis) instead of one each: a batch's counter updates, a login's session writes.
    enableAutoPipelining: true,
  }) as ScriptedRedis;
  client.on('error', onError);
  client.defineCommand('gatehouseIncrementWithTtl', { numberOfKeys: 1, lua: INCREMENT_WITH_TTL });
  await connectOrFail(client, server);

  // Redis forbids ordinary commands on a subscribed connection: subscriptions get their own,
  // opened on first use since most stores never subscribe.
  let subscriber: Promise<Redis> | undefined;
  const channels = new Map<string, ChannelState>();
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new Error(STORE_CLOSED_MESSAGE);
  }

  function subscribeChannel(connection: Redis, fullChannel: string): ChannelState {
    const subscribed = connection.subscribe(fullChannel);
    const state: ChannelState = { handlers: new Set(), subscribed };
    channels.set(fullChannel, state);
    subscribed.catch(() => {
      if (channels.get(fullChannel) === state) channels.delete(fullChannel);
    });
    return state;
  }

  function openSubscriber(): Promise<Redis> {
    subscriber ??= (async () => {
      const connection = client.duplicate({ lazyConnect: true });
      connection.on('error', onError);
      connection.on('message', (channel: string, message: string) => {
        for (const handler of [...(channels.get(channel)?.handlers ?? [])]) {
          try {
            handler(message);
          } catch (error) {
            onError(error);
          }
        }
      });
      await connectOrFail(connection, server);
      if (closed) {
        connection.disconnect(); // the store closed while this connection was opening
        throw new Error(STORE_CLOSED_MESSAGE);
      }
      return connection;
    })().catch((error: unknown) => {
      subscriber = undefined; // let the next subscribe try again
      throw error;
    });
    return subscriber;
  }

  return {
    kind: 'redis',

    async get(key) {
      ensureOpen();
      return client.get(prefix + key);
    },

    async set(key, value, setOptions: SetOptions = {}) {
      ensureOpen();
      const fullKey = prefix + key;
      const onlyIfAbsent = setOptions.onlyIfAbsent === true;
      let reply: string | null;
      if (setOptions.ttlMs === undefined) {
        reply = onlyIfAbsent ? await client.set(fullKey, value, 'NX') : await client.set(fullKey, value);
      } else {
        const ttlMs = toTtlMs(setOptions.ttlMs);
        reply = onlyIfAbsent
          ? await client.set(fullKey, value, 'PX', ttlMs, 'NX')
          : await client.set(fullKey, value, 'PX', ttlMs);
      }
      return reply === 'OK';
    },

    async delete(key) {
      ensureOpen();
      return (await client.del(prefix + key)) > 0;
    },

    async exists(key) {
      ensureOpen();
      return (await client.exists(prefix + key)) > 0;
    },

    async incrementBy(key, delta, incrementOptions: IncrementOptions = {}) {
      ensureOpen();
      checkDelta(delta);
      if (incrementOptions.ttlMs === undefined) return client.incrby(prefix + key, delta);
      return client.gatehouseIncrementWithTtl(prefix + key, delta, toTtlMs(incrementOptions.ttlMs));
    },

    async ttlMs(key) {
      ensureOpen();
      const pttl = await client.pttl(prefix + key);
      if (pttl === -2) return null;
      return pttl === -1 ? Number.POSITIVE_INFINITY : pttl;
    },

    async expire(key, ttlMs) {
      ensureOpen();
      return (await client.pexpire(prefix + key, toTtlMs(ttlMs))) === 1;
    },

    async publish(channel, message) {
      ensureOpen();
      await client.publish(prefix + channel, message);
    },

    async subscribe(channel, onMessage) {
      ensureOpen();
      const fullChannel = prefix + channel;
      const connection = await openSubscriber();
      let state: ChannelState | undefined;
      // Loop: while we waited, the last handler of the channel may have unsubscribed it.
      while (state === undefined || channels.get(fullChannel) !== state) {
        state = channels.get(fullChannel) ?? subscribeChannel(connection, fullChannel);
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
        if (!closed) await connection.unsubscribe(fullChannel);
      };
    },

    async ping() {
      ensureOpen();
      await client.ping();
    },

    /** Idempotent; afterwards every other method rejects with "key-value store is closed". */
    async close() {
      if (closed) return;
      closed = true;
      channels.clear();
      const connections: Promise<Redis>[] = [Promise.resolve(client)];
      if (subscriber !== undefined) connections.push(subscriber);
      await Promise.all(
        connections.map(async (pending) => {
          const connection = await pending.catch(() => undefined);
          // QUIT lets Redis finish what was sent; when Redis is gone, just drop the socket.
          await connection?.quit().catch(() => connection.disconnect());
        }),
      );
    },
  };
}

/** Connects, or rejects with the server named and stops the background reconnect attempts. */
async function connectOrFail(connection: Redis, server: string): Promise<void> {
  // connect() only rejects with "Connection is closed."; the reason comes as an 'error' event.
  let reason: unknown;
  const remember = (error: unknown) => {
    reason = error;
  };
  connection.on('error', remember);
  try {
    await connection.connect();
  } catch (error) {
    connection.disconnect();
    const cause = reason ?? error;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`Redis at ${server} is not reachable: ${message}`, { cause });
  } finally {
    connection.off('error', remember);
  }
}

/** host:port of a Redis URL, without credentials, for error messages. */
function describeServer(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    return `${url.hostname}:${url.port || '6379'}`;
  } catch {
    return 'the configured URL';
  }
}
