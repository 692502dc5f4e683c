import type { Metadata, ServiceError } from '@grpc/grpc-js';
import { ratelimitV1 } from '@gatehouse/contracts';
import type { Admission, CallEnd } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { RateLimitDecider, type DeciderOptions } from './rate-limit-decider';
import { descriptor } from './rate-limit-descriptors';

type Answer = (error: ServiceError | null, response?: ratelimitV1.CheckLimitResponse) => void;

/** A rate-limit client whose CheckLimits wait until the test answers them. */
function heldClient() {
  const asked: { hits: number; answer: Answer }[] = [];
  const client = {
    checkLimit: (request: ratelimitV1.CheckLimitRequest, _m: Metadata, _o: object, answer: Answer) => {
      asked.push({ hits: request.hits ?? 1, answer });
    },
    release: () => undefined,
  } as unknown as ratelimitV1.RateLimitServiceClient;
  return { client, asked };
}

const allowed = (remaining: number) =>
  ratelimitV1.CheckLimitResponse.fromPartial({ allowed: true, limit: 100, remaining, resetAfterMs: 60_000n });
const overLimit = ratelimitV1.CheckLimitResponse.fromPartial({
  allowed: false,
  limit: 100,
  remaining: 0,
  resetAfterMs: 60_000n,
  retryAfterMs: 5000n,
});
const descriptors = [descriptor(['user', 'u1'])];

function decider(client: ratelimitV1.RateLimitServiceClient, extra: Partial<DeciderOptions> = {}) {
  let now = 1_000_000;
  const options: DeciderOptions = {
    client,
    domain: 'test',
    timeoutMs: 1000,
    breakerThreshold: 2,
    breakerCooldownMs: 5000,
    coalesce: true,
    allowance: false,
    failOpen: true,
    now: () => now,
    ...extra,
  };
  const decisions: Admission<CallEnd>[] = [];
  const instance = new RateLimitDecider(options);
  return {
    decide: (calls = 1) =>
      instance.decide(
        'k',
        descriptors,
        Array.from({ length: calls }, () => (admission: Admission<CallEnd>) => decisions.push(admission)),
      ),
    decisions,
    stats: () => instance.stats(),
    advance: (ms: number) => (now += ms),
  };
}

describe('RateLimitDecider', () => {
  it('coalesces calls behind the CheckLimit in flight into one with hits = their number', () => {
    const { client, asked } = heldClient();
    const limiter = decider(client);
    limiter.decide();
    limiter.decide(2);
    limiter.decide();
    expect(asked.map((call) => call.hits)).toEqual([1]);
    asked[0]!.answer(null, allowed(99));
    expect(asked.map((call) => call.hits)).toEqual([1, 3]);
    asked[1]!.answer(null, allowed(96));
    expect(limiter.decisions.map((decision) => decision.admitted)).toEqual([true, true, true, true]);
  });

  it('refuses locally until the retry time once the service refused, without asking it', () => {
    const { client, asked } = heldClient();
    const limiter = decider(client);
    limiter.decide();
    asked[0]!.answer(null, overLimit);
    limiter.decide(2);
    expect(asked).toHaveLength(1);
    expect(limiter.decisions.map((decision) => decision.admitted)).toEqual([false, false, false]);
    expect(limiter.stats().refusedLocally).toBe(2);
    limiter.advance(5000);
    limiter.decide();
    expect(asked).toHaveLength(2);
  });

  it('admits from hits taken ahead of need without asking the service', () => {
    const { client, asked } = heldClient();
    const limiter = decider(client, { allowance: { maxHits: 4, minRemaining: 10 } });
    limiter.decide();
    asked[0]!.answer(null, allowed(1000));
    // Demand of two calls in this period (this one included): the CheckLimit takes two hits ahead.
    limiter.decide();
    expect(asked[1]!.hits).toBe(3);
    asked[1]!.answer(null, allowed(997));
    expect(limiter.stats().heldHits).toBe(2);
    limiter.decide();
    limiter.decide();
    expect(asked).toHaveLength(2);
    expect(limiter.stats()).toMatchObject({ allowedLocally: 2, heldHits: 0 });
    expect(limiter.decisions.every((decision) => decision.admitted)).toBe(true);
  });

  it('falls back after errors and opens the breaker after the threshold, calling nobody', () => {
    const { client, asked } = heldClient();
    const limiter = decider(client, { coalesce: false });
    const failure = { code: 14, details: 'down' } as ServiceError;
    limiter.decide();
    asked[0]!.answer(failure);
    limiter.decide();
    asked[1]!.answer(failure);
    limiter.decide();
    expect(asked).toHaveLength(2);
    expect(limiter.stats()).toMatchObject({ fallbacks: 3, breakerOpen: true });
    limiter.advance(5000);
    limiter.decide();
    limiter.decide();
    // One trial call after the cooldown; the others fall back while it is in flight.
    expect(asked).toHaveLength(3);
    asked[2]!.answer(null, allowed(50));
    expect(limiter.stats()).toMatchObject({ fallbacks: 4, breakerOpen: false });
  });

  it('refuses UNAVAILABLE instead when it fails closed', () => {
    const { client, asked } = heldClient();
    const limiter = decider(client, { failOpen: false });
    limiter.decide();
    asked[0]!.answer({ code: 4, details: 'deadline' } as ServiceError);
    const decision = limiter.decisions[0]!;
    expect(decision.admitted ? 'admitted' : [decision.error.code, decision.error.reason]).toEqual([
      'UNAVAILABLE',
      'RATE_LIMIT_UNAVAILABLE',
    ]);
  });
});
