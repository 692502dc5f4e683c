import { describe, expect, it } from 'vitest';
import { planLaunches } from './launch-plan';
import { exampleService, serviceCatalog } from './service-catalog';

const plan = (env: Record<string, string>, ephemeralPorts = false) =>
  planLaunches({
    services: serviceCatalog,
    env,
    ephemeralPorts,
    repoRoot: '/repo',
    nodePath: '/usr/bin/node',
  });

describe('planLaunches', () => {
  it('runs each service from its built entry point with its own ports', () => {
    const launches = plan({ PATH: '/bin' });
    expect(launches.map((l) => [l.name, l.args[0], l.env.GRPC_PORT, l.env.OPS_PORT])).toEqual([
      ['auth', '/repo/services/auth/dist/main.js', '50051', '8081'],
      ['rate-limit', '/repo/services/rate-limit/dist/main.js', '50052', '8082'],
      ['cost-budget', '/repo/services/cost-budget/dist/main.js', '50053', '8083'],
      ['health', '/repo/services/health/dist/main.js', '50054', '8084'],
    ]);
  });

  it('runs the example from its own folder with its own ports', () => {
    const [notes] = planLaunches({
      services: [exampleService],
      env: {},
      ephemeralPorts: false,
      repoRoot: '/repo',
      nodePath: '/usr/bin/node',
    });
    expect([notes?.args[0], notes?.env.GRPC_PORT, notes?.env.OPS_PORT]).toEqual([
      '/repo/examples/notes/dist/main.js',
      '50060',
      '8090',
    ]);
  });

  it('points the health service at peers whose ports were moved', () => {
    const health = plan({ GATEHOUSE_AUTH_GRPC_PORT: '6051', GATEHOUSE_AUTH_OPS_PORT: '7081' }).find(
      (l) => l.name === 'health',
    )!;
    expect(health.env.HEALTH_AUTH_ADDR).toBe('127.0.0.1:6051');
    expect(health.env.HEALTH_AUTH_OPS_URL).toBe('http://127.0.0.1:7081');
    expect(health.env.HEALTH_RATE_LIMIT_ADDR).toBe('127.0.0.1:50052');
  });

  it('keeps addresses the user gave the health service, and leaves ephemeral ports alone', () => {
    const given = plan({ HEALTH_AUTH_ADDR: 'auth.internal:50051' }).find((l) => l.name === 'health')!;
    expect(given.env.HEALTH_AUTH_ADDR).toBe('auth.internal:50051');
    const ephemeral = plan({}, true).find((l) => l.name === 'health')!;
    expect(ephemeral.env.HEALTH_AUTH_ADDR).toBeUndefined();
  });

  it('points the admin checks of rate-limit and cost-budget at auth, unless told otherwise', () => {
    const env = (launches: ReturnType<typeof plan>, name: string) =>
      launches.find((l) => l.name === name)!.env;
    const moved = plan({ GATEHOUSE_AUTH_GRPC_PORT: '6051' });
    expect(env(moved, 'rate-limit').RATELIMIT_AUTH_ADDR).toBe('127.0.0.1:6051');
    expect(env(moved, 'cost-budget').BUDGET_AUTH_ADDR).toBe('127.0.0.1:6051');
    expect(env(plan({}), 'rate-limit').RATELIMIT_AUTH_ADDR).toBe('127.0.0.1:50051');
    const given = plan({ RATELIMIT_AUTH_ADDR: 'auth.internal:50051' });
    expect(env(given, 'rate-limit').RATELIMIT_AUTH_ADDR).toBe('auth.internal:50051');
    expect(env(plan({}, true), 'rate-limit').RATELIMIT_AUTH_ADDR).toBeUndefined();
  });
});
