import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startRateLimit,
  type RateLimitUnderTest,
} from '../../../services/rate-limit/src/test-support/start-rate-limit';
import { descriptor, rateLimit, type RateLimitInterceptor } from './rate-limit';
import { echoDefinition, startEchoServer, type EchoServer } from './test-support/echo-server';

const rules = `
domain: leases
descriptors:
  - key: job
    rate_limit: { algorithm: concurrency, window: 30s, requests_per_unit: 2 }
`;

const job = descriptor(['job', 'render']);

/** A gate the echo handler waits at: opened or failed by the test. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const passed = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { passed, open, fail };
}

/** One Echo call the caller abandons after `deadlineMs`: resolves its outcome's status name. */
function echoWithDeadline(server: EchoServer, deadlineMs: number): Promise<string> {
  return new Promise((resolve) => {
    server.client.makeUnaryRequest(
      echoDefinition.Echo!.path,
      (value: object) => Buffer.from(JSON.stringify(value)),
      (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
      {},
      new Metadata(),
      { deadline: Date.now() + deadlineMs },
      (error: ServiceError | null) => resolve(error === null ? 'served' : status[error.code]),
    );
  });
}

async function until(condition: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

describe('rateLimit with concurrency rules: one lease per running call, released when it ends', () => {
  let limits: RateLimitUnderTest;
  let limiter: RateLimitInterceptor;
  let server: EchoServer;
  let current = gate();
  let running = 0;

  const leasesFree = async () =>
    (await limits.check({ domain: 'leases', descriptors: [job], hits: 0 })).remaining;

  beforeAll(async () => {
    limits = await startRateLimit({ rules });
    // Default options (coalescing and allowances on): the interceptor must notice the leases itself.
    limiter = rateLimit({
      client: limits.client,
      domain: 'leases',
      timeoutMs: 1000,
      descriptors: () => [job],
    });
    server = await startEchoServer([limiter], [], async () => {
      running += 1;
      try {
        await current.passed;
      } finally {
        running -= 1;
      }
    });
  });

  beforeEach(() => {
    current = gate();
  });

  afterEach(async () => {
    current.open();
    await until(async () => (await leasesFree()) === 2, 2000);
  });

  afterAll(async () => {
    await server?.stop();
    limiter?.close();
    await limits?.stop();
  });

  it('admits as many calls as the limit at once, refuses the next, and frees a lease as soon as a call ends', async () => {
    const first = server.call('Echo');
    const second = server.call('Echo');
    const third = server.call('Echo').then(
      () => 'served',
      (error: ServiceError) => status[error.code],
    );
    expect(await third).toBe('RESOURCE_EXHAUSTED');
    await until(async () => running === 2, 1000);
    expect(await leasesFree()).toBe(0);
    current.open();
    await Promise.all([first, second]);
    // Released by the interceptor, not by the 30 s lease TTL.
    const releasedWithinMs = await until(async () => (await leasesFree()) === 2, 1000);
    expect(releasedWithinMs).toBeLessThan(1000);
    await expect(server.call('Echo')).resolves.toBeTruthy();
    expect(limiter.stats().releaseFailures).toBe(0);
  });

  it('frees the lease when the handler fails', async () => {
    const failing = server.call('Echo').then(
      () => 'served',
      (error: ServiceError) => status[error.code],
    );
    await until(async () => running === 1, 1000);
    expect(await leasesFree()).toBe(1);
    current.fail(new Error('render failed'));
    expect(await failing).toBe('ABORTED');
    await until(async () => (await leasesFree()) === 2, 1000);
  });

  it('frees the lease when the caller gives up (deadline exceeded)', async () => {
    const abandoned = echoWithDeadline(server, 300);
    await until(async () => running === 1, 1000);
    expect(await abandoned).toBe('DEADLINE_EXCEEDED');
    // The handler is still waiting at the gate; the lease went back when the call was cancelled.
    await until(async () => (await leasesFree()) === 2, 1000);
    expect(running).toBe(1);
  });

  it('never caches a concurrency refusal, even on a replica that has not admitted a call yet', async () => {
    const otherLimiter = rateLimit({
      client: limits.client,
      domain: 'leases',
      timeoutMs: 1000,
      descriptors: () => [job],
    });
    const other = await startEchoServer([otherLimiter], [], () => current.passed);
    try {
      const running2 = [server.call('Echo'), server.call('Echo')];
      await until(async () => running === 2, 1000);
      const refused = await other.call('Echo').then(
        () => 'served',
        (error: ServiceError) => status[error.code],
      );
      expect(refused).toBe('RESOURCE_EXHAUSTED');
      current.open();
      await Promise.all(running2);
      await until(async () => (await leasesFree()) === 2, 1000);
      // The refusal's retry time is the leases' 30 s TTL; the released capacity is usable at once.
      await expect(other.call('Echo')).resolves.toBeTruthy();
      expect(otherLimiter.stats().refusedLocally).toBe(0);
    } finally {
      await other.stop();
      otherLimiter.close();
    }
  });

  it('gives back a lease granted after the caller already gave up', async () => {
    // A rate-limit client whose answers arrive 300 ms late: the caller's 100 ms deadline passes first.
    const slow = Object.create(limits.client) as typeof limits.client;
    slow.checkLimit = ((
      request: never,
      metadata: never,
      _options: never,
      callback: (...a: unknown[]) => void,
    ) =>
      limits.client.checkLimit(request, metadata, { deadline: Date.now() + 5000 }, (...answer: unknown[]) =>
        setTimeout(() => callback(...answer), 300),
      )) as typeof slow.checkLimit;
    const lateLimiter = rateLimit({
      client: slow,
      domain: 'leases',
      timeoutMs: 5000,
      descriptors: () => [job],
    });
    const late = await startEchoServer([lateLimiter], [], () => current.passed);
    try {
      const gaveUp = await echoWithDeadline(late, 100);
      expect(gaveUp).toBe('DEADLINE_EXCEEDED');
      // The lease was taken (300 ms later) and handed back as soon as it arrived.
      await until(async () => (await leasesFree()) === 2, 1500);
      expect(running).toBe(0);
    } finally {
      await late.stop();
      lateLimiter.close();
    }
  });

  it('decides concurrent arrivals one lease each: never more running than the limit', async () => {
    const outcomes = Array.from({ length: 8 }, () =>
      server.call('Echo').then(
        () => 'served',
        (error: ServiceError) => status[error.code],
      ),
    );
    await until(async () => running === 2, 1000);
    current.open();
    const settled = await Promise.all(outcomes);
    expect(settled.filter((outcome) => outcome === 'served')).toHaveLength(2);
    expect(settled.filter((outcome) => outcome === 'RESOURCE_EXHAUSTED')).toHaveLength(6);
  });
});
