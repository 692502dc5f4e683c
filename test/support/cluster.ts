import { createLogger, type ServiceHost } from '@gatehouse/runtime';
import { authV1 } from '@gatehouse/contracts';
import { goodPassword, startAuth, type StartedAuth } from '../../services/auth/src/test-support/start-auth';
import {
  startBudgetTestService,
  type BudgetTestService,
} from '../../services/cost-budget/src/test-support/budget-test-service';
import {
  startRateLimit,
  type RateLimitUnderTest,
} from '../../services/rate-limit/src/test-support/start-rate-limit';
import { startHealthApp } from '../../services/health/src/app';
import { readHealthConfig } from '../../services/health/src/config';

/** The four services wired as in production (cost-budget asks auth who calls), with two signed-in callers. */
export interface TestCluster {
  auth: StartedAuth;
  rateLimit: RateLimitUnderTest;
  budget: BudgetTestService;
  health: ServiceHost;
  /** gRPC address of each service, by short name. */
  addresses: Record<'auth' | 'rateLimit' | 'costBudget' | 'health', string>;
  /** Access tokens: a plain user's and an admin's. */
  tokens: { user: string; admin: string };
  stop(): Promise<void>;
}

const clusterRules = `
domain: gatehouse
descriptors: [{ key: user, rate_limit: { unit: second, requests_per_unit: 100000 } }]
`;

export const clusterAdmin = { email: 'admin@cluster.test', password: goodPassword };
export const clusterUser = { email: 'user@cluster.test', password: goodPassword };

/** Starts auth and cost-budget on real PostgreSQL + Redis, rate-limit on memory, health watching them. */
export async function startTestCluster(): Promise<TestCluster> {
  const auth = await startAuth({
    backend: 'real',
    env: {
      GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: clusterAdmin.email,
      GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: clusterAdmin.password,
    },
  });
  const rateLimit = await startRateLimit({ rules: clusterRules, env: { RATELIMIT_AUTH_ADDR: auth.address } });
  const budget = await startBudgetTestService({ backend: 'real', authAddress: auth.address });
  const health = await startHealthApp(
    readHealthConfig({
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      OPS_HOST: '127.0.0.1',
      OPS_PORT: '0',
      LOG_LEVEL: 'silent',
      HEALTH_POLL_INTERVAL_MS: '500',
      HEALTH_PROBE_TIMEOUT_MS: '500',
      HEALTH_HEARTBEAT_MS: '300',
      HEALTH_AUTH_ADDR: auth.address,
      HEALTH_AUTH_OPS_URL: `http://127.0.0.1:${auth.service.host.opsPort}`,
      HEALTH_RATE_LIMIT_ADDR: rateLimit.address,
      HEALTH_RATE_LIMIT_OPS_URL: `http://127.0.0.1:${rateLimit.host.opsPort}`,
      HEALTH_COST_BUDGET_ADDR: `127.0.0.1:${budget.service.host.grpcPort}`,
      HEALTH_COST_BUDGET_OPS_URL: `http://127.0.0.1:${budget.service.host.opsPort}`,
    }),
    createLogger({ service: 'health', level: 'silent' }),
  );
  await auth.call('register', authV1.RegisterRequest.fromPartial({ ...clusterUser, displayName: 'User' }));
  const login = (who: { email: string; password: string }) =>
    auth.call<authV1.LoginRequest, authV1.TokenPair>('login', authV1.LoginRequest.fromPartial(who));
  const tokens = {
    user: (await login(clusterUser)).accessToken,
    admin: (await login(clusterAdmin)).accessToken,
  };
  return {
    auth,
    rateLimit,
    budget,
    health,
    addresses: {
      auth: auth.address,
      rateLimit: rateLimit.address,
      costBudget: `127.0.0.1:${budget.service.host.grpcPort}`,
      health: `127.0.0.1:${health.grpcPort}`,
    },
    tokens,
    stop: async () => {
      await health.shutdown();
      await budget.stop();
      await rateLimit.stop();
      await auth.stop();
    },
  };
}
