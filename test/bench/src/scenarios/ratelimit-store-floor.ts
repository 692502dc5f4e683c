import { ratelimitV1 } from '@gatehouse/contracts';
import type { ScenarioReference } from '../scenario';
import { startBareServer, type BareMethod } from './contract-floors';
import {
  benchKeys,
  benchPrefix,
  benchRedisUrl,
  dropBenchKeys,
  loadRateLimit,
  type StoreCheckShape,
} from './ratelimit-bench-service';

type Descriptors = (i: number) => ratelimitV1.RateLimitDescriptor[];

/** The bench rules' limit for each descriptor key (ratelimit-bench-service.ts). */
const specOf = (key: string): StoreCheckShape['spec'] => ({
  algorithm: key === 'method' ? 'token_bucket' : 'sliding_window',
  limit: 1_000_000_000,
  windowMs: 3_600_000,
  burst: 0,
});

/**
 * CheckLimit's floor with its store: a bare grpc-js server whose handler sends the request's
 * descriptors to the limiter core on Redis (the same algorithms and limits as the bench rules, one
 * script call per event-loop turn, as the service does) and answers from its result. It is the
 * contract plus the Redis decision no CheckLimit can skip; what the service adds to it is its
 * engine (validation, rule matching, anomaly scores, metrics) and its host.
 */
export function checkLimitStoreFloor(name: string, descriptors: Descriptors): ScenarioReference {
  return {
    name,
    summary: `bare grpc-js server deciding CheckLimit (${descriptors(0).length} descriptor(s)) with the limiter core on Redis, no engine`,
    setup: async () => {
      const prefix = benchPrefix(name);
      const store = await loadRateLimit().createRedisLimitStore({
        redisUrl: benchRedisUrl,
        keyPrefix: prefix,
        commandTimeoutMs: 1000,
      });
      const demand = { hits: 1, consume: true };
      const checkLimit: BareMethod<ratelimitV1.CheckLimitRequest, ratelimitV1.CheckLimitResponse> = {
        definition: ratelimitV1.RateLimitServiceService.checkLimit,
        answer: async (request) => {
          const checks = request.descriptors.map((descriptor): StoreCheckShape => {
            const entry = descriptor.entries[0]!;
            return { key: `{bench}:${entry.key}:${entry.value}`, spec: specOf(entry.key), shadow: false };
          });
          const results = await store.decide(checks, demand, Date.now());
          const statuses = results.map((result, index) => ({
            allowed: result.allowed,
            limit: checks[index]!.spec.limit,
            remaining: result.remaining,
            resetAfterMs: BigInt(result.resetAfterMs),
            retryAfterMs: BigInt(result.retryAfterMs),
            rule: checks[index]!.spec.algorithm,
            nearLimit: false,
            shadowMode: false,
            leaseId: '',
            anomalyScore: 0,
            concurrency: false,
          }));
          const first = statuses[0]!;
          return {
            allowed: statuses.every((status) => status.allowed),
            limit: first.limit,
            remaining: first.remaining,
            resetAfterMs: first.resetAfterMs,
            retryAfterMs: first.retryAfterMs,
            statuses,
            fallback: false,
            anomalyScore: 0,
          };
        },
      };
      const bare = await startBareServer([checkLimit as BareMethod<unknown, unknown>]);
      let i = 0;
      return {
        async call() {
          i = (i + 1) % benchKeys;
          const response = await bare.call(checkLimit, {
            domain: 'bench',
            descriptors: descriptors(i),
            hits: 1,
          });
          if (!response.allowed) throw new Error('denied');
        },
        async teardown() {
          await bare.stop();
          await store.close();
          await dropBenchKeys(prefix);
        },
      };
    },
  };
}
