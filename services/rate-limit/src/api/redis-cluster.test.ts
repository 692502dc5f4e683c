import { createLogger } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import { uniqueName } from '../../../../test/support/test-env';
import { openTestRedis, type TestRedis } from '../../../../test/support/test-redis';
import {
  descriptor,
  dropKeys,
  startRateLimit,
  type RateLimitUnderTest,
} from '../test-support/start-rate-limit';

const rules = `
domain: spread
failure_policy: fail_open
descriptors:
  - key: user
    rate_limit: { unit: minute, requests_per_unit: 10 }
    descriptors: [{ key: method, rate_limit: { unit: minute, requests_per_unit: 4 } }]
  - key: api_key
    rate_limit: { unit: minute, requests_per_unit: 6 }
`;

const users = Array.from({ length: 30 }, (_, i) => `u${i}`);

describe('rate-limit on the Redis Cluster (REDIS_CLUSTER=true)', () => {
  let service: RateLimitUnderTest;
  let cluster: TestRedis;

  beforeAll(async () => {
    cluster = await openTestRedis('cluster');
    service = await startRateLimit({ rules, redis: 'cluster' });
  });
  afterAll(async () => {
    await service.stop();
    await cluster.close();
  });

  it('is exact per key, never falls back, and spreads the keys over every master', async () => {
    const answers = await Promise.all(
      users.map(async (user) => {
        const mine = [];
        for (let i = 0; i < 14; i += 1) {
          mine.push(await service.check({ domain: 'spread', descriptors: [descriptor(`user=${user}`)] }));
        }
        return mine;
      }),
    );
    for (const mine of answers) {
      expect(mine.map((answer) => answer.allowed)).toEqual([
        ...Array(10).fill(true),
        ...Array(4).fill(false),
      ]);
      expect(mine.filter((answer) => answer.fallback)).toEqual([]);
    }
    const perMaster = await cluster.keysPerMaster(service.keyPrefix);
    expect(perMaster.size).toBe(3);
    for (const [master, count] of perMaster) expect([master, count > 0]).toEqual([master, true]);
    const snapshot = await service.host.readiness.refresh();
    expect(snapshot).toMatchObject({ ready: true, degraded: false });
    expect(snapshot.checks.map((check) => [check.name, check.ok])).toEqual([
      ['redis', true],
      ['redis-config', true],
    ]);
    expect(service.host.storesInUse.kv).toBe(`redis cluster (prefix ${service.keyPrefix})`);
  });

  it('keeps a decision over several slots all-or-nothing', async () => {
    // user=a/method=m and api_key=k hash to different slots; the API key allows 6, the method 4.
    const request = {
      domain: 'spread',
      descriptors: [descriptor('user=a', 'method=m'), descriptor('api_key=k')],
    };
    const answers = [];
    for (let i = 0; i < 8; i += 1) answers.push(await service.check(request));
    expect(answers.map((answer) => [answer.allowed, answer.fallback])).toEqual([
      ...Array(4).fill([true, false]),
      ...Array(4).fill([false, false]),
    ]);
    // The 4 refusals took nothing from the API key: 2 of its 6 are left.
    const peek = await service.check({ domain: 'spread', hits: 0, descriptors: [descriptor('api_key=k')] });
    expect(peek.statuses[0]?.remaining).toBe(2);
  });
});

describe('rate-limit pointed at a cluster node without cluster mode (REDIS_CLUSTER=false)', () => {
  const logs = captureLogs();
  const keyPrefix = `${uniqueName('rl_misconfigured')}:`;
  let service: RateLimitUnderTest;

  beforeAll(async () => {
    service = await startRateLimit({
      rules,
      redis: 'cluster',
      keyPrefix,
      env: { REDIS_CLUSTER: 'false' },
      logger: createLogger({ service: 'rate-limit', level: 'info', destination: logs.stream }),
    });
  });
  afterAll(async () => {
    await service.stop();
    await dropKeys(keyPrefix, 'cluster');
  });

  it('is not ready, logs the MOVED reply once, and counts it by reason', async () => {
    const answers = [];
    for (const user of users) {
      answers.push(await service.check({ domain: 'spread', descriptors: [descriptor(`user=${user}`)] }));
    }
    // Two masters of three hold most slots: their keys are refused, and the policy (fail_open) decides.
    expect(answers.filter((answer) => answer.fallback).length).toBeGreaterThan(5);

    const snapshot = await service.host.readiness.refresh();
    expect(snapshot.ready).toBe(false);
    const config = snapshot.checks.find((check) => check.name === 'redis-config');
    expect(config).toMatchObject({ ok: false, critical: true });
    expect(config?.detail).toMatch(
      /^Redis refuses commands: .*MOVED \d+ 127\.0\.0\.1:700\d \(moved: \d+ refused since/,
    );
    expect(config?.detail).toContain('serving');
    const ready = await fetch(`http://127.0.0.1:${service.host.opsPort}/readyz`);
    expect(ready.status).toBe(503);

    const refusals = logs
      .lines()
      .filter((line) => String(line.msg).startsWith('Redis refused a command: MOVED'));
    expect(refusals.length).toBe(1);
    expect(refusals[0]).toMatchObject({ level: 'error', reason: 'moved', operation: 'decide' });
    expect(String(refusals[0]?.reply)).toMatch(/^MOVED \d+ 127\.0\.0\.1:700\d$/);

    const metrics = await (await fetch(`http://127.0.0.1:${service.host.opsPort}/metrics`)).text();
    expect(metrics).toMatch(
      /store_errors_total\{store="redis",operation="decide",reason="moved",service="rate-limit"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /ratelimit_store_errors_total\{domain="spread",reason="moved",service="rate-limit"\} [1-9]/,
    );
  });
});
