import { join } from 'node:path';
import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';
import { failurePolicies, type AlgorithmName, type FailurePolicy } from './rules/rule';

/** What RATELIMIT_DEFAULT_ALGORITHM may name: the counting algorithms (a concurrency limit is asked for). */
const defaultAlgorithms: readonly AlgorithmName[] = ['sliding_window', 'fixed_window', 'token_bucket'];

/** The shipped rules (services/rate-limit/config), found beside the compiled code like migrations. */
export const defaultRulesPath = join(__dirname, '..', 'config');

/** Settings of the rate-limit service beyond the common ones. Every one has a documented default. */
export interface RateLimitSettings {
  /** RATELIMIT_CONFIG: rules YAML file or directory. Default: the shipped services/rate-limit/config. */
  rulesPath: string;
  /** RATELIMIT_RELOAD_DEBOUNCE_MS, default 200: quiet time after a rules change before reloading. */
  reloadDebounceMs: number;
  /**
   * RATELIMIT_MERGE_DOMAIN_CONFIG, default true: rules files naming the same domain are merged (as
   * Envoy's MERGE_DOMAIN_CONFIG=true); false refuses the second file, Envoy's default.
   */
  mergeDomains: boolean;
  /**
   * RATELIMIT_DEFAULT_ALGORITHM, default sliding_window: the algorithm of limits that name none.
   * fixed_window counts exactly as envoyproxy/ratelimit does (windows aligned to the clock).
   */
  defaultAlgorithm: AlgorithmName;
  /** RATELIMIT_STORE_TIMEOUT_MS, default 50: a store call slower than this counts as failed. */
  storeTimeoutMs: number;
  /**
   * RATELIMIT_REDIS_MAX_BATCH, default 8: most decisions of one event-loop turn sent to Redis as
   * one script call (1 turns batching off). A busy turn's decisions go out as several calls, so
   * Redis decides one while the service answers another.
   */
  redisMaxBatch: number;
  /** RATELIMIT_FAILURE_POLICY, default fail_open: for domains that do not set `failure_policy`. */
  failurePolicy: FailurePolicy;
  /** RATELIMIT_BREAKER_FAILURES, default 5: consecutive store failures that open the circuit. */
  breakerFailures: number;
  /** RATELIMIT_BREAKER_OPEN_MS, default 1000: how long an open circuit waits before probing the store. */
  breakerOpenMs: number;
  /** RATELIMIT_NEAR_LIMIT_RATIO, default 0.8: usage share from which a status is flagged near_limit. */
  nearLimitRatio: number;
  /** RATELIMIT_MAX_DESCRIPTORS, default 16: descriptors per request. */
  maxDescriptors: number;
  /** RATELIMIT_MAX_ENTRIES, default 16: entries per descriptor. */
  maxEntries: number;
  /** RATELIMIT_MAX_ENTRY_BYTES, default 256: bytes of a descriptor key or value (and of the domain). */
  maxEntryBytes: number;
  /** RATELIMIT_MEMORY_MAX_KEYS, default 1000000: counters the in-process store holds. */
  memoryMaxKeys: number;
  /** RATELIMIT_OVER_LIMIT_CACHE, default true: deny keys known to be over without a store round trip. */
  overLimitCache: boolean;
  /** RATELIMIT_ANOMALY_SPIKE_RATIO, default 3: a rate this many times the EWMA baseline is a spike. */
  anomalySpikeRatio: number;
  /** RATELIMIT_ANOMALY_THRESHOLD, default 0.8: anomaly score from which a key is flagged (and denied when its rule opts in). */
  anomalyThreshold: number;
  /** RATELIMIT_ANOMALY_MIN_SAMPLES, default 10: one-second samples a key needs before it can be scored. */
  anomalyMinSamples: number;
  /** RATELIMIT_ANOMALY_MAX_KEYS, default 100000: keys whose rate history is kept (least recent dropped). */
  anomalyMaxKeys: number;
  /**
   * RATELIMIT_AUTH_ADDR, default 127.0.0.1:50051: the auth service that verifies callers of the admin
   * RPC ResetLimit. Unreachable (or unset and nothing on the default) → ResetLimit is refused
   * UNAVAILABLE naming this setting; it never resets without a verified admin.
   */
  authAddress: string;
  /** RATELIMIT_AUTH_TIMEOUT_MS, default 2000: deadline of each Authenticate call. */
  authTimeoutMs: number;
  /** RATELIMIT_ADMIN_ROLE, default admin: the role that may call ResetLimit. */
  adminRole: string;
}

/** Configuration of the rate-limit service. */
export interface RateLimitConfig extends CommonConfig {
  rateLimit: RateLimitSettings;
}

export function readRateLimitConfig(env: Env): Readonly<RateLimitConfig> {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader, { service: 'rate-limit', grpcPort: 50052, opsPort: 8082 });
  return reader.finish({ ...common, rateLimit: readRateLimitSettings(reader) });
}

/** Reads the RATELIMIT_* variables; problems are collected by `reader`. */
export function readRateLimitSettings(reader: EnvReader): RateLimitSettings {
  return {
    rulesPath: reader.string('RATELIMIT_CONFIG', defaultRulesPath),
    reloadDebounceMs: reader.integer('RATELIMIT_RELOAD_DEBOUNCE_MS', 200, { min: 0, max: 60_000 }),
    mergeDomains: reader.boolean('RATELIMIT_MERGE_DOMAIN_CONFIG', true),
    defaultAlgorithm: reader.oneOf('RATELIMIT_DEFAULT_ALGORITHM', defaultAlgorithms, 'sliding_window'),
    storeTimeoutMs: reader.integer('RATELIMIT_STORE_TIMEOUT_MS', 50, { min: 1, max: 60_000 }),
    redisMaxBatch: reader.integer('RATELIMIT_REDIS_MAX_BATCH', 8, { min: 1, max: 1000 }),
    failurePolicy: reader.oneOf('RATELIMIT_FAILURE_POLICY', failurePolicies, 'fail_open'),
    breakerFailures: reader.integer('RATELIMIT_BREAKER_FAILURES', 5, { min: 1, max: 1000 }),
    breakerOpenMs: reader.integer('RATELIMIT_BREAKER_OPEN_MS', 1000, { min: 10, max: 600_000 }),
    nearLimitRatio: ratio(reader, 'RATELIMIT_NEAR_LIMIT_RATIO', 0.8),
    maxDescriptors: reader.integer('RATELIMIT_MAX_DESCRIPTORS', 16, { min: 1, max: 1000 }),
    maxEntries: reader.integer('RATELIMIT_MAX_ENTRIES', 16, { min: 1, max: 1000 }),
    maxEntryBytes: reader.integer('RATELIMIT_MAX_ENTRY_BYTES', 256, { min: 16, max: 65_536 }),
    memoryMaxKeys: reader.integer('RATELIMIT_MEMORY_MAX_KEYS', 1_000_000, { min: 1000, max: 100_000_000 }),
    overLimitCache: reader.boolean('RATELIMIT_OVER_LIMIT_CACHE', true),
    anomalySpikeRatio: positive(reader, 'RATELIMIT_ANOMALY_SPIKE_RATIO', 3),
    anomalyThreshold: ratio(reader, 'RATELIMIT_ANOMALY_THRESHOLD', 0.8),
    anomalyMinSamples: reader.integer('RATELIMIT_ANOMALY_MIN_SAMPLES', 10, { min: 1, max: 100_000 }),
    anomalyMaxKeys: reader.integer('RATELIMIT_ANOMALY_MAX_KEYS', 100_000, { min: 0, max: 10_000_000 }),
    authAddress: hostPort(reader, 'RATELIMIT_AUTH_ADDR', '127.0.0.1:50051'),
    authTimeoutMs: reader.integer('RATELIMIT_AUTH_TIMEOUT_MS', 2000, { min: 50, max: 60_000 }),
    adminRole: reader.string('RATELIMIT_ADMIN_ROLE', 'admin'),
  };
}

function hostPort(reader: EnvReader, name: string, fallback: string): string {
  const value = reader.string(name, fallback);
  if (!/^[^\s/]+:\d{1,5}$/.test(value)) {
    reader.fail(name, `must be host:port, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The settings a CommonConfig without them gets (e.g. test harnesses that build only the common part). */
export function defaultRateLimitSettings(): RateLimitSettings {
  return readRateLimitSettings(new EnvReader({}));
}

function ratio(reader: EnvReader, name: string, fallback: number): number {
  const value = decimal(reader, name, fallback);
  if (value <= 0 || value > 1) {
    reader.fail(name, `must be a number above 0 and at most 1, got ${JSON.stringify(reader.raw(name))}`);
    return fallback;
  }
  return value;
}

function positive(reader: EnvReader, name: string, fallback: number): number {
  const value = decimal(reader, name, fallback);
  if (value <= 1) {
    reader.fail(name, `must be a number above 1, got ${JSON.stringify(reader.raw(name))}`);
    return fallback;
  }
  return value;
}

function decimal(reader: EnvReader, name: string, fallback: number): number {
  const raw = reader.raw(name);
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) {
    reader.fail(name, `must be a decimal number, got ${JSON.stringify(raw)}`);
    return Number.NaN;
  }
  return Number(raw);
}
