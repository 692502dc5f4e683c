// The rate-limit service's public surface for tools that embed it (the bench, the CLI).
export { startRateLimitApp, type RateLimitAppOptions } from './app';
export {
  readRateLimitConfig,
  readRateLimitSettings,
  defaultRateLimitSettings,
  defaultRulesPath,
  type RateLimitConfig,
  type RateLimitSettings,
} from './config';
export { createMemoryLimitStore, type MemoryLimitStoreOptions } from './store/memory-limit-store';
export { createRedisLimitStore, type RedisLimitStoreOptions } from './store/redis-limit-store';
export type { LimitStore, StoreCheck } from './store/limit-store';
export type { Demand, Evaluation, LimitSpec } from './limiter/limit-spec';
export { loadRules } from './rules/load-rules';
