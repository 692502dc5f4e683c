import { join } from 'node:path';
import type { CommonConfig } from '@gatehouse/config';
import type { Clock } from '../clock';
import type { ReadinessCheck } from '../health/readiness';
import type { Logger } from '../logging/logger';
import type { ServiceMetrics } from '../metrics/service-metrics';
import type { Closeable } from '../server/service-host';
import type { KeyValueStore } from './kv/key-value-store';
import { openKeyValueStore } from './kv/open-key-value-store';
import { meterStores } from './metered-stores';
import { logRefusal } from './redis/log-refusal';
import { runMigrationsDir } from './sql/migrations';
import { openSqlStore } from './sql/open-sql-store';
import type { SqlStore } from './sql/sql-store';

export interface ServiceStoresOptions {
  config: CommonConfig;
  logger: Logger;
  clock?: Clock;
  /**
   * Open the durable store and apply the SQL migrations found in this directory, then the routines
   * (stored functions) in its `functions/` directory.
   */
  sqlMigrationsDir?: string;
  /** Open the fast/expiring store. */
  keyValue?: boolean;
  /** When given, store latencies and errors are recorded on its registry (see metered-stores). */
  metrics?: ServiceMetrics;
}

/** The stores one service uses, with what readiness and shutdown need to know about them. */
export interface ServiceStores {
  sql?: SqlStore;
  kv?: KeyValueStore;
  readinessChecks: ReadinessCheck[];
  /** Closed last, when the service stops. */
  resources: Closeable[];
  /** Human description for start-up logs, e.g. { sql: "pglite .gatehouse/auth", kv: "memory" }. */
  inUse: Record<string, string>;
}

/**
 * Opens a service's stores from its config: PostgreSQL or embedded PGlite, Redis or in-process,
 * chosen once here from DATABASE_URL and REDIS_URL.
 */
export async function openServiceStores(options: ServiceStoresOptions): Promise<ServiceStores> {
  const { config, logger } = options;
  const stores: ServiceStores = { readinessChecks: [], resources: [], inUse: {} };
  const onError = (error: unknown) => logger.warn({ err: error }, 'store connection error');
  const metered = options.metrics === undefined ? undefined : meterStores(options.metrics);

  if (options.sqlMigrationsDir !== undefined) {
    const dataDir = join(config.dataDir, config.service);
    const sql = await openSqlStore({
      databaseUrl: config.databaseUrl,
      schema: config.databaseSchema,
      dataDir,
      onError,
    });
    stores.sql = metered?.sql(sql) ?? sql;
    stores.resources.push({ name: 'sql store', close: () => sql.close() });
    stores.readinessChecks.push({ name: sql.kind, check: () => sql.ping() });
    stores.inUse.sql =
      sql.kind === 'postgres' ? `postgres (schema ${config.databaseSchema})` : `pglite ${dataDir}`;
    const { applied, routines } = await runMigrationsDir(sql, options.sqlMigrationsDir);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    if (routines.length > 0) logger.debug({ routines }, 'routines applied');
  }

  if (options.keyValue) {
    const kv = await openKeyValueStore({
      redisUrl: config.redisUrl,
      cluster: config.redisCluster,
      keyPrefix: config.redisKeyPrefix,
      clock: options.clock,
      onError,
      onRefusal: (refusal) => logRefusal(logger, refusal),
    });
    stores.kv = metered?.keyValue(kv) ?? kv;
    stores.resources.push({ name: 'key-value store', close: () => kv.close() });
    stores.readinessChecks.push({ name: kv.kind, check: () => kv.ping() });
    stores.inUse.kv =
      kv.kind === 'redis'
        ? `${kv.cluster === true ? 'redis cluster' : 'redis'} (prefix ${config.redisKeyPrefix})`
        : 'memory';
  }
  return stores;
}
