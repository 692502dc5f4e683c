import { status } from '@grpc/grpc-js';
import { ratelimitV1 } from '@gatehouse/contracts';
import { toStatusObject } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { LocalRefusals } from './rate-limit-local-refusals';

const refused = (retryAfterMs: number) =>
  ratelimitV1.CheckLimitResponse.fromPartial({
    allowed: false,
    limit: 10,
    remaining: 0,
    resetAfterMs: 30_000n,
    retryAfterMs: BigInt(retryAfterMs),
  });

describe('LocalRefusals', () => {
  it('refuses a remembered key until its retry time, counting every call, with the time left', () => {
    const refusals = new LocalRefusals();
    refusals.remember('k', refused(2500), 1000);
    const refusal = refusals.refusal('k', 2000, 3);
    expect(refusal?.error).toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
      reason: 'RATE_LIMITED',
      retryAfterMs: 1500,
    });
    expect(refusal?.trailers?.get('retry-after')).toEqual(['2']);
    expect(refusal?.trailers?.get('x-ratelimit-limit')).toEqual(['10']);
    expect(refusal?.trailers?.get('x-ratelimit-remaining')).toEqual(['0']);
    expect(toStatusObject(refusal!.error).code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refusals.count()).toBe(3);
    expect(refusals.refusal('k', 3500, 1)).toBeUndefined();
    expect(refusals.refusal('k', 2000, 1)).toBeUndefined();
    expect(refusals.count()).toBe(3);
  });

  it('never remembers a refusal without a retry time, nor other keys', () => {
    const refusals = new LocalRefusals();
    refusals.remember('k', refused(0), 1000);
    expect(refusals.refusal('k', 1000, 1)).toBeUndefined();
    refusals.remember('k', refused(500), 1000);
    expect(refusals.refusal('other', 1000, 1)).toBeUndefined();
    expect(refusals.count()).toBe(0);
  });

  it('keeps at most 10000 keys, forgetting the oldest first', () => {
    const refusals = new LocalRefusals();
    for (let i = 0; i <= 10_000; i += 1) refusals.remember(`k${i}`, refused(60_000), 0);
    expect(refusals.refusal('k0', 1, 1)).toBeUndefined();
    expect(refusals.refusal('k1', 1, 1)).toBeDefined();
    expect(refusals.refusal('k10000', 1, 1)).toBeDefined();
  });
});
