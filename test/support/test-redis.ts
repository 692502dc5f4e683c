import { Cluster, Redis } from 'ioredis';
import { testRedisClusterUrl, testRedisUrl } from './test-env';

/** The Redis a test runs against: the single server or the cluster. */
export type RedisBackend = 'redis' | 'cluster';

/** A plain client of the tests' Redis (single or cluster), to look at and clean up what a test wrote. */
export interface TestRedis {
  readonly client: Redis | Cluster;
  /** The URL and REDIS_CLUSTER value a service under test is given. */
  readonly env: { REDIS_URL: string; REDIS_CLUSTER: string };
  /** Every key under `prefix`, gathered from every master of a cluster. */
  keys(prefix: string): Promise<string[]>;
  /** How many keys under `prefix` each master holds, by host:port (the single server: one entry). */
  keysPerMaster(prefix: string): Promise<Map<string, number>>;
  /** Deletes every key under `prefix`. */
  drop(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** The REDIS_URL of a backend: the single server, or a seed node of the cluster. */
export function redisUrlOf(backend: RedisBackend): string {
  return backend === 'cluster' ? testRedisClusterUrl : testRedisUrl;
}

/** Opens the tests' single Redis or Redis Cluster (seed `testRedisClusterUrl`). */
export async function openTestRedis(backend: RedisBackend): Promise<TestRedis> {
  const url = redisUrlOf(backend);
  const client =
    backend === 'cluster'
      ? new Cluster([url], { lazyConnect: true, slotsRefreshTimeout: 2000 })
      : new Redis(url, { lazyConnect: true });
  client.on('error', () => undefined);
  await client.connect();
  const masters = (): Redis[] => (client instanceof Cluster ? client.nodes('master') : [client]);
  const scan = async (node: Redis, prefix: string) => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  };
  return {
    client,
    env: { REDIS_URL: url, REDIS_CLUSTER: backend === 'cluster' ? 'true' : 'false' },
    keys: async (prefix) => (await Promise.all(masters().map((node) => scan(node, prefix)))).flat(),
    async keysPerMaster(prefix) {
      const counts = new Map<string, number>();
      for (const node of masters()) {
        counts.set(`${node.options.host}:${node.options.port}`, (await scan(node, prefix)).length);
      }
      return counts;
    },
    async drop(prefix) {
      for (const node of masters()) {
        const keys = await scan(node, prefix);
        // One key per DEL: keys of one node may still be in different slots (CROSSSLOT).
        if (keys.length > 0) await Promise.all(keys.map((key) => node.del(key)));
      }
    },
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
