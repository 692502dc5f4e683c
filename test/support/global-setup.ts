import { Redis } from 'ioredis';
import { canConnect } from './can-connect';
import { testDatabaseUrl, testRedisClusterUrl, testRedisUrl } from './test-env';

// Fails the run at once, with the fix, when the real stores the tests need are not reachable.
export default async function checkStoresAreUp(): Promise<void> {
  const problems: string[] = [];
  for (const [name, url, start] of [
    [
      'PostgreSQL',
      testDatabaseUrl,
      'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    ],
    [
      'Redis',
      testRedisUrl,
      'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    ],
    ['Redis Cluster', testRedisClusterUrl, 'scripts/redis-cluster.sh start'],
  ] as const) {
    const { hostname, port } = new URL(url);
    const reachable = await canConnect(hostname, Number(port), 2000);
    const problem = reachable
      ? name === 'Redis Cluster'
        ? await clusterProblem(url)
        : undefined
      : `is not reachable at ${hostname}:${port} (${url})`;
    if (problem !== undefined) problems.push(`${name} ${problem}. Start it with:\n    ${start}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `The tests need real PostgreSQL, Redis and a Redis Cluster.\n  ${problems.join('\n  ')}\n` +
        'Or point GATEHOUSE_TEST_DATABASE_URL / GATEHOUSE_TEST_REDIS_URL / GATEHOUSE_TEST_REDIS_CLUSTER_URL at running servers.',
    );
  }
}

/** Why the seed node is not a usable cluster node, or undefined when it says cluster_state:ok. */
async function clusterProblem(url: string): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const info = String(await redis.cluster('INFO'));
    const state = /^cluster_state:(\w+)/m.exec(info)?.[1];
    return state === 'ok' ? undefined : `at ${url} reports cluster_state:${state ?? 'unknown'}`;
  } catch (error) {
    return `at ${url} is not a cluster node (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    redis.disconnect();
  }
}
