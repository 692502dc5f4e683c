import { credentials, Metadata, status, type Client } from '@grpc/grpc-js';
import { authV1, budgetV1, grpcHealthV1, healthV1, ratelimitV1, serviceNames } from '@gatehouse/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { startAuthApp } from '../../services/auth/src/app';
import { startCostBudgetApp } from '../../services/cost-budget/src/app';
import { startHealthApp } from '../../services/health/src/app';
import { startRateLimitApp } from '../../services/rate-limit/src/app';
import { callError, unaryCall } from '../support/grpc-call';
import { startServiceInProcess, type Backend, type StartedService } from '../support/start-service';

const insecure = credentials.createInsecure();

/** Calls `method` on a fresh client of `Ctor` and closes the client afterwards. */
function probe<C extends Client>(
  Ctor: new (address: string, creds: typeof insecure) => C,
  call: (client: C) => Promise<unknown>,
) {
  return async (address: string) => {
    const client = new Ctor(address, insecure);
    try {
      return await call(client);
    } finally {
      client.close();
    }
  };
}

const services = [
  {
    name: 'auth',
    start: startAuthApp,
    fullName: serviceNames.auth,
    stores: { embedded: ['pglite', 'memory'], real: ['postgres', 'redis'] },
    unbuilt: probe(authV1.AuthServiceClient, (c) =>
      unaryCall(c, c.login, { email: 'a@b.c', password: 'x' }, new Metadata()),
    ),
    path: '/gatehouse.auth.v1.AuthService/Login',
  },
  {
    name: 'rate-limit',
    start: startRateLimitApp,
    fullName: serviceNames.rateLimit,
    stores: { embedded: ['memory'], real: ['redis'] },
    unbuilt: probe(ratelimitV1.RateLimitServiceClient, (c) =>
      unaryCall(c, c.checkLimit, { domain: 'd', descriptors: [] }, new Metadata()),
    ),
    path: '/gatehouse.ratelimit.v1.RateLimitService/CheckLimit',
  },
  {
    name: 'cost-budget',
    start: startCostBudgetApp,
    fullName: serviceNames.costBudget,
    stores: { embedded: ['pglite', 'memory'], real: ['postgres', 'redis'] },
    unbuilt: probe(budgetV1.CostBudgetServiceClient, (c) =>
      unaryCall(c, c.getBudget, { scope: undefined }, new Metadata()),
    ),
    path: '/gatehouse.budget.v1.CostBudgetService/GetBudget',
  },
  {
    name: 'health',
    start: startHealthApp,
    fullName: serviceNames.health,
    stores: { embedded: [], real: [] },
    unbuilt: probe(healthV1.HealthServiceClient, (c) => unaryCall(c, c.getClusterHealth, {}, new Metadata())),
    path: '/gatehouse.health.v1.HealthService/GetClusterHealth',
  },
] as const;

const started: StartedService[] = [];
afterAll(async () => {
  await Promise.all(started.map((service) => service.stop()));
});

describe.each(['embedded', 'real'] as Backend[])('each service on %s stores', (backend) => {
  it.each(services)(
    '$name starts, reports SERVING with its store checks, and answers UNIMPLEMENTED',
    async (svc) => {
      const service = await startServiceInProcess(svc.name, svc.start, { backend });
      started.push(service);
      const address = `127.0.0.1:${service.host.grpcPort}`;

      const health = new grpcHealthV1.HealthClient(address, credentials.createInsecure());
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

      const error = await callError(svc.unbuilt(address));
      expect(error.code).toBe(status.UNIMPLEMENTED);
      expect(error.details).toBe(`${svc.path} is not implemented yet`);
    },
  );
});
