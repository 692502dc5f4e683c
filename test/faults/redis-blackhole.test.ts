import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ratelimitV1 } from '@gatehouse/contracts';
import {
  descriptor,
  startRateLimitBehindProxy,
  type RateLimitUnderTest,
} from '../../services/rate-limit/src/test-support/start-rate-limit';
import { describeLoad, runLoad } from '../support/load';
import type { TcpProxy } from '../support/tcp-proxy';

// Limits far above what the load reaches: every normal decision is "allowed", so a denial or a
// fallback can only come from the outage.
const rules = `
domain: open
failure_policy: fail_open
descriptors: [{ key: user, rate_limit: { unit: hour, requests_per_unit: 1000000 } }]
---
domain: closed
failure_policy: fail_closed
descriptors: [{ key: user, rate_limit: { unit: hour, requests_per_unit: 1000000 } }]
`;

// Above the default 50 ms so a healthy but CPU-starved Redis round trip is not taken for an outage.
const storeTimeoutMs = 150;
// The store timeout plus gRPC on a 2-core machine shared with other work.
const p99BoundMs = 400;
const concurrency = 8;

describe('Redis blackholed under load: the rate-limit service answers by policy, then recovers', () => {
  let proxy: TcpProxy;
  let service: RateLimitUnderTest;

  beforeAll(async () => {
    ({ service, proxy } = await startRateLimitBehindProxy({
      rules,
      env: { RATELIMIT_STORE_TIMEOUT_MS: String(storeTimeoutMs), RATELIMIT_BREAKER_OPEN_MS: '200' },
    }));
  });
  afterAll(async () => {
    proxy.heal();
    await service.stop();
    await proxy.stop();
  });

  const load = (durationMs: number, seen: ratelimitV1.CheckLimitResponse[]) =>
    runLoad({
      concurrency,
      durationMs,
      maxCalls: 20_000,
      call: async (i) => {
        const domain = i % 2 === 0 ? 'open' : 'closed';
        const response = await service.check({ domain, descriptors: [descriptor(`user=u${i % 50}`)] });
        seen.push({ ...response, domain } as ratelimitV1.CheckLimitResponse & { domain: string });
      },
    });

  it('decides exactly before, by failure policy within the timeout during, and exactly again after', async () => {
    const before: ratelimitV1.CheckLimitResponse[] = [];
    const healthy = await load(1000, before);
    expect(healthy.byCode).toEqual({ OK: healthy.calls });
    expect(before.every((r) => r.allowed)).toBe(true);
    expect(before.filter((r) => r.fallback).length).toBeLessThanOrEqual(Math.floor(before.length / 100));

    proxy.blackhole();
    const during: (ratelimitV1.CheckLimitResponse & { domain?: string })[] = [];
    const outage = await load(2000, during);
    console.log(`redis blackholed: ${describeLoad(outage)}`);
    // No call failed or hung: every one answered OK, by policy, within the bound.
    expect(outage.byCode).toEqual({ OK: outage.calls });
    expect(outage.calls).toBeGreaterThan(50);
    expect(outage.p99Ms).toBeLessThan(p99BoundMs);
    const open = during.filter((r) => r.domain === 'open');
    const closed = during.filter((r) => r.domain === 'closed');
    expect(open.every((r) => r.allowed && r.fallback)).toBe(true);
    expect(closed.every((r) => !r.allowed && r.fallback && r.retryAfterMs > 0n)).toBe(true);
    expect(open.length + closed.length).toBe(outage.calls);

    proxy.heal();
    const deadline = Date.now() + 10_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      const response = await service.check({ domain: 'closed', descriptors: [descriptor('user=probe')] });
      recovered = !response.fallback;
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(recovered).toBe(true);
    const after: ratelimitV1.CheckLimitResponse[] = [];
    const back = await load(1000, after);
    console.log(`redis healed: ${describeLoad(back)}`);
    expect(back.byCode).toEqual({ OK: back.calls });
    // Exact decisions again; at most 1% may still time out on a machine this busy.
    const stillFallback = after.filter((r) => r.fallback).length;
    console.log(`after healing: ${stillFallback} of ${after.length} decided by policy`);
    expect(after.every((r) => r.allowed)).toBe(true);
    expect(stillFallback).toBeLessThanOrEqual(Math.floor(after.length / 100));
    const metrics = await (await fetch(`http://127.0.0.1:${service.host.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/ratelimit_store_circuit_open(\{[^}]*\})? 0/);
  });
});
