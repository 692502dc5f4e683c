import { existsSync } from 'node:fs';
import { ConfigError } from '@gatehouse/config';
import { describe, expect, it } from 'vitest';
import { defaultRulesPath, readRateLimitConfig } from './config';
import { loadRules } from './rules/load-rules';

describe('readRateLimitConfig', () => {
  it('has documented defaults, including the shipped rules', async () => {
    const { rateLimit } = readRateLimitConfig({});
    expect(rateLimit).toMatchObject({
      rulesPath: defaultRulesPath,
      storeTimeoutMs: 50,
      redisMaxBatch: 8,
      failurePolicy: 'fail_open',
      nearLimitRatio: 0.8,
      maxDescriptors: 16,
      maxEntryBytes: 256,
      anomalySpikeRatio: 3,
      anomalyThreshold: 0.8,
      anomalyMinSamples: 10,
      authAddress: '127.0.0.1:50051',
      authTimeoutMs: 2000,
      adminRole: 'admin',
      mergeDomains: true,
      defaultAlgorithm: 'sliding_window',
    });
    expect(existsSync(defaultRulesPath)).toBe(true);
    const rules = await loadRules(defaultRulesPath);
    const names = rules.domains.get('gatehouse')?.rules.map((rule) => rule.name);
    expect(names).toContain('anonymous-ip-per-minute');
    expect(names).toContain('user-premium-per-day');
    expect(names).toContain('method-voice');
  });

  it('names each bad variable', () => {
    let error: unknown;
    try {
      readRateLimitConfig({
        RATELIMIT_STORE_TIMEOUT_MS: '0',
        RATELIMIT_REDIS_MAX_BATCH: '0',
        RATELIMIT_FAILURE_POLICY: 'maybe',
        RATELIMIT_NEAR_LIMIT_RATIO: '1.5',
        RATELIMIT_ANOMALY_SPIKE_RATIO: 'lots',
        RATELIMIT_AUTH_ADDR: 'auth',
        RATELIMIT_MERGE_DOMAIN_CONFIG: 'sometimes',
        RATELIMIT_DEFAULT_ALGORITHM: 'concurrency',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'RATELIMIT_STORE_TIMEOUT_MS',
      'RATELIMIT_REDIS_MAX_BATCH',
      'RATELIMIT_FAILURE_POLICY',
      'RATELIMIT_NEAR_LIMIT_RATIO',
      'RATELIMIT_ANOMALY_SPIKE_RATIO',
      'RATELIMIT_AUTH_ADDR',
      'RATELIMIT_MERGE_DOMAIN_CONFIG',
      'RATELIMIT_DEFAULT_ALGORITHM',
    ]) {
      expect(message).toContain(name);
    }
  });
});
