import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommonConfig, Env } from '@gatehouse/config';
import { createLogger, type Logger, type ServiceHost } from '@gatehouse/runtime';
import { Client } from 'pg';
import { testCommonConfig, testServerEnv } from './test-config';
import { testDatabaseUrl, testRedisClusterUrl, testRedisUrl, uniqueName } from './test-env';
import { openTestRedis } from './test-redis';

/**
 * Which stores a test service runs on: embedded (PGlite + memory), real PostgreSQL + Redis, or real
 * PostgreSQL + the Redis Cluster (REDIS_CLUSTER=true).
 */
export type Backend = 'embedded' | 'real' | 'cluster';

/** The store variables of a service on a backend, isolated by `isolation` (schema and key prefix). */
export function storeEnvOf(backend: Backend, isolation: string, dataDir: string): Record<string, string> {
  if (backend === 'embedded') return { GATEHOUSE_DATA_DIR: dataDir };
  return {
    DATABASE_URL: testDatabaseUrl,
    DATABASE_SCHEMA: isolation,
    REDIS_URL: backend === 'cluster' ? testRedisClusterUrl : testRedisUrl,
    REDIS_CLUSTER: backend === 'cluster' ? 'true' : 'false',
    REDIS_KEY_PREFIX: `${isolation}:`,
  };
}

export interface StartedService<C extends CommonConfig = CommonConfig> {
  host: ServiceHost;
  config: C;
  /** Stops the service, then drops its schema / Redis keys / data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a service's composition root in this process on 127.0.0.1:0, isolated from every other
 * test: its own PostgreSQL schema and Redis key prefix, or its own PGlite directory.
 */
export async function startServiceInProcess<C extends CommonConfig = CommonConfig>(
  service: string,
  start: (config: C, logger: Logger) => Promise<ServiceHost>,
  options: {
    backend: Backend;
    env?: Env;
    logger?: Logger;
    /** The service's own config reader; the common config alone when absent. */
    readConfig?: (env: Env) => C;
  },
): Promise<StartedService<C>> {
  const isolation = uniqueName(service);
  const dataDir = mkdtempSync(join(tmpdir(), `gatehouse-${service}-`));
  const storeEnv = storeEnvOf(options.backend, isolation, dataDir);
  const readConfig = options.readConfig ?? ((env: Env) => testCommonConfig(env, service) as C);
  const config = readConfig({ ...testServerEnv, ...storeEnv, ...options.env });
  const logger = options.logger ?? createLogger({ service, level: 'silent' });
  const host = await start(config, logger);
  return {
    host,
    config,
    stop: async () => {
      await host.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
      if (options.backend !== 'embedded') await dropIsolation(isolation, options.backend);
    },
  };
}

/** Drops a test's PostgreSQL schema and deletes its Redis keys (both named `isolation`). */
export async function dropIsolation(isolation: string, backend: Backend = 'real'): Promise<void> {
  const pg = new Client({ connectionString: testDatabaseUrl });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS ${isolation} CASCADE`);
  await pg.end();
  const redis = await openTestRedis(backend === 'cluster' ? 'cluster' : 'redis');
  await redis.drop(`${isolation}:`);
  await redis.close();
}
