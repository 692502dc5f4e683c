import type { RedisClusterSetting } from '@gatehouse/config';
import { connectRedis, type RedisConnection } from '@gatehouse/runtime';
import { Client } from 'pg';
import type { ProbeResult, Target } from './target';

/**
 * PostgreSQL: a fresh connection and `SELECT 1` per probe, so the result says whether a new
 * client can get in right now. Not critical: the services that need it report their own readiness.
 */
export function postgresTarget(databaseUrl: string): Target {
  return {
    name: 'postgres',
    kind: 'postgres',
    critical: false,
    probe: async (timeoutMs) => {
      const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return { status: 'SERVING', detail: 'SELECT 1 ok' };
      } catch (error) {
        return failure(error);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    close: async () => undefined,
  };
}

/**
 * Redis: PING on one long-lived connection that fails fast instead of queueing while Redis is away;
 * on a Redis Cluster, PING to every master and `cluster_state:ok`. A single-server connection to a
 * cluster node that does not serve every slot is reported too (its commands would get MOVED).
 */
export function redisTarget(redisUrl: string, cluster: RedisClusterSetting = 'auto'): Target {
  let connection: Promise<RedisConnection> | undefined;
  const open = (timeoutMs: number) => {
    connection ??= connectRedis({
      redisUrl,
      cluster,
      connectTimeoutMs: timeoutMs,
      commandTimeoutMs: timeoutMs,
      maxRetriesPerRequest: 0,
      reconnectDelayMs: (attempt) => Math.min(attempt * 200, 2000),
      onError: () => undefined,
    }).catch((error: unknown) => {
      connection = undefined; // the next probe tries again
      throw error;
    });
    return connection;
  };
  return {
    name: 'redis',
    kind: 'redis',
    critical: false,
    probe: async (timeoutMs) => {
      try {
        const redis = await open(timeoutMs);
        const answer = await redis.ping();
        await redis.checkTopology();
        return { status: 'SERVING', detail: redis.mode === 'cluster' ? answer : `PING ${answer}` };
      } catch (error) {
        return failure(error);
      }
    },
    close: async () => {
      const opened = await connection?.catch(() => undefined);
      await opened?.close();
    },
  };
}

function failure(error: unknown): ProbeResult {
  return { status: 'NOT_SERVING', detail: error instanceof Error ? error.message : String(error) };
}
