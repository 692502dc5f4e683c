import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { ratelimitV1 } from '@gatehouse/contracts';
import { createLogger, type Logger, type ServiceHost } from '@gatehouse/runtime';
import { benchServerEnv } from '../bench-server-env';

/** The Redis the rate-limit scenarios use (127.0.0.1 only by default); each run uses its own key prefix. */
export const benchRedisUrl = process.env.GATEHOUSE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A seed of the Redis Cluster of the cluster scenarios (`scripts/redis-cluster.sh start`). */
export const benchRedisClusterUrl = process.env.GATEHOUSE_BENCH_REDIS_CLUSTER_URL ?? 'redis://127.0.0.1:7000';

/** Which Redis a scenario runs on: the single server or the cluster. */
export type BenchRedis = 'single' | 'cluster';

/** What the scenarios use of the compiled rate-limit service (loaded at run time: `npm run bench` builds it). */
export interface StoreCheckShape {
  key: string;
  spec: {
    algorithm: 'sliding_window' | 'token_bucket' | 'fixed_window' | 'concurrency';
    limit: number;
    windowMs: number;
    burst: number;
  };
  shadow: boolean;
}
export interface LimitStoreShape {
  decide(
    checks: StoreCheckShape[],
    demand: { hits: number; consume: boolean },
    now: number,
  ): Promise<{ allowed: boolean; remaining: number; resetAfterMs: number; retryAfterMs: number }[]>;
  close(): Promise<void>;
}
interface RateLimitModules {
  readRateLimitConfig(env: Record<string, string>): unknown;
  startRateLimitApp(config: unknown, logger: Logger): Promise<ServiceHost>;
  createRedisLimitStore(options: {
    redisUrl: string;
    keyPrefix?: string;
    commandTimeoutMs?: number;
  }): Promise<LimitStoreShape>;
  createMemoryLimitStore(options: { maxKeys?: number }): LimitStoreShape;
}

export function loadRateLimit(): RateLimitModules {
  const dist = resolve(__dirname, '..', '..', '..', '..', 'services', 'rate-limit', 'dist');
  return require(join(dist, 'index.js')) as RateLimitModules;
}

/** How many distinct descriptor values the CheckLimit scenarios cycle through. */
export const benchKeys = 1000;

export const descriptorOf = (key: string, value: string): ratelimitV1.RateLimitDescriptor => ({
  entries: [{ key, value }],
  limit: undefined,
});

/** The one descriptor of the 1-descriptor CheckLimit scenarios: the i-th of `benchKeys` client addresses. */
export const ipDescriptor = (i: number): ratelimitV1.RateLimitDescriptor =>
  descriptorOf('ip', `10.0.${i >> 8}.${i & 255}`);

/** Counts what `limit` + 200 concurrent consumes of one key admit: exactness check printed beside the figures. */
export async function admittedUnderRace(consume: () => Promise<boolean>, attempts: number): Promise<number> {
  let admitted = 0;
  let started = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (started < attempts) {
        started += 1;
        if (await consume()) admitted += 1;
      }
    }),
  );
  return admitted;
}

export function benchPrefix(label: string): string {
  return `bench:${label}:${process.pid}:${Date.now().toString(36)}:`;
}

export const benchRules = `
domain: bench
descriptors:
  - key: ip
    rate_limit: { unit: hour, requests_per_unit: 1000000000 }
  - key: user
    rate_limit: { unit: hour, requests_per_unit: 1000000000 }
  - key: method
    rate_limit: { algorithm: token_bucket, unit: hour, requests_per_unit: 1000000000 }
`;

export interface BenchRateLimit {
  check(request: ratelimitV1.CheckLimitRequest): Promise<ratelimitV1.CheckLimitResponse>;
  stop(): Promise<void>;
}

/** The rate-limit service in this process on Redis, on 127.0.0.1:<ephemeral>, with generous bench rules. */
export async function startBenchRateLimit(
  keyPrefix: string,
  redis: BenchRedis = 'single',
): Promise<BenchRateLimit> {
  const { readRateLimitConfig, startRateLimitApp } = loadRateLimit();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-rl-'));
  writeFileSync(join(dir, 'rules.yaml'), benchRules);
  const config = readRateLimitConfig({
    ...benchServerEnv,
    REDIS_URL: redis === 'cluster' ? benchRedisClusterUrl : benchRedisUrl,
    REDIS_CLUSTER: String(redis === 'cluster'),
    REDIS_KEY_PREFIX: keyPrefix,
    RATELIMIT_CONFIG: join(dir, 'rules.yaml'),
    // The bench measures the store path: a 32-deep queue on a 2-core box can exceed 50 ms.
    RATELIMIT_STORE_TIMEOUT_MS: '1000',
  });
  const host = await startRateLimitApp(config, createLogger({ service: 'rate-limit', level: 'silent' }));
  const client = new ratelimitV1.RateLimitServiceClient(
    `127.0.0.1:${host.grpcPort}`,
    credentials.createInsecure(),
  );
  const metadata = new Metadata();
  return {
    check: (request) =>
      new Promise((resolvePromise, reject) =>
        client.checkLimit(request, metadata, (error, response) =>
          error ? reject(error) : resolvePromise(response),
        ),
      ),
    stop: async () => {
      client.close();
      await host.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes the keys a scenario left in Redis (on the cluster: on every master). */
export async function dropBenchKeys(
  prefix: string,
  redis: BenchRedis = 'single',
  singleUrl: string = benchRedisUrl,
): Promise<void> {
  const { Cluster, Redis } = await import('ioredis');
  const client = redis === 'cluster' ? new Cluster([benchRedisClusterUrl]) : new Redis(singleUrl);
  client.on('error', () => undefined);
  try {
    if (client instanceof Cluster)
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        // One key per DEL: keys of one node may lie in different slots.
        await Promise.all(keys.map((key) => node.del(key)));
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}
