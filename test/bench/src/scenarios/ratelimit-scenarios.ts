import type { ratelimitV1 } from '@gatehouse/contracts';
import type { Scenario, ScenarioReference } from '../scenario';
import { checkLimitContractFloor } from './contract-floors';
import { checkLimitStoreFloor } from './ratelimit-store-floor';
import {
  admittedUnderRace,
  benchKeys as keys,
  benchPrefix,
  benchRedisUrl,
  descriptorOf,
  type BenchRedis,
  dropBenchKeys,
  ipDescriptor,
  loadRateLimit,
  startBenchRateLimit,
  type LimitStoreShape,
  type StoreCheckShape,
} from './ratelimit-bench-service';

/** CheckLimit calls against the service in this process, on one Redis or on the cluster. */
function checkLimitSetup(
  name: string,
  descriptors: (i: number) => ratelimitV1.RateLimitDescriptor[],
  redis: BenchRedis,
): Scenario['setup'] {
  return async () => {
    const prefix = benchPrefix(name);
    const service = await startBenchRateLimit(prefix, redis);
    let i = 0;
    return {
      async call() {
        i = (i + 1) % keys;
        const response = await service.check({ domain: 'bench', descriptors: descriptors(i), hits: 1 });
        if (!response.allowed || response.fallback) throw new Error('bench request was not decided by Redis');
      },
      async teardown() {
        await service.stop();
        await dropBenchKeys(prefix, redis);
      },
    };
  };
}

function checkLimitScenario(
  name: string,
  descriptors: (i: number) => ratelimitV1.RateLimitDescriptor[],
  reference?: ScenarioReference,
): Scenario {
  return {
    name,
    reference,
    summary: `CheckLimit over gRPC, ${descriptors(0).length} descriptor(s), one Lua call per event-loop turn`,
    concurrencies: [32],
    setup: checkLimitSetup(name, descriptors, 'single'),
  };
}

/**
 * CheckLimit on the Redis Cluster (3 masters + 3 replicas on this machine), against the same
 * scenario on one Redis as its reference: what spreading the keys over masters costs or gains.
 */
function checkLimitClusterScenario(
  name: string,
  descriptors: (i: number) => ratelimitV1.RateLimitDescriptor[],
  single: string,
  how: string,
): Scenario {
  return {
    name,
    summary: `CheckLimit over gRPC on the Redis Cluster, ${descriptors(0).length} descriptor(s): ${how}`,
    concurrencies: [32],
    setup: checkLimitSetup(name, descriptors, 'cluster'),
    reference: {
      name: `${single} (one Redis)`,
      summary: `the same calls on one Redis server`,
      setup: checkLimitSetup(`${name}-single`, descriptors, 'single'),
    },
  };
}

const oneDescriptor = (i: number) => [ipDescriptor(i)];
const threeDescriptors = (i: number) => [
  ipDescriptor(i),
  descriptorOf('user', `u${i}`),
  descriptorOf('method', i % 2 === 0 ? 'chat' : 'search'),
];

/** CheckLimit's contract alone (fixed answer, no store): what the messages cost on grpc-js. */
export const checkLimitContractFloorScenario: Scenario = { ...checkLimitContractFloor, concurrencies: [32] };

export const checkLimitOneDescriptor = checkLimitScenario(
  'ratelimit-check-1-descriptor',
  oneDescriptor,
  checkLimitStoreFloor('ratelimit-check-store-floor-1', oneDescriptor),
);

export const checkLimitThreeDescriptors = checkLimitScenario(
  'ratelimit-check-3-descriptors',
  threeDescriptors,
  checkLimitStoreFloor('ratelimit-check-store-floor-3', threeDescriptors),
);

export const checkLimitOneDescriptorCluster = checkLimitClusterScenario(
  'ratelimit-check-1-descriptor-cluster',
  oneDescriptor,
  'ratelimit-check-1-descriptor',
  'keys spread over 3 masters, one Lua call per slot and event-loop turn',
);

export const checkLimitThreeDescriptorsCluster = checkLimitClusterScenario(
  'ratelimit-check-3-descriptors-cluster',
  threeDescriptors,
  'ratelimit-check-3-descriptors',
  'each descriptor in its own slot, decided per slot in parallel',
);

/**
 * The limiter core (limiter + Redis store, no engine, no gRPC) at one algorithm: the checks are built
 * once, so a call is the core's own work. Fixed window is the closest to rate-limiter-flexible's
 * algorithm (one counter with a TTL), the like-for-like comparison; sliding window, the default,
 * reads two counters.
 */
function limiterCoreScenario(
  name: string,
  algorithm: StoreCheckShape['spec']['algorithm'],
  label: string,
): Scenario {
  return {
    name,
    summary: `limiter core in-process on Redis: one ${label} decision, no gRPC (batched per event-loop turn)`,
    concurrencies: [32],
    async setup() {
      const prefix = benchPrefix(name);
      const store: LimitStoreShape = await loadRateLimit().createRedisLimitStore({
        redisUrl: benchRedisUrl,
        keyPrefix: prefix,
        commandTimeoutMs: 1000,
      });
      const check = (key: string, limit: number): StoreCheckShape => ({
        key: `{bench}:core:${key}`,
        spec: { algorithm, limit, windowMs: 3_600_000, burst: 0 },
        shadow: false,
      });
      const exactCheck = [check('exact', 300)];
      const exact = await admittedUnderRace(
        async () =>
          (await store.decide(exactCheck, { hits: 1, consume: true }, Date.now()))[0]?.allowed === true,
        500,
      );
      process.stderr.write(`  ${name} exactness: 500 racing consumes of a limit of 300 admitted ${exact}\n`);
      const checks = Array.from({ length: keys }, (_, k) => [check(`k${k}`, 1_000_000_000)]);
      const demand = { hits: 1, consume: true };
      let i = 0;
      return {
        async call() {
          i = (i + 1) % keys;
          const [result] = await store.decide(checks[i] ?? [], demand, Date.now());
          if (result?.allowed !== true) throw new Error('denied');
        },
        async teardown() {
          await store.close();
          await dropBenchKeys(prefix);
        },
      };
    },
  };
}

export const limiterCoreRedis = limiterCoreScenario(
  'ratelimit-core-redis',
  'sliding_window',
  'sliding-window',
);
export const limiterCoreRedisFixed = limiterCoreScenario(
  'ratelimit-core-redis-fixed',
  'fixed_window',
  'fixed-window',
);

export const rateLimiterFlexibleRedis: Scenario = {
  name: 'rate-limiter-flexible-redis',
  summary: "rate-limiter-flexible's RateLimiterRedis.consume on the same Redis (comparison only)",
  concurrencies: [32],
  async setup() {
    const { Redis } = await import('ioredis');
    const { RateLimiterRedis } = await import('rate-limiter-flexible');
    const prefix = benchPrefix('rlf');
    const redis = new Redis(benchRedisUrl, { enableOfflineQueue: false });
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', () => resolve());
      redis.once('error', reject);
    });
    const limiter = (points: number) =>
      new RateLimiterRedis({ storeClient: redis, points, duration: 3600, keyPrefix: `${prefix}${points}` });
    const exactLimiter = limiter(300);
    const exact = await admittedUnderRace(
      () =>
        exactLimiter.consume('exact', 1).then(
          () => true,
          () => false,
        ),
      500,
    );
    process.stderr.write(
      `  rate-limiter-flexible exactness: 500 racing consumes of a limit of 300 admitted ${exact}\n`,
    );
    const roomy = limiter(1_000_000_000);
    let i = 0;
    return {
      async call() {
        i = (i + 1) % keys;
        await roomy.consume(`k${i}`, 1);
      },
      async teardown() {
        redis.disconnect();
        await dropBenchKeys(prefix);
      },
    };
  },
};

export const memoryBytesPerKey: Scenario = {
  name: 'ratelimit-memory-store',
  summary: 'memory store decision on one of 1M active keys; bytes per active key printed at setup',
  concurrencies: [32],
  async setup() {
    const store = loadRateLimit().createMemoryLimitStore({ maxKeys: 1_100_000 });
    const gc = (globalThis as { gc?: () => void }).gc;
    const active = 1_000_000;
    const check = (i: number): StoreCheckShape => ({
      key: `{gatehouse}:user/1m:user=${i}`,
      spec: { algorithm: 'sliding_window', limit: 1_000_000, windowMs: 3_600_000, burst: 0 },
      shadow: false,
    });
    const now = Date.now();
    gc?.();
    const before = process.memoryUsage();
    for (let i = 0; i < active; i += 1) await store.decide([check(i)], { hits: 1, consume: true }, now);
    gc?.();
    const after = process.memoryUsage();
    const heap = (after.heapUsed - before.heapUsed) / active;
    const withBuffers =
      (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / active;
    process.stderr.write(
      `  ratelimit-memory-store: ${active} active keys, ${heap.toFixed(1)} bytes/key on the JS heap, ` +
        `${withBuffers.toFixed(1)} bytes/key including typed-array slabs${gc ? '' : ' (no --expose-gc: rough)'}\n`,
    );
    let i = 0;
    return {
      async call() {
        i = (i + 7919) % active;
        await store.decide([check(i)], { hits: 1, consume: true }, Date.now());
      },
      async teardown() {
        await store.close();
      },
    };
  },
};

/** The rate-limit scenarios, in run order. */
export const rateLimitScenarios: readonly Scenario[] = [
  checkLimitContractFloorScenario,
  checkLimitOneDescriptor,
  checkLimitThreeDescriptors,
  checkLimitOneDescriptorCluster,
  checkLimitThreeDescriptorsCluster,
  limiterCoreRedis,
  limiterCoreRedisFixed,
  rateLimiterFlexibleRedis,
  memoryBytesPerKey,
];
