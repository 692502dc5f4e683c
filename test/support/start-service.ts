import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommonConfig, Env } from '@gatehouse/config';
import { createLogger, type Logger, type ServiceHost } from '@gatehouse/runtime';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { testCommonConfig, testServerEnv } from './test-config';
import { testDatabaseUrl, testRedisUrl, uniqueName } from './test-env';

/** Which stores a test service runs on: embedded (PGlite + memory) or real PostgreSQL + Redis. */
export type Backend = 'embedded' | 'real';

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
  const storeEnv: Env =
    options.backend === 'real'
      ? {
          DATABASE_URL: testDatabaseUrl,
          DATABASE_SCHEMA: isolation,
          REDIS_URL: testRedisUrl,
          REDIS_KEY_PREFIX: `${isolation}:`,
        }
      : { GATEHOUSE_DATA_DIR: dataDir };
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
      if (options.backend === 'real') await dropIsolation(isolation);
    },
  };
}

/** Drops a test's PostgreSQL schema and deletes its Redis keys (both named `isolation`). */
export async function dropIsolation(isolation: string): Promise<void> {
  const pg = new Client({ connectionString: testDatabaseUrl });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS ${isolation} CASCADE`);
  await pg.end();
  const redis = new Redis(testRedisUrl);
  const keys = await redis.keys(`${isolation}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}
