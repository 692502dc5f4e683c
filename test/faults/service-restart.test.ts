import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratelimitV1 } from '@gatehouse/contracts';
import { descriptor, rateLimit, type RateLimitInterceptor } from '@gatehouse/interceptors';
import { startEchoServer, type EchoServer } from '../support/echo-server';
import { describeLoad, runLoad } from '../support/load';
import { freePort, spawnService, type SpawnedService } from '../support/spawned-service';

const rules = `
domain: guarded
descriptors: [{ key: user, rate_limit: { unit: hour, requests_per_unit: 1000000 } }]
`;
const cooldownMs = 300;

describe('rate-limit killed and restarted under load: callers reconnect, the breaker opens and closes', () => {
  let dir: string;
  let port: number;
  let service: SpawnedService;
  let limiter: RateLimitInterceptor;
  let protectedServer: EchoServer;
  let direct: ratelimitV1.RateLimitServiceClient;
  const fallbacks: number[] = [];
  const began = performance.now();
  const now = () => performance.now() - began;

  const start = () =>
    spawnService('services/rate-limit', {
      grpcPort: port,
      env: { RATELIMIT_CONFIG: join(dir, 'rules.yaml') },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-restart-'));
    writeFileSync(join(dir, 'rules.yaml'), rules);
    port = await freePort();
    service = await start();
    limiter = rateLimit({
      rateLimitAddress: `127.0.0.1:${port}`,
      domain: 'guarded',
      descriptors: () => [descriptor(['user', 'caller'])],
      // Generous: on a busy 2-core machine a healthy CheckLimit can take 200 ms; refusals come at once.
      timeoutMs: 1000,
      breakerThreshold: 3,
      breakerCooldownMs: cooldownMs,
      coalesce: false,
      onFallback: () => fallbacks.push(now()),
    });
    protectedServer = await startEchoServer([limiter]);
    direct = new ratelimitV1.RateLimitServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(async () => {
    direct?.close();
    await protectedServer?.stop();
    limiter?.close();
    await service?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const checkDirect = () =>
    new Promise<ratelimitV1.CheckLimitResponse>((resolve, reject) =>
      direct.checkLimit(
        ratelimitV1.CheckLimitRequest.fromPartial({
          domain: 'guarded',
          descriptors: [{ entries: [{ key: 'user', value: 'direct' }] }],
          hits: 1,
        }),
        new Metadata(),
        { deadline: Date.now() + 2000 },
        (error, response) => (error ? reject(error) : resolve(response)),
      ),
    );

  it('serves every protected call (fail-open) while the service is gone, and counts again after it returns', async () => {
    expect((await checkDirect()).allowed).toBe(true);
    const breaker: { open: boolean; atMs: number }[] = [];
    const sampler = setInterval(() => {
      const open = limiter.stats().breakerOpen;
      if (breaker.at(-1)?.open !== open) breaker.push({ open, atMs: now() });
    }, 10);
    let killedAtMs = 0;
    let restartedAtMs = 0;
    const outage = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      killedAtMs = now();
      await service.kill();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      service = await start();
      restartedAtMs = now();
    })();
    const limited: { atMs: number; counted: boolean }[] = [];
    const result = await runLoad({
      concurrency: 4,
      durationMs: 30_000,
      until: () => restartedAtMs > 0 && now() > restartedAtMs + 2000,
      call: async () => {
        const { headers } = await protectedServer.call();
        limited.push({ atMs: now(), counted: headers.get('x-ratelimit-remaining').length > 0 });
      },
    });
    await outage;
    clearInterval(sampler);
    const recovered = await checkDirect();
    console.log(
      `rate-limit killed at ${killedAtMs.toFixed(0)} ms, back at ${restartedAtMs.toFixed(0)} ms: protected calls ${describeLoad(result)}; ` +
        `fallbacks ${fallbacks.length}; breaker opened ${breaker.filter((b) => b.open).length} times, ` +
        `first at ${breaker.find((b) => b.open)?.atMs.toFixed(0)} ms, closed for good at ${breaker.at(-1)?.atMs.toFixed(0)} ms`,
    );

    // Fail-open: no protected call failed because the rate-limit service was gone.
    expect(result.byCode).toEqual({ OK: result.calls });
    // The breaker opened after the kill and closed once the service was back.
    const opened = breaker.find((b) => b.open && b.atMs >= killedAtMs);
    expect(opened).toBeDefined();
    expect(breaker.at(-1)?.open).toBe(false);
    // (The service may answer a moment before the test's own readiness poll notices it.)
    const lastOpened = breaker.findLast((b) => b.open);
    expect(lastOpened!.atMs).toBeLessThan(restartedAtMs + cooldownMs + 500);
    // Fallbacks happened only during the outage (plus at most one cooldown after it).
    expect(fallbacks.length).toBeGreaterThan(0);
    expect(fallbacks.every((at) => at >= killedAtMs && at <= restartedAtMs + cooldownMs + 500)).toBe(true);
    // The channels reconnected by themselves: calls are counted by the service again.
    const late = limited.filter((l) => l.atMs > restartedAtMs + cooldownMs + 500);
    expect(late.length).toBeGreaterThan(10);
    expect(late.every((l) => l.counted)).toBe(true);
    expect(recovered).toMatchObject({ allowed: true, fallback: false });
  }, 45_000);
});
