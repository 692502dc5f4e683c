import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { ratelimitV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startRateLimit,
  type RateLimitUnderTest,
} from '../../../services/rate-limit/src/test-support/start-rate-limit';
import { descriptor, rateLimit, type RateLimitInterceptor, type RateLimitOptions } from './rate-limit';
import { LocalAllowances } from './rate-limit-allowance';
import { startEchoServer, type EchoServer } from './test-support/echo-server';

describe('LocalAllowances', () => {
  const answer = (remaining: number, resetAfterMs = 60_000) => ({ limit: 1000, remaining, resetAfterMs });

  it('leases nothing before the service has answered for the key', () => {
    const allowances = new LocalAllowances();
    expect(allowances.take('k', 5, 0, true).covered).toBe(0);
    expect(allowances.leaseSize('k')).toBe(0);
  });

  it('bounds a lease by demand, by the share of the remaining and by maxHits', () => {
    const allowances = new LocalAllowances({ maxHits: 20, shareOfRemaining: 0.1, ttlMs: 1000 });
    allowances.take('k', 3, 0, true);
    allowances.granted('k', 0, answer(997), 0);
    expect(allowances.leaseSize('k')).toBe(3); // demand: 3 calls this period
    allowances.take('k', 40, 10, true);
    expect(allowances.leaseSize('k')).toBe(20); // maxHits
    allowances.granted('k', 0, answer(150), 10);
    expect(allowances.leaseSize('k')).toBe(15); // 10% of 150
    allowances.granted('k', 0, answer(99), 10);
    expect(allowances.leaseSize('k')).toBe(0); // below minRemaining (100): every call goes to the service
  });

  it('forgets demand after a quiet period', () => {
    const allowances = new LocalAllowances({ ttlMs: 1000 });
    allowances.take('k', 30, 0, true);
    allowances.granted('k', 0, answer(970), 0);
    allowances.take('k', 1, 1500, true); // the next period: last period's 30 still count
    expect(allowances.leaseSize('k')).toBe(30);
    allowances.take('k', 1, 5000, true); // two quiet periods later
    expect(allowances.leaseSize('k')).toBe(1);
  });

  it('spends held hits and reports the remaining as the service plus what is still held', () => {
    const allowances = new LocalAllowances({ ttlMs: 1000 });
    allowances.take('k', 1, 0, true);
    const reported = allowances.granted('k', 4, answer(900, 30_000), 0);
    expect(reported).toEqual({ limit: 1000, remaining: 904, resetAfterMs: 30_000 });
    const first = allowances.take('k', 3, 100, true);
    expect(first).toEqual({ covered: 3, snapshot: { limit: 1000, remaining: 901, resetAfterMs: 29_900 } });
    expect(allowances.take('k', 3, 200, true).covered).toBe(1);
    expect(allowances.take('k', 1, 300, true).covered).toBe(0);
    expect(allowances.spentLocally()).toBe(4);
  });

  it('lets held hits lapse after ttlMs, or sooner when the window resets', () => {
    const allowances = new LocalAllowances({ ttlMs: 1000 });
    allowances.take('a', 1, 0, true);
    allowances.granted('a', 5, answer(900), 0);
    expect(allowances.heldNow(999)).toBe(5);
    expect(allowances.take('a', 1, 1000, true).covered).toBe(0);
    allowances.take('b', 1, 0, true);
    allowances.granted('b', 5, answer(900, 200), 0); // the window resets in 200 ms
    expect(allowances.take('b', 1, 199, true).covered).toBe(1);
    expect(allowances.take('b', 1, 200, true).covered).toBe(0);
  });

  it('leases nothing after a refusal until the service reports headroom again', () => {
    const allowances = new LocalAllowances();
    allowances.take('k', 10, 0, true);
    allowances.granted('k', 0, answer(800), 0);
    expect(allowances.leaseSize('k')).toBe(10);
    allowances.refused('k');
    expect(allowances.leaseSize('k')).toBe(0);
  });

  it('rejects options that cannot work', () => {
    expect(() => new LocalAllowances({ maxHits: -1 })).toThrow(/maxHits/);
    expect(() => new LocalAllowances({ shareOfRemaining: 2 })).toThrow(/shareOfRemaining/);
    expect(() => new LocalAllowances({ ttlMs: 1.5 })).toThrow(/ttlMs/);
    expect(() => new LocalAllowances({ minRemaining: -5 })).toThrow(/minRemaining/);
  });
});

const rules = `
domain: lease
descriptors:
  - key: tenant
    rate_limit: { unit: day, requests_per_unit: 1000 }
  - key: tenant
    value: scarce
    rate_limit: { unit: day, requests_per_unit: 300 }
  - key: tenant
    value: small
    rate_limit: { unit: day, requests_per_unit: 60 }
`;

/** A real rate-limit client that counts the CheckLimit calls and hits sent through it. */
function countingClient(client: ratelimitV1.RateLimitServiceClient) {
  const sent = { calls: 0, hits: 0 };
  const counting = Object.create(client) as ratelimitV1.RateLimitServiceClient;
  counting.checkLimit = ((request: ratelimitV1.CheckLimitRequest, ...rest: never[]) => {
    sent.calls += 1;
    sent.hits += request.hits ?? 1;
    return (client.checkLimit as (...args: unknown[]) => unknown).call(client, request, ...rest);
  }) as typeof client.checkLimit;
  return { client: counting, sent };
}

async function outcome(server: EchoServer): Promise<'ok' | string> {
  return server.call('Echo').then(
    () => 'ok',
    (error: ServiceError) => status[error.code],
  );
}

describe('rateLimit with local allowances against the real rate-limit service', () => {
  let limits: RateLimitUnderTest;
  const running: { server: EchoServer; limiter: RateLimitInterceptor }[] = [];

  beforeAll(async () => {
    limits = await startRateLimit({ rules });
  });

  afterAll(async () => {
    for (const { server, limiter } of running) {
      await server.stop();
      limiter.close();
    }
    await limits?.stop();
  });

  /** An echo server whose calls all count against `tenant`. */
  async function replica(tenant: string, options: Partial<RateLimitOptions> = {}) {
    const counted = countingClient(limits.client);
    const limiter = rateLimit({
      client: counted.client,
      domain: 'lease',
      timeoutMs: 1000,
      descriptors: () => [descriptor(['tenant', tenant])],
      ...options,
    });
    const server = await startEchoServer([limiter]);
    running.push({ server, limiter });
    return { server, limiter, sent: counted.sent };
  }

  async function usedAtService(tenant: string, limit: number): Promise<number> {
    const peek = await limits.check({
      domain: 'lease',
      descriptors: [descriptor(['tenant', tenant])],
      hits: 0,
    });
    return limit - peek.remaining;
  }

  it('serves a busy caller mostly without CheckLimit; the service counts every admitted and held hit', async () => {
    const { server, limiter, sent } = await replica('busy', { allowance: { ttlMs: 60_000 } });
    let lastHeaders = new Metadata();
    for (let call = 0; call < 200; call += 1) lastHeaders = (await server.call('Echo')).headers;
    const { allowedLocally, heldHits } = limiter.stats();
    expect(sent.calls).toBeLessThanOrEqual(20);
    expect(allowedLocally).toBe(200 - sent.calls);
    expect(sent.hits).toBe(200 + heldHits);
    expect(await usedAtService('busy', 1000)).toBe(200 + heldHits);
    // What is held here still counts as this caller's: the header reports 1000 - 200.
    expect(lastHeaders.get('x-ratelimit-remaining')).toEqual(['800']);
    expect(lastHeaders.get('x-ratelimit-limit')).toEqual(['1000']);
  });

  it('never admits more than the limit across two replicas racing for the last hits', async () => {
    // A long ttl keeps every leased hit held, so admitted + held must equal the limit exactly.
    const a = await replica('scarce', { allowance: { ttlMs: 60_000 } });
    const b = await replica('scarce', { allowance: { ttlMs: 60_000 } });
    const outcomes: string[] = [];
    for (let wave = 0; wave < 60; wave += 1) {
      const calls = Array.from({ length: 10 }, (_, index) => outcome(index % 2 === 0 ? a.server : b.server));
      outcomes.push(...(await Promise.all(calls)));
    }
    const admitted = outcomes.filter((result) => result === 'ok').length;
    const held = a.limiter.stats().heldHits + b.limiter.stats().heldHits;
    expect(outcomes.filter((result) => result !== 'ok' && result !== 'RESOURCE_EXHAUSTED')).toEqual([]);
    expect(admitted + held).toBe(300);
    expect(await usedAtService('scarce', 300)).toBe(300);
    expect(a.limiter.stats().allowedLocally + b.limiter.stats().allowedLocally).toBeGreaterThan(0);
  });

  it('takes nothing ahead under a small limit: each call is decided by the service', async () => {
    const { server, limiter, sent } = await replica('small');
    const outcomes: string[] = [];
    for (let call = 0; call < 70; call += 1) outcomes.push(await outcome(server));
    expect(outcomes.filter((result) => result === 'ok')).toHaveLength(60);
    expect(limiter.stats()).toMatchObject({ allowedLocally: 0, heldHits: 0 });
    // 60 admitted, then refused: the first refusal asks, the rest come from the over-limit cache.
    expect(sent).toEqual({ calls: 61, hits: 61 });
  });

  it('with allowance: false sends every call to the service', async () => {
    const { server, limiter, sent } = await replica('plain', { allowance: false });
    for (let call = 0; call < 30; call += 1) await server.call('Echo');
    expect(sent).toEqual({ calls: 30, hits: 30 });
    expect(limiter.stats()).toMatchObject({ allowedLocally: 0, heldHits: 0 });
    expect(await usedAtService('plain', 1000)).toBe(30);
  });

  it('stops spending held hits once they lapse and asks the service again', async () => {
    let clock = 1_000_000;
    const { server, limiter, sent } = await replica('lapse', {
      allowance: { ttlMs: 500 },
      now: () => clock,
    });
    for (let call = 0; call < 5; call += 1) await server.call('Echo');
    const held = limiter.stats().heldHits;
    expect(held).toBeGreaterThan(0);
    clock += 500;
    expect(limiter.stats().heldHits).toBe(0);
    const callsBefore = sent.calls;
    await server.call('Echo');
    expect(sent.calls).toBe(callsBefore + 1);
    // The lapsed hits stay counted: the price of holding them, bounded by the lease rules.
    expect(await usedAtService('lapse', 1000)).toBe(6 + held + limiter.stats().heldHits);
  });
});
