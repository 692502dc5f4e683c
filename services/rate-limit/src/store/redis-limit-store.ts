import Redis from 'ioredis';
import type { Evaluation } from '../limiter/limit-spec';
import { decideScript, releaseScript } from './decide-script';
import type { LimitStore } from './limit-store';
import { redisArgsOf, redisKeysOf } from './redis-keys';

export interface RedisLimitStoreOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  redisUrl: string;
  /** Prepended to every key (keep `{` out of it: the hash tag belongs to the keys). Default none. */
  keyPrefix?: string;
  /** A command without an answer after this long rejects. Default 50 ms. */
  commandTimeoutMs?: number;
  /** Limit for opening a connection, at start and on each reconnect. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Connection errors (the client keeps reconnecting in the background). */
  onError?: (error: unknown) => void;
}

const reconnectAfterTimeouts = 3;

interface ScriptedRedis extends Redis {
  gatehouseDecide(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
  gatehouseRelease(key: string, leaseId: string, now: number): Promise<number>;
}

/**
 * Counters in Redis: each decision is one EVALSHA of decide-script.ts. Fails fast like the runtime's
 * Redis store: no offline queue (commands reject at once while disconnected), a short command
 * timeout, background reconnects; the caller's failure policy decides meanwhile.
 */
export async function createRedisLimitStore(options: RedisLimitStoreOptions): Promise<LimitStore> {
  const prefix = options.keyPrefix ?? '';
  const client = new Redis(options.redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 50,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => Math.min(attempt * 50, 1000),
  }) as ScriptedRedis;
  client.on('error', options.onError ?? (() => undefined));
  client.defineCommand('gatehouseDecide', { lua: decideScript });
  client.defineCommand('gatehouseRelease', { numberOfKeys: 1, lua: releaseScript });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`Redis is not reachable: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }

  // A hung connection (a network partition, a frozen Redis) never closes by itself: after a few
  // timeouts in a row, drop it so the client reconnects when Redis is back.
  let timeoutsInARow = 0;
  async function run<T>(command: () => Promise<T>): Promise<T> {
    try {
      const result = await command();
      timeoutsInARow = 0;
      return result;
    } catch (error) {
      if (error instanceof Error && /timed out/i.test(error.message)) {
        timeoutsInARow += 1;
        if (timeoutsInARow >= reconnectAfterTimeouts) {
          timeoutsInARow = 0;
          client.disconnect(true);
        }
      }
      throw error;
    }
  }

  return {
    kind: 'redis',
    async decide(checks, demand, now) {
      const keys: string[] = [];
      const args: (string | number)[] = [now, demand.hits, demand.consume ? 1 : 0, checks.length];
      for (const check of checks) {
        keys.push(...redisKeysOf(prefix, check, now));
        args.push(...redisArgsOf(check));
      }
      const reply = await run(() => client.gatehouseDecide(keys.length, ...keys, ...args));
      return checks.map((_, index): Evaluation => {
        const at = index * 4;
        return {
          allowed: reply[at] === 1,
          remaining: reply[at + 1] ?? 0,
          resetAfterMs: reply[at + 2] ?? 0,
          retryAfterMs: reply[at + 3] ?? 0,
        };
      });
    },
    async release(key, leaseId, now) {
      return (await run(() => client.gatehouseRelease(prefix + key, leaseId, now))) === 1;
    },
    async reset(checks, now) {
      const pipeline = client.pipeline();
      for (const check of checks) pipeline.del(...new Set(redisKeysOf(prefix, check, now)));
      const replies = (await run(() => pipeline.exec())) ?? [];
      return replies.filter(([error, count]) => error === null && Number(count) > 0).length;
    },
    async ping() {
      await run(() => client.ping());
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
