import { credentials, Metadata } from '@grpc/grpc-js';
import type { CommonConfig, Env } from '@gatehouse/config';
import { grpcHealthV1, serviceNames } from '@gatehouse/contracts';
import type { Logger, ServiceHost } from '@gatehouse/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { startAuthApp } from '../../services/auth/src/app';
import { readAuthConfig } from '../../services/auth/src/config';
import { startCostBudgetApp } from '../../services/cost-budget/src/app';
import { readCostBudgetConfig } from '../../services/cost-budget/src/config';
import { startHealthApp } from '../../services/health/src/app';
import { readHealthConfig } from '../../services/health/src/config';
import { startRateLimitApp } from '../../services/rate-limit/src/app';
import { readRateLimitConfig } from '../../services/rate-limit/src/config';
import { unaryCall } from '../support/grpc-call';
import { startServiceInProcess, type Backend, type StartedService } from '../support/start-service';

interface ServiceUnderTest<C extends CommonConfig> {
  name: string;
  fullName: string;
  readConfig: (env: Env) => C;
  start: (config: C, logger: Logger) => Promise<ServiceHost>;
  /** Readiness checks expected on each backend. */
  stores: Record<Backend, string[]>;
  /** Settings the service requires beyond the stores'. */
  env?: Env;
}

const define = <C extends CommonConfig>(service: ServiceUnderTest<C>) =>
  service as unknown as ServiceUnderTest<CommonConfig>;

// Each service through its real config reader and composition root, as main.ts runs them.
const services = [
  define({
    name: 'auth',
    fullName: serviceNames.auth,
    readConfig: readAuthConfig,
    start: startAuthApp,
    stores: { embedded: ['pglite', 'memory'], real: ['postgres', 'redis'], cluster: ['postgres', 'redis'] },
    env: { AUTH_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
  }),
  define({
    name: 'rate-limit',
    fullName: serviceNames.rateLimit,
    readConfig: readRateLimitConfig,
    start: startRateLimitApp,
    stores: { embedded: ['memory'], real: ['redis', 'redis-config'], cluster: ['redis', 'redis-config'] },
  }),
  define({
    name: 'cost-budget',
    fullName: serviceNames.costBudget,
    readConfig: readCostBudgetConfig,
    start: startCostBudgetApp,
    stores: { embedded: ['pglite', 'memory'], real: ['postgres', 'redis'], cluster: ['postgres', 'redis'] },
  }),
  define({
    name: 'health',
    fullName: serviceNames.health,
    readConfig: readHealthConfig,
    start: startHealthApp,
    stores: { embedded: [], real: [], cluster: [] },
  }),
];

const started: StartedService[] = [];
afterAll(async () => {
  await Promise.all(started.map((service) => service.stop()));
});

describe.each(['embedded', 'real', 'cluster'] as Backend[])('each service on %s stores', (backend) => {
  it.each(services)('$name starts and reports SERVING with its store checks', async (svc) => {
    const service = await startServiceInProcess(svc.name, svc.start, {
      backend,
      readConfig: svc.readConfig,
      env: svc.env,
    });
    started.push(service);

    const health = new grpcHealthV1.HealthClient(
      `127.0.0.1:${service.host.grpcPort}`,
      credentials.createInsecure(),
    );
    const check: grpcHealthV1.HealthCheckResponse = await unaryCall(
      health,
      health.check,
      { service: svc.fullName },
      new Metadata(),
    );
    health.close();
    expect(check.status).toBe(grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING);

    const readyz = await fetch(`http://127.0.0.1:${service.host.opsPort}/readyz`);
    const body = (await readyz.json()) as { ready: boolean; checks: { name: string; ok: boolean }[] };
    expect(readyz.status).toBe(200);
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual(svc.stores[backend].map((name) => [name, true]));
  });
});
