import { status } from '@grpc/grpc-js';
import type { ratelimitV1 } from '@gatehouse/contracts';
import { createManualClock, readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError } from '../../../../test/support/grpc-call';
import { testRedisUrl } from '../../../../test/support/test-env';
import {
  adminIdentity,
  descriptor,
  startRateLimit,
  type RateLimitUnderTest,
} from '../test-support/start-rate-limit';

const rules = `
domain: api
descriptors:
  - key: ip
    rate_limit: { unit: minute, requests_per_unit: 5 }
  - key: user
    rate_limits:
      - { name: user-minute, unit: minute, requests_per_unit: 10 }
      - { name: user-hour, unit: hour, requests_per_unit: 12 }
    tiers:
      premium:
        rate_limit: { name: user-premium, unit: minute, requests_per_unit: 100 }
      admin:
        rate_limit: { name: user-admin, unlimited: true }
  - key: tier
    value: gold
    descriptors:
      - key: user
        rate_limit: { name: gold-user, unit: second, requests_per_unit: 2 }
  - key: method
    value: chat
    rate_limit: { name: chat, unit: minute, requests_per_unit: 3 }
  - key: method
    rate_limit: { name: method-any, unit: minute, requests_per_unit: 50 }
  - key: shadow
    shadow_mode: true
    rate_limit: { name: shadowed, unit: minute, requests_per_unit: 1 }
  - key: bucket
    rate_limit: { name: bucket, algorithm: token_bucket, window: 10s, requests_per_unit: 10, burst: 5 }
  - key: job
    rate_limit: { name: jobs, algorithm: concurrency, window: 30s, requests_per_unit: 2 }
  - key: legacy
    rate_limit: { name: legacy, unit: minute, requests_per_unit: 1 }
  - key: new
    rate_limit: { name: new, unit: minute, requests_per_unit: 100, replaces: [{ name: legacy }] }
  - key: api_key
    rate_limit: { name: key-default, unit: minute, requests_per_unit: 60 }
`;

describe.each([
  ['memory', undefined],
  ['redis', testRedisUrl],
] as const)('RateLimitService on %s', (_name, redisUrl) => {
  let service: RateLimitUnderTest;
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const check = (descriptors: ratelimitV1.RateLimitDescriptor[], hits?: number) =>
    service.check({ domain: 'api', descriptors, hits });
  const admittedOf = async (
    descriptors: ratelimitV1.RateLimitDescriptor[],
    attempts: number,
    hits?: number,
  ) => {
    let admitted = 0;
    for (let i = 0; i < attempts; i += 1) if ((await check(descriptors, hits)).allowed) admitted += 1;
    return admitted;
  };

  beforeAll(async () => {
    service = await startRateLimit({
      rules,
      redisUrl,
      clock,
      env: { RATELIMIT_OVER_LIMIT_CACHE: 'false' },
      callerIdentity: adminIdentity,
    });
  });
  afterAll(() => service.stop());

  it('admits exactly the limit and reports limit, remaining, reset and retry', async () => {
    const first = await check([descriptor('ip=10.0.0.1')]);
    expect(first).toMatchObject({ allowed: true, limit: 5, remaining: 4, retryAfterMs: 0n, fallback: false });
    expect(first.statuses[0]).toMatchObject({ allowed: true, limit: 5, remaining: 4, rule: 'ip/1m' });
    expect(first.resetAfterMs).toBe(120_000n); // sliding window: the hit counts until the next window ends
    expect(await admittedOf([descriptor('ip=10.0.0.1')], 10)).toBe(4);
    const denied = await check([descriptor('ip=10.0.0.1')]);
    expect(denied.allowed).toBe(false);
    // In the next window the 5 hits weigh 100% and slide out: one more fits 12 s into it.
    expect(denied.retryAfterMs).toBe(72_000n);
    expect(denied.statuses[0]).toMatchObject({ allowed: false, remaining: 0, nearLimit: true });
  });

  it('all-or-nothing: one descriptor over means nothing is consumed', async () => {
    expect(await admittedOf([descriptor('method=chat')], 3)).toBe(3);
    for (let i = 0; i < 4; i += 1) {
      const response = await check([descriptor('ip=10.0.0.2'), descriptor('method=chat')]);
      expect(response.allowed).toBe(false);
      expect(response.statuses.map((s) => s.allowed)).toEqual([true, false]);
    }
    const peek = await check([descriptor('ip=10.0.0.2')], 0);
    expect(peek.statuses[0]?.remaining).toBe(5);
  });

  it('peek (hits 0) never consumes; weighted hits consume their weight', async () => {
    for (let i = 0; i < 10; i += 1) {
      expect(await check([descriptor('ip=10.0.0.3')], 0)).toMatchObject({ allowed: true, remaining: 5 });
    }
    expect(await check([descriptor('ip=10.0.0.3')], 3)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await check([descriptor('ip=10.0.0.3')], 3)).toMatchObject({ allowed: false, remaining: 2 });
    expect(await check([descriptor('ip=10.0.0.3')], 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('several limits on one descriptor: the most restrictive decides', async () => {
    const user = [descriptor('user=1')];
    expect(await admittedOf(user, 10)).toBe(10);
    clock.advance(120_000);
    expect(await admittedOf(user, 5)).toBe(2); // the hourly 12 is reached first
    const denied = await check(user);
    expect(denied.statuses[0]).toMatchObject({ allowed: false, rule: 'user-hour', limit: 12 });
  });

  it('tiers: a tiers map entry, an unlimited tier, and a tier descriptor entry', async () => {
    const premium = [descriptor('user=2', 'tier=premium')];
    expect(await admittedOf(premium, 20)).toBe(20);
    expect((await check(premium)).statuses[0]).toMatchObject({ rule: 'user-premium', limit: 100 });
    const admin = await check([descriptor('user=3', 'tier=admin')]);
    expect(admin).toMatchObject({ allowed: true, limit: 0 });
    expect(admin.statuses[0]).toMatchObject({ rule: 'user-admin', limit: 0 });
    expect(await admittedOf([descriptor('tier=gold', 'user=4')], 5)).toBe(2);
  });

  it('most specific match: key=value beats key; unmatched descriptors are allowed', async () => {
    expect((await check([descriptor('method=chat2')])).statuses[0]?.rule).toBe('method-any');
    const unmatched = await check([descriptor('nothing=here')]);
    expect(unmatched).toMatchObject({ allowed: true, limit: 0 });
    expect(unmatched.statuses[0]).toMatchObject({ allowed: true, rule: '', limit: 0 });
    const otherDomain = await service.check({ domain: 'nope', descriptors: [descriptor('ip=1')] });
    expect(otherDomain.allowed).toBe(true);
  });

  it('shadow mode counts and reports but never denies', async () => {
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push(await check([descriptor('shadow=x')]));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true]);
    expect(results[2]?.statuses[0]).toMatchObject({ allowed: true, shadowMode: true, rule: 'shadowed' });
  });

  it('replaces: a matched rule switches off the rule it replaces', async () => {
    const both = [descriptor('legacy=a'), descriptor('new=a')];
    expect(await admittedOf(both, 5)).toBe(5);
    expect(await admittedOf([descriptor('legacy=a')], 3)).toBe(1);
  });

  it('token bucket with burst and a caller-supplied limit override', async () => {
    expect(await admittedOf([descriptor('bucket=1')], 20)).toBe(15);
    const own = { ...descriptor('api_key=k1'), limit: { requestsPerUnit: 2, windowMs: 60_000n } };
    expect(await admittedOf([own], 5)).toBe(2);
    expect((await check([own])).statuses[0]).toMatchObject({ rule: 'api_key/override/1m', limit: 2 });
  });

  it('concurrency: leases, Release, and expiry after the TTL', async () => {
    const job = [descriptor('job=render')];
    const a = await check(job);
    const b = await check(job);
    const refused = await check(job);
    expect([a.allowed, b.allowed, refused.allowed]).toEqual([true, true, false]);
    expect(a.statuses[0]?.leaseId).not.toBe('');
    // Said admitted or not, so a caller can tell a concurrency refusal (may end at any Release).
    expect([a.statuses[0]?.concurrency, refused.statuses[0]?.concurrency]).toEqual([true, true]);
    expect((await check([descriptor('ip=10.0.0.77')])).statuses[0]?.concurrency).toBe(false);
    const release = (leaseId: string) => service.release({ leaseId });
    expect(await release(a.statuses[0]?.leaseId ?? '')).toEqual({ released: true });
    expect(await release(a.statuses[0]?.leaseId ?? '')).toEqual({ released: false });
    expect((await check(job)).allowed).toBe(true);
    expect((await check(job)).allowed).toBe(false);
    clock.advance(30_001);
    expect(await admittedOf(job, 3)).toBe(2);
    const bad = await callError(release('garbage'));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
  });

  it('GetLimitStatus peeks several descriptors; ResetLimit forgets one', async () => {
    await check([descriptor('ip=10.0.0.9')], 4);
    const get = () =>
      service.getLimitStatus({
        domain: 'api',
        descriptors: [descriptor('ip=10.0.0.9'), descriptor('method=x')],
      });
    const before = await get();
    expect(before.statuses.map((s) => [s.rule, s.remaining, s.nearLimit])).toEqual([
      ['ip/1m', 1, true],
      ['method-any', 50, false],
    ]);
    expect((await get()).statuses[0]?.remaining).toBe(1);
    const reset = await service.resetLimit(
      { domain: 'api', descriptor: descriptor('ip=10.0.0.9') },
      'admin-token',
    );
    expect(reset.countersRemoved).toBe(1);
    expect((await get()).statuses[0]?.remaining).toBe(5);
  });

  it('ListRules returns the rules in force with their version', async () => {
    const listed = await service.listRules({ domain: 'api' });
    expect(listed.version).toMatch(/^[0-9a-f]{16}$/);
    expect(listed.loadedAt).toBeInstanceOf(Date);
    expect(listed.rules.find((r) => r.name === 'bucket')).toMatchObject({
      descriptorPath: 'bucket',
      algorithm: 2,
      requestsPerUnit: 10,
      windowMs: 10_000n,
      burst: 5,
    });
    expect(listed.rules.find((r) => r.name === 'user-premium')?.tier).toBe('premium');
    expect(listed.rules.find((r) => r.name === 'gold-user')?.tier).toBe('gold');
    const none = await service.listRules({ domain: 'zzz' });
    expect(none.rules).toEqual([]);
  });

  const limited = (requestsPerUnit: number) => ({
    ...descriptor('ip=1'),
    limit: { requestsPerUnit, windowMs: 1000n },
  });
  it.each([
    ['domain', { domain: '', descriptors: [descriptor('ip=1')] }],
    ['descriptors', { domain: 'api', descriptors: [] }],
    ['descriptors[0].entries', { domain: 'api', descriptors: [{ entries: [], limit: undefined }] }],
    ['descriptors[0].entries[1].key', { domain: 'api', descriptors: [descriptor('ip=1', '=x')] }],
    [
      'descriptors[0].entries[1].value',
      { domain: 'api', descriptors: [descriptor('ip=1', `k=${'v'.repeat(257)}`)] },
    ],
    ['descriptors[0].entries[0].key', { domain: 'api', descriptors: [descriptor(`${'k'.repeat(257)}=v`)] }],
    ['descriptors', { domain: 'api', descriptors: Array.from({ length: 17 }, () => descriptor('ip=1')) }],
    ['descriptors[0].limit.requests_per_unit', { domain: 'api', descriptors: [limited(0)] }],
    ['hits', { domain: 'api', descriptors: [descriptor('ip=1')], hits: 2_000_000 }],
  ] as [string, Partial<ratelimitV1.CheckLimitRequest>][])(
    'INVALID_ARGUMENT naming %s',
    async (field, request) => {
      const error = await callError(service.check(request));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(readErrorDetails(error.metadata).field).toBe(field);
    },
  );
});
