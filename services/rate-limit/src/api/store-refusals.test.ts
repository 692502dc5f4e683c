import { createLogger } from '@gatehouse/runtime';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import { startRedisServer } from '../../../../test/support/redis-server';
import { testRedisUrl } from '../../../../test/support/test-env';
import { descriptor, startRateLimit, type RateLimitUnderTest } from '../test-support/start-rate-limit';

const rules = `
domain: refused
failure_policy: fail_open
descriptors:
  - key: user
    rate_limit: { name: per-user, algorithm: token_bucket, unit: minute, requests_per_unit: 10 }
`;

/** The service on `redisUrl` with its log lines captured. */
async function start(redisUrl: string) {
  const logs = captureLogs();
  const service = await startRateLimit({
    rules,
    redisUrl,
    logger: createLogger({ service: 'rate-limit', level: 'info', destination: logs.stream }),
  });
  return { service, logs };
}

/** Readiness of the service right now: ready, and each failing check as `name: detail`. */
async function readiness(service: RateLimitUnderTest) {
  const snapshot = await service.host.readiness.refresh();
  return {
    ready: snapshot.ready,
    failing: snapshot.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.detail}`),
  };
}

describe('one Redis that answers errors: decisions fall back, and readiness says why', () => {
  const running: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const one of running.reverse()) await one.stop();
  });

  it('READONLY: a replica refuses every decision; not ready, one log line', async () => {
    const replica = await startRedisServer(['--replicaof', '127.0.0.1', '1']);
    running.push(replica);
    const { service, logs } = await start(replica.url);
    running.push(service);
    expect(await readiness(service)).toEqual({ ready: true, failing: [] });

    for (let i = 0; i < 5; i += 1) {
      const answer = await service.check({ domain: 'refused', descriptors: [descriptor(`user=u${i}`)] });
      expect(answer).toMatchObject({ allowed: true, fallback: true });
    }
    const { ready, failing } = await readiness(service);
    expect(ready).toBe(false);
    expect(failing).toEqual([
      expect.stringMatching(
        /^redis: store circuit (open|half_open) \(READONLY You can't write against a read only replica\. script: \w+, on @user_script:\d+\.\): failure policies decide$/,
      ),
      expect.stringMatching(
        /^redis-config: Redis refuses commands: READONLY You can't write against a read only replica\. .* \(readonly: 5 refused since .*REDIS_URL points at a read-only replica/,
      ),
    ]);
    const lines = logs.lines().filter((line) => line.reason === 'readonly');
    expect(lines.map((line) => [line.level, line.operation])).toEqual([['error', 'decide']]);
    expect(lines[0]?.reply).toMatch(/^READONLY You can't write against a read only replica\. script: /);
  });

  it('WRONGTYPE: a counter key holding something else refuses its decisions: not ready', async () => {
    const { service, logs } = await start(testRedisUrl);
    running.push(service);
    const redis = new Redis(testRedisUrl);
    try {
      await redis.hset(`${service.keyPrefix}{refused/user=taken}:per-user:user=taken`, 'by', 'someone else');
      const answer = await service.check({ domain: 'refused', descriptors: [descriptor('user=taken')] });
      expect(answer.fallback).toBe(true);
      expect(
        (await service.check({ domain: 'refused', descriptors: [descriptor('user=free')] })).fallback,
      ).toBe(false);
      const { ready, failing } = await readiness(service);
      expect(ready).toBe(false);
      expect(failing).toEqual([
        expect.stringMatching(
          /^redis-config: Redis refuses commands: WRONGTYPE Operation against a key holding the wrong kind of value/,
        ),
      ]);
      expect(logs.lines().filter((line) => line.reason === 'wrongtype').length).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
