import { Redis } from 'ioredis';
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

/** Redis: PING on one long-lived connection that fails fast instead of queueing while Redis is away. */
export function redisTarget(redisUrl: string): Target {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  redis.on('error', () => undefined);
  return {
    name: 'redis',
    kind: 'redis',
    critical: false,
    probe: async () => {
      try {
        if (redis.status === 'wait') await redis.connect();
        const answer = await redis.ping();
        return { status: 'SERVING', detail: `PING ${answer}` };
      } catch (error) {
        return failure(error);
      }
    },
    close: async () => redis.disconnect(),
  };
}

function failure(error: unknown): ProbeResult {
  return { status: 'NOT_SERVING', detail: error instanceof Error ? error.message : String(error) };
}
