import { splitRedisUrls, type RedisClusterSetting } from '@gatehouse/config';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { StoreErrorReason } from '../store-error-reason';

/** A connection to one Redis server or to a Redis Cluster: ioredis gives both the same commands. */
export type RedisClient = Redis | Cluster;

export interface ConnectRedisOptions {
  /** REDIS_URL: `redis[s]://[user:password@]host:port[/db]`, or comma-separated seed nodes of a cluster. */
  redisUrl: string;
  /**
   * REDIS_CLUSTER: true opens an ioredis Cluster on the seeds; false one connection to the first
   * URL; 'auto' (default) asks the server (`INFO cluster`) and opens a Cluster when it is a cluster
   * node. Several URLs always mean a cluster.
   */
  cluster?: RedisClusterSetting;
  /** Limit for opening a connection (and, for a cluster, for it to become ready). */
  connectTimeoutMs: number;
  /** A command without an answer after this long rejects (ioredis `commandTimeout`). */
  commandTimeoutMs: number;
  /** Resends of a command whose connection dropped before the answer (ioredis `maxRetriesPerRequest`). */
  maxRetriesPerRequest: number;
  /** Delay before reconnect attempt `attempt` (1, 2, ...), in ms. */
  reconnectDelayMs: (attempt: number) => number;
  /** Commands of one event-loop turn leave in one write (per node, on a cluster). Default false. */
  enableAutoPipelining?: boolean;
  /** Connection errors; the client keeps reconnecting in the background. */
  onError?: (error: unknown) => void;
}

export interface RedisConnection {
  readonly client: RedisClient;
  readonly mode: 'single' | 'cluster';
  /** host:port of each seed, without credentials, for messages. */
  readonly server: string;
  /** Another connection with the same settings, connected (subscriptions need their own). */
  duplicate(): Promise<RedisClient>;
  /**
   * One round trip to what the service depends on: PING, or PING to every master and
   * `cluster_state:ok`. Resolves a short detail, rejects naming the node that failed.
   */
  ping(): Promise<string>;
  /**
   * Rejects (reason `moved`) when a single-server client talks to a Redis Cluster node that does
   * not serve every hash slot: commands for keys elsewhere will be answered MOVED.
   */
  checkTopology(): Promise<void>;
  close(): Promise<void>;
}

/** What a topology check found wrong, with the store error reason it amounts to. */
export class RedisTopologyError extends Error {
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'RedisTopologyError';
  }
}

const allSlots = 16_384;

interface Seed {
  host: string;
  port: number;
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * Opens the Redis of REDIS_URL as one server or as a cluster. Resolves once commands can be sent;
 * rejects, naming the seeds but never a password, when it cannot within `connectTimeoutMs`.
 * Commands are never queued while a connection is down: callers fail fast and decide themselves.
 */
export async function connectRedis(options: ConnectRedisOptions): Promise<RedisConnection> {
  const urls = splitRedisUrls(options.redisUrl);
  const seeds = urls.map(parseSeed);
  const server = seeds.map((seed) => `${seed.host}:${seed.port}`).join(',');
  const setting = options.cluster ?? 'auto';
  if (setting === true || urls.length > 1) return openCluster(seeds, server, options);

  const single = new Redis(urls[0] ?? '', {
    ...nodeOptions(options),
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: options.reconnectDelayMs,
    enableAutoPipelining: options.enableAutoPipelining ?? false,
  });
  if (options.onError !== undefined) single.on('error', options.onError);
  await connectOrFail(single, server);
  if (setting === 'auto' && (await isClusterNode(single))) {
    single.disconnect();
    return openCluster(seeds, server, options);
  }
  return {
    client: single,
    mode: 'single',
    server,
    async duplicate() {
      const copy = single.duplicate({ lazyConnect: true });
      if (options.onError !== undefined) copy.on('error', options.onError);
      await connectOrFail(copy, server);
      return copy;
    },
    ping: () => single.ping(),
    checkTopology: () => checkServesEverySlot(single, server),
    close: () => quit(single),
  };
}

async function openCluster(
  seeds: Seed[],
  server: string,
  options: ConnectRedisOptions,
): Promise<RedisConnection> {
  const [first] = seeds;
  const clusterOptions: ClusterOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: options.enableAutoPipelining ?? false,
    clusterRetryStrategy: options.reconnectDelayMs,
    // A slot whose master just died: retry on the refreshed slot map (the promoted replica) soon.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    slotsRefreshTimeout: Math.min(options.connectTimeoutMs, 1000),
    // Notice a promoted replica or moved slots without waiting for a command to be redirected.
    slotsRefreshInterval: 2000,
    // With TLS, connect to nodes by the names they announce, so certificates match (managed
    // clusters such as ElastiCache announce host names their certificates are issued for).
    ...(first?.tls ? { dnsLookup: (address: string, callback) => callback(null, address) } : {}),
    redisOptions: {
      ...nodeOptions(options),
      username: first?.username,
      password: first?.password,
      ...(first?.tls ? { tls: {} } : {}),
    },
  };
  const open = async (): Promise<Cluster> => {
    const cluster = new Cluster(
      seeds.map(({ host, port }) => ({ host, port })),
      clusterOptions,
    );
    if (options.onError !== undefined) cluster.on('error', options.onError);
    await connectClusterOrFail(cluster, server, options.connectTimeoutMs);
    return cluster;
  };
  const cluster = await open();
  return {
    client: cluster,
    mode: 'cluster',
    server,
    duplicate: open,
    ping: () => pingCluster(cluster),
    checkTopology: async () => undefined,
    close: () => quit(cluster),
  };
}

function nodeOptions(options: ConnectRedisOptions): RedisOptions {
  return {
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: options.maxRetriesPerRequest,
  };
}

function parseSeed(url: string): Seed {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    tls: parsed.protocol === 'rediss:',
  };
}

/** Whether the server runs with cluster-enabled yes; false when it cannot say (INFO refused). */
async function isClusterNode(client: Redis): Promise<boolean> {
  try {
    return /^cluster_enabled:1\s*$/m.test(await client.info('cluster'));
  } catch {
    return false;
  }
}

async function checkServesEverySlot(client: Redis, server: string): Promise<void> {
  if (!(await isClusterNode(client))) return;
  const [myId, slots] = await Promise.all([client.cluster('MYID'), client.cluster('SLOTS')]);
  let served = 0;
  for (const [start, end, master] of slots) if (master?.[2] === myId) served += end - start + 1;
  if (served === allSlots) return;
  throw new RedisTopologyError(
    'moved',
    `Redis at ${server} is a Redis Cluster node serving ${served} of ${allSlots} hash slots, but the ` +
      'client is not in cluster mode (REDIS_CLUSTER=false): commands for keys in the other slots are answered MOVED',
  );
}

async function pingCluster(cluster: Cluster): Promise<string> {
  const masters = cluster.nodes('master');
  if (masters.length === 0) throw new Error('Redis Cluster: no master known (slots not loaded)');
  await Promise.all(
    masters.map(async (node) => {
      try {
        await node.ping();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `Redis Cluster master ${node.options.host}:${node.options.port} does not answer: ${reason}`,
          {
            cause: error,
          },
        );
      }
    }),
  );
  const info = String(await masters[0]!.cluster('INFO'));
  const state = /^cluster_state:(\w+)/m.exec(info)?.[1] ?? 'unknown';
  if (state !== 'ok') {
    throw new RedisTopologyError('clusterdown', `Redis Cluster reports cluster_state:${state}`);
  }
  return `cluster_state:ok, ${masters.length} masters answer PING`;
}

/** Connects, or rejects with the server named and stops the background reconnect attempts. */
async function connectOrFail(connection: Redis, server: string): Promise<void> {
  // connect() only rejects with "Connection is closed."; the reason comes as an 'error' event.
  let reason: unknown;
  const remember = (error: unknown) => {
    reason = error;
  };
  connection.on('error', remember);
  try {
    await connection.connect();
  } catch (error) {
    connection.disconnect();
    throw unreachable(server, reason ?? error);
  } finally {
    connection.off('error', remember);
  }
}

/** A cluster is usable once it has loaded the slot map and CLUSTER INFO says ok. */
async function connectClusterOrFail(cluster: Cluster, server: string, timeoutMs: number): Promise<void> {
  let reason: unknown;
  const remember = (error: unknown) => {
    reason = error;
  };
  cluster.on('node error', remember);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      cluster.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(reason ?? new Error(`not ready within ${timeoutMs} ms (cluster_state not ok?)`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    cluster.disconnect();
    throw unreachable(server, reason ?? error);
  } finally {
    clearTimeout(timer);
    cluster.off('node error', remember);
  }
}

function unreachable(server: string, cause: unknown): Error {
  const message = cause instanceof Error ? cause.message : String(cause);
  // A reply (NOAUTH, WRONGPASS...) means Redis is there but refuses this client.
  const what =
    cause instanceof Error && cause.name === 'ReplyError' ? 'refused the connection' : 'is not reachable';
  return new Error(`Redis at ${server} ${what}: ${message}`, { cause });
}

/** QUIT lets Redis finish what was sent; when Redis is gone, just drop the sockets. */
async function quit(client: RedisClient): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}
