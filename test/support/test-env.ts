// Where the test suite finds real PostgreSQL and Redis. Override with the variables below.

/** PostgreSQL used by tests; each test file works in its own schema. */
export const testDatabaseUrl =
  process.env.GATEHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Redis used by tests; each test file works under its own key prefix. */
export const testRedisUrl = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A seed node of the Redis Cluster used by tests (`scripts/redis-cluster.sh start`: 3 masters + 3
 * replicas on 127.0.0.1:7000-7005); each test file works under its own key prefix there too.
 */
export const testRedisClusterUrl = process.env.GATEHOUSE_TEST_REDIS_CLUSTER_URL ?? 'redis://127.0.0.1:7000';

let counter = 0;

/** A name unique to this test process, for schemas, key prefixes and data directories. */
export function uniqueName(label: string): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return `t_${label}_${process.pid}_${counter}_${random}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
}
