import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { ratelimitV1 } from '@gatehouse/contracts';
import { createLogger, type Logger, type ServiceHost } from '@gatehouse/runtime';
import { benchServerEnv } from '../bench-server-env';

/** The Redis the rate-limit scenarios use (127.0.0.1 only by default); each run uses its own key prefix. */
export const benchRedisUrl = process.env.GATEHOUSE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

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
export async function startBenchRateLimit(keyPrefix: string): Promise<BenchRateLimit> {
  const { readRateLimitConfig, startRateLimitApp } = loadRateLimit();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-rl-'));
  writeFileSync(join(dir, 'rules.yaml'), benchRules);
  const config = readRateLimitConfig({
    ...benchServerEnv,
    REDIS_URL: benchRedisUrl,
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

/** Deletes the keys a scenario left in Redis. */
export async function dropBenchKeys(prefix: string, redisUrl: string = benchRedisUrl): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
