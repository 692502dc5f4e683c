import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TcpProxy } from '../../../../test/support/tcp-proxy';
import {
  descriptor,
  dropKeys,
  startRateLimitBehindProxy,
  type RateLimitUnderTest,
} from '../test-support/start-rate-limit';

const rules = `
domain: open
failure_policy: fail_open
descriptors: [{ key: ip, rate_limit: { unit: minute, requests_per_unit: 3 } }]
---
domain: closed
failure_policy: fail_closed
descriptors: [{ key: ip, rate_limit: { unit: minute, requests_per_unit: 3 } }]
---
domain: local
failure_policy: local
descriptors: [{ key: ip, rate_limit: { unit: minute, requests_per_unit: 3 } }]
`;

// Generous: the store timeout is 50 ms; the rest is gRPC on a shared 2-core machine.
const answerWithinMs = 400;

describe('Redis outage: each failure policy answers within the timeout and recovers', () => {
  let proxy: TcpProxy;
  let service: RateLimitUnderTest;
  let ip = 0;

  beforeAll(async () => {
    ({ service, proxy } = await startRateLimitBehindProxy({
      rules,
      env: { RATELIMIT_BREAKER_OPEN_MS: '100', RATELIMIT_STORE_TIMEOUT_MS: '50' },
    }));
  });
  afterAll(async () => {
    await proxy.restart().catch(() => undefined);
    proxy.heal();
    await service.stop();
    await dropKeys(service.keyPrefix);
  });

  const timed = async (domain: string, key: string) => {
    const started = performance.now();
    const response = await service.check({ domain, descriptors: [descriptor(`ip=${key}`)] });
    return { response, ms: performance.now() - started };
  };

  const expectPolicies = async () => {
    ip += 1;
    const open = await timed('open', `o${ip}`);
    expect(open.response).toMatchObject({ allowed: true, fallback: true });
    expect(open.ms).toBeLessThan(answerWithinMs);
    const closed = await timed('closed', `c${ip}`);
    expect(closed.response).toMatchObject({ allowed: false, fallback: true });
    expect(closed.response.retryAfterMs).toBeGreaterThan(0n);
    expect(closed.ms).toBeLessThan(answerWithinMs);
    const local = [];
    for (let i = 0; i < 5; i += 1) local.push(await timed('local', `l${ip}`));
    expect(local.map((l) => [l.response.allowed, l.response.fallback])).toEqual([
      [true, true],
      [true, true],
      [true, true],
      [false, true],
      [false, true],
    ]);
    for (const l of local) expect(l.ms).toBeLessThan(answerWithinMs);
  };

  const recovered = async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { response } = await timed('closed', `r${ip}`);
      if (!response.fallback) return response;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the service did not recover within 10 s');
  };

  it('decides normally while Redis answers', async () => {
    const { response } = await timed('closed', 'warm');
    expect(response).toMatchObject({ allowed: true, fallback: false });
  });

  it('Redis stopped (connection refused): policies decide, then Redis returns and decisions are exact again', async () => {
    await proxy.stop();
    await expectPolicies();
    const metrics = await (await fetch(`http://127.0.0.1:${service.host.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/ratelimit_fallback_total\{[^}]*policy="fail_closed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/ratelimit_store_errors_total\{/);
    await proxy.restart();
    const back = await recovered();
    expect(back).toMatchObject({ allowed: true, fallback: false, remaining: 2 });
  });

  it('a batch of concurrent requests that Redis never answers: each request answered by its domain policy', async () => {
    proxy.blackhole();
    ip += 1;
    const calls = [
      ...['o', 'o'].map((k) => timed('open', `${k}${ip}b`)),
      ...['c', 'c'].map((k) => timed('closed', `${k}${ip}b`)),
      ...['l', 'l', 'l', 'l'].map((k) => timed('local', `${k}${ip}b`)),
    ];
    const answers = await Promise.all(calls);
    expect(answers.map((a) => [a.response.allowed, a.response.fallback])).toEqual([
      [true, true],
      [true, true],
      [false, true],
      [false, true],
      [true, true],
      [true, true],
      [true, true],
      [false, true],
    ]);
    for (const answer of answers) expect(answer.ms).toBeLessThan(answerWithinMs);
    proxy.heal();
    await recovered();
  });

  it('Redis hanging (blackhole): the 50 ms timeout and the circuit breaker keep answers fast, then it recovers', async () => {
    proxy.blackhole();
    await expectPolicies();
    proxy.heal();
    const back = await recovered();
    expect(back).toMatchObject({ allowed: true, fallback: false });
  });
});
