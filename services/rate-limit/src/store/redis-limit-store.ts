import Redis from 'ioredis';
import { decideScript, releaseScript } from './decide-script';
import { DecisionBatcher, type PendingDecision } from './decision-batcher';
import type { LimitStore } from './limit-store';
import { withAnswerDeadline } from './answer-deadline';
import { checkArg, decisionArg, pushRedisKeys, redisKeysOf } from './redis-keys';
import { StoreTimeoutError } from './store-timeout-error';

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
  /** Most decisions of one event-loop turn sent as one script call (see DecisionBatcher). Default 8. */
  maxBatch?: number;
}

const reconnectAfterTimeouts = 3;

interface ScriptedRedis extends Redis {
  gatehouseDecide(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
  gatehouseRelease(key: string, leaseId: string, now: number): Promise<number>;
}

/**
 * Counters in Redis: the decisions of one event-loop turn are one EVALSHA of decide-script.ts per
 * hash tag (DecisionBatcher). Fails fast like the runtime's Redis store: no offline queue (commands
 * reject at once while disconnected), a short command timeout, background reconnects; the caller's
 * failure policy decides meanwhile.
 */
export async function createRedisLimitStore(options: RedisLimitStoreOptions): Promise<LimitStore> {
  const prefix = options.keyPrefix ?? '';
  const commandTimeoutMs = options.commandTimeoutMs ?? 50;
  const client = new Redis(options.redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A backstop that frees hung commands; decisions time out sooner (withAnswerDeadline, armed
    // when a batch is sent, so a decision's wait for its batch is not counted).
    commandTimeout: commandTimeoutMs * 4,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => Math.min(attempt * 50, 1000),
  }) as ScriptedRedis;
  client.on('error', options.onError ?? (() => undefined));
  client.defineCommand('gatehouseDecide', { lua: decideScript });
  client.defineCommand('gatehouseRelease', { numberOfKeys: 1, lua: releaseScript });
  try {
    await client.connect();
    // Loaded up front so the first decisions need no NOSCRIPT round trip (ioredis falls back to
    // EVAL by itself after a Redis restart forgets them).
    await Promise.all([client.script('LOAD', decideScript), client.script('LOAD', releaseScript)]);
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
      const result = await withAnswerDeadline(command(), commandTimeoutMs, 'Redis');
      timeoutsInARow = 0;
      return result;
    } catch (error) {
      const timedOut = error instanceof StoreTimeoutError;
      if (timedOut || (error instanceof Error && /timed out/i.test(error.message))) {
        timeoutsInARow += 1;
        if (timeoutsInARow >= reconnectAfterTimeouts) {
          timeoutsInARow = 0;
          client.disconnect(true);
        }
        if (!timedOut) {
          throw new StoreTimeoutError(`Redis did not answer within ${commandTimeoutMs} ms`, { cause: error });
        }
      }
      throw error;
    }
  }

  const sendBatch = (batch: readonly PendingDecision[]): Promise<number[]> => {
    const keys: string[] = [];
    const args: (string | number)[] = [batch.length];
    for (const { checks, demand, now } of batch) {
      args.push(decisionArg(now, demand.hits, demand.consume, checks.length));
      for (const check of checks) {
        pushRedisKeys(keys, prefix, check, now);
        args.push(checkArg(check));
      }
    }
    return run(() => client.gatehouseDecide(keys.length, ...keys, ...args));
  };
  const batcher = new DecisionBatcher({ send: sendBatch, maxBatch: options.maxBatch ?? 8 });

  return {
    kind: 'redis',
    timesOwnCalls: true,
    decide: (checks, demand, now) => batcher.decide(checks, demand, now),
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
