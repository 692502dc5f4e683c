import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcHealthV1, ratelimitV1 } from '@gatehouse/contracts';
import { dropKeys } from '../../services/rate-limit/src/test-support/start-rate-limit';
import { describeLoad, runLoad, summarize } from '../support/load';
import { freePort, spawnService, type SpawnedService } from '../support/spawned-service';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { testRedisUrl, uniqueName } from '../support/test-env';

const rules = `
domain: drain
descriptors: [{ key: user, rate_limit: { unit: hour, requests_per_unit: 1000000 } }]
`;
const graceMs = 3000;
// Every Redis round trip takes this long, so calls are surely in flight when the signal comes.
const redisLatencyMs = 150;

describe('SIGTERM during load: the compiled rate-limit service drains and exits', () => {
  let proxy: TcpProxy;
  let service: SpawnedService;
  let dir: string;
  const keyPrefix = `${uniqueName('drain')}:`;

  beforeAll(async () => {
    const redis = new URL(testRedisUrl);
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-drain-'));
    writeFileSync(join(dir, 'rules.yaml'), rules);
    service = await spawnService('services/rate-limit', {
      grpcPort: await freePort(),
      env: {
        RATELIMIT_CONFIG: join(dir, 'rules.yaml'),
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        REDIS_KEY_PREFIX: keyPrefix,
        RATELIMIT_STORE_TIMEOUT_MS: '2000',
        SHUTDOWN_GRACE_MS: String(graceMs),
      },
    });
    proxy.delay(redisLatencyMs);
  });
  afterAll(async () => {
    await service?.kill();
    await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
    await dropKeys(keyPrefix);
  });

  it('finishes every in-flight call, refuses new ones UNAVAILABLE, goes NOT_SERVING first, exits 0 in the grace period', async () => {
    const client = new ratelimitV1.RateLimitServiceClient(service.address, credentials.createInsecure());
    const health = new grpcHealthV1.HealthClient(service.address, credentials.createInsecure());
    const began = performance.now();
    const statuses: { status: string; atMs: number }[] = [];
    const watch = health.watch({ service: '' });
    watch.on('data', (response: grpcHealthV1.HealthCheckResponse) =>
      statuses.push({
        status: grpcHealthV1.HealthCheckResponse_ServingStatus[response.status] ?? 'UNKNOWN',
        atMs: performance.now() - began,
      }),
    );
    watch.on('error', () => undefined);

    let exitedAtMs: number | undefined;
    void service.exited.then(() => (exitedAtMs = performance.now() - began));
    let signalledAtMs = 0;
    setTimeout(() => {
      signalledAtMs = performance.now() - began;
      void service.stop();
    }, 800);

    const answers: ratelimitV1.CheckLimitResponse[] = [];
    const loadStartedAt = performance.now() - began;
    const result = await runLoad({
      concurrency: 8,
      durationMs: 4000,
      until: () => exitedAtMs !== undefined && performance.now() - began > exitedAtMs + 300,
      call: (i) =>
        new Promise((resolve, reject) =>
          client.checkLimit(
            ratelimitV1.CheckLimitRequest.fromPartial({
              domain: 'drain',
              descriptors: [{ entries: [{ key: 'user', value: `u${i % 20}` }] }],
              hits: 1,
            }),
            new Metadata(),
            { deadline: Date.now() + 2000 },
            (error, response) => {
              if (error) return reject(error);
              answers.push(response);
              resolve(response);
            },
          ),
        ),
    });
    const exitCode = await service.exited;
    client.close();
    health.close();
    const offset = (o: { startMs: number; endMs: number; code: string }) => ({
      ...o,
      startMs: o.startMs + loadStartedAt,
      endMs: o.endMs + loadStartedAt,
    });
    const outcomes = result.outcomes.map(offset);
    const inFlight = outcomes.filter((o) => o.startMs < signalledAtMs && o.endMs > signalledAtMs);
    const afterSignal = outcomes.filter((o) => o.startMs > signalledAtMs + 50);
    console.log(
      `SIGTERM drain: ${describeLoad(result)}; in flight at the signal ${inFlight.length} -> ${JSON.stringify(summarize(inFlight).byCode)}; ` +
        `started after ${afterSignal.length} -> ${JSON.stringify(summarize(afterSignal).byCode)}; ` +
        `health ${JSON.stringify(statuses)}; signal at ${signalledAtMs.toFixed(0)} ms, exit ${String(exitCode)} at ${exitedAtMs?.toFixed(0)} ms`,
    );

    expect(exitCode).toBe(0);
    expect(exitedAtMs! - signalledAtMs).toBeLessThan(graceMs + 1000);
    // Every call in flight when the signal came finished normally, with a real store decision.
    expect(inFlight.length).toBeGreaterThanOrEqual(4);
    expect(summarize(inFlight).byCode).toEqual({ OK: inFlight.length });
    expect(answers.every((a) => a.allowed && !a.fallback)).toBe(true);
    // Calls started once draining had begun were refused as unavailable, nothing else.
    expect(afterSignal.length).toBeGreaterThan(0);
    expect(summarize(afterSignal).byCode).toEqual({ UNAVAILABLE: afterSignal.length });
    // Health went NOT_SERVING after the signal and before the process ended.
    const notServing = statuses.find((s) => s.status === 'NOT_SERVING');
    expect(statuses[0]?.status).toBe('SERVING');
    expect(notServing).toBeDefined();
    expect(notServing!.atMs).toBeGreaterThanOrEqual(signalledAtMs);
    expect(notServing!.atMs).toBeLessThan(exitedAtMs!);
    expect(service.output()).toContain('shutting down: NOT_SERVING, draining calls');
  });
});
