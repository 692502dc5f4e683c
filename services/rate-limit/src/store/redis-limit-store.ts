import type { RedisClusterSetting } from '@gatehouse/config';
import {
  connectRedis,
  StoreRefusals,
  type Clock,
  type RedisClient,
  type StoreErrorReason,
  type StoreRefusal,
} from '@gatehouse/runtime';
import type { Cluster, Redis } from 'ioredis';
import { withAnswerDeadline } from './answer-deadline';
import { clusterSlot } from './cluster-slot';
import { decideAcrossSlots, type Commit } from './cross-slot-decision';
import { decideScript, releaseScript } from './decide-script';
import { DecisionBatcher, type PendingDecision } from './decision-batcher';
import type { LimitStore } from './limit-store';
import { checkArg, decisionArg, pushRedisKeys, redisKeysOf } from './redis-keys';
import { refundArg, refundScript } from './refund-script';
import { StoreTimeoutError } from './store-timeout-error';

export interface RedisLimitStoreOptions {
  /** `redis://[user:password@]host:port[/db]`, or comma-separated seed nodes of a Redis Cluster. */
  redisUrl: string;
  /** true: Redis Cluster; false: one server; 'auto' (default): ask the server at start. */
  cluster?: RedisClusterSetting;
  /** Prepended to every key (keep `{` out of it: the hash tag belongs to the keys). Default none. */
  keyPrefix?: string;
  /** A command without an answer after this long rejects. Default 50 ms. */
  commandTimeoutMs?: number;
  /** Limit for opening a connection, at start and on each reconnect. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Connection errors (the client keeps reconnecting in the background). */
  onError?: (error: unknown) => void;
  /** The first command Redis refuses for each cause (MOVED, NOAUTH, WRONGTYPE...), for one log line. */
  onRefusal?: (refusal: StoreRefusal) => void;
  /** Every failed store call, by operation (decide, release, reset, refund) and reason, for metrics. */
  onFailure?: (operation: string, reason: StoreErrorReason) => void;
  /** Time of the refusal window. Default: the system clock. */
  clock?: Clock;
  /** Most decisions of one event-loop turn sent as one script call (see DecisionBatcher). Default 8. */
  maxBatch?: number;
}

const reconnectAfterTimeouts = 3;

type ScriptedRedis = RedisClient & {
  gatehouseDecide(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
  gatehouseRelease(key: string, leaseId: string, now: number): Promise<number>;
  gatehouseRefund(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
};

/**
 * Counters in Redis, one server or a Redis Cluster: the decisions of one event-loop turn are one
 * EVALSHA of decide-script.ts per group (DecisionBatcher) — on a cluster, per slot, since a script
 * may only touch keys of one slot; a decision whose counters span slots is decided per slot and
 * kept all-or-nothing by refunds (cross-slot-decision.ts). Fails fast like the runtime's Redis
 * store: no offline queue (commands reject at once while disconnected), a short command timeout,
 * background reconnects; the caller's failure policy decides meanwhile.
 */
export async function createRedisLimitStore(options: RedisLimitStoreOptions): Promise<LimitStore> {
  const prefix = options.keyPrefix ?? '';
  const commandTimeoutMs = options.commandTimeoutMs ?? 50;
  const refusals = new StoreRefusals({ clock: options.clock, onRefusal: options.onRefusal });
  const connection = await connectRedis({
    redisUrl: options.redisUrl,
    cluster: options.cluster,
    // A backstop that frees hung commands; decisions time out sooner (withAnswerDeadline, armed
    // when a batch is sent, so a decision's wait for its batch is not counted).
    commandTimeoutMs: commandTimeoutMs * 4,
    connectTimeoutMs: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: 0,
    reconnectDelayMs: (attempt) => Math.min(attempt * 50, 1000),
    onError: (error) => {
      refusals.record(error, 'connect');
      options.onError?.(error);
    },
  });
  const client = connection.client as ScriptedRedis;
  const cluster = connection.mode === 'cluster';
  client.defineCommand('gatehouseDecide', { lua: decideScript });
  client.defineCommand('gatehouseRelease', { numberOfKeys: 1, lua: releaseScript });
  client.defineCommand('gatehouseRefund', { lua: refundScript });
  try {
    // Loaded up front, on every master, so the first decisions need no NOSCRIPT round trip (ioredis
    // falls back to EVAL by itself after a restart or a failover forgets them).
    const nodes = cluster ? (client as Cluster).nodes('master') : [client as Redis];
    await Promise.all(
      nodes.flatMap((node) =>
        [decideScript, releaseScript, refundScript].map((lua) => node.script('LOAD', lua)),
      ),
    );
  } catch (error) {
    await connection.close();
    throw new Error(
      `Redis at ${connection.server} refused the scripts: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  // A hung connection (a network partition, a frozen Redis) never closes by itself: after a few
  // timeouts in a row, drop it so the client reconnects when Redis is back. Not on a cluster: there
  // a timeout is usually one master failing over, and reconnecting would stall every other slot too.
  let timeoutsInARow = 0;
  async function run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      const result = await withAnswerDeadline(command(), commandTimeoutMs, 'Redis');
      timeoutsInARow = 0;
      return result;
    } catch (error) {
      const timedOut = error instanceof StoreTimeoutError;
      const failure =
        !timedOut && error instanceof Error && /timed out/i.test(error.message)
          ? new StoreTimeoutError(`Redis did not answer within ${commandTimeoutMs} ms`, { cause: error })
          : error;
      if (failure instanceof StoreTimeoutError && !cluster) {
        timeoutsInARow += 1;
        if (timeoutsInARow >= reconnectAfterTimeouts) {
          timeoutsInARow = 0;
          client.disconnect(true);
        }
      }
      options.onFailure?.(operation, refusals.record(failure, operation));
      throw failure;
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
    return run('decide', () => client.gatehouseDecide(keys.length, ...keys, ...args));
  };
  const batcher = new DecisionBatcher({ send: sendBatch, maxBatch: options.maxBatch ?? 8 });

  const refund = async (commits: readonly Commit[], now: number): Promise<void> => {
    const keys = commits.map(({ check }) => redisKeysOf(prefix, check, now)[0]);
    const args = commits.map(({ check, hits }) => refundArg(check, hits));
    await run('refund', () => client.gatehouseRefund(keys.length, ...keys, now, ...args));
  };

  return {
    kind: 'redis',
    cluster,
    timesOwnCalls: true,
    // The master serving the key's slot, by the client's slot map (which follows failovers).
    nodeOf: cluster ? (key) => (client as Cluster).slots[clusterSlot(prefix + key)]?.[0] ?? '' : undefined,
    decide(checks, demand, now) {
      // One server takes keys of any slot in one script: every decision of a turn is one group.
      if (!cluster) return batcher.decide(checks, demand, now, 0);
      const slots = checks.map((check) => clusterSlot(prefix + check.key));
      const slot = slots[0] ?? 0;
      if (slots.every((other) => other === slot)) return batcher.decide(checks, demand, now, slot);
      return decideAcrossSlots({
        checks,
        slots,
        demand,
        decide: (part, partSlot) => batcher.decide(part, demand, now, partSlot),
        refund: (commits) => refund(commits, now),
        onRefundError: (error) => options.onError?.(error),
      });
    },
    async release(key, leaseId, now) {
      return (await run('release', () => client.gatehouseRelease(prefix + key, leaseId, now))) === 1;
    },
    async reset(checks, now) {
      // One DEL per check: the keys of one check share a slot, those of several may not.
      const deleted = await run('reset', () =>
        Promise.all(checks.map((check) => client.del(...new Set(redisKeysOf(prefix, check, now))))),
      );
      return deleted.filter((count) => count > 0).length;
    },
    async ping() {
      try {
        await connection.ping();
      } catch (error) {
        refusals.record(error, 'ping');
        throw error;
      }
    },
    async checkConfiguration() {
      await connection.checkTopology().catch((error: unknown) => refusals.record(error, 'ping'));
      refusals.check();
    },
    close: () => connection.close(),
  };
}
