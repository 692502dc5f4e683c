import { authV1, serviceNames } from '@gatehouse/contracts';
import { createLogger, hostedService, startServiceHost, type ServiceHost } from '@gatehouse/runtime';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy';
import { testCommonConfig } from '../../../../test/support/test-config';
import { testDatabaseUrl, testRedisUrl } from '../../../../test/support/test-env';
import { startHealthApp } from '../app';
import { readHealthConfig } from '../config';

/** What a test can break: the watched service's critical and non-critical dependencies, and Redis. */
export interface Faults {
  databaseDown: boolean;
  cacheDown: boolean;
}

export interface WatchedCluster {
  faults: Faults;
  /** A service standing in for auth, with dependency checks the test controls. */
  auth: ServiceHost;
  /** The health service under test. */
  health: ServiceHost;
  /** Between the health service and the real Redis: stop() plays a Redis outage. */
  redisProxy: TcpProxy;
  stop(): Promise<void>;
}

/** Starts a stand-in auth service, a proxied Redis and the health service watching them. */
export async function startWatchedCluster(): Promise<WatchedCluster> {
  const faults: Faults = { databaseDown: false, cacheDown: false };
  const logger = createLogger({ service: 'test', level: 'silent' });
  const auth = await startServiceHost({
    config: testCommonConfig(),
    logger,
    services: [hostedService(serviceNames.auth, authV1.AuthServiceService, {})],
    readinessIntervalMs: 100,
    readinessChecks: [
      {
        name: 'postgres',
        check: async () => failIf(faults.databaseDown, 'connect ECONNREFUSED 10.0.0.9:5432'),
      },
      {
        name: 'redis',
        critical: false,
        check: async () => failIf(faults.cacheDown, 'Connection is closed.'),
      },
    ],
  });
  const redis = new URL(testRedisUrl);
  const redisProxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  const config = readHealthConfig({
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    OPS_HOST: '127.0.0.1',
    OPS_PORT: '0',
    LOG_LEVEL: 'silent',
    HEALTH_POLL_INTERVAL_MS: '150',
    HEALTH_PROBE_TIMEOUT_MS: '500',
    HEALTH_HEARTBEAT_MS: '300',
    HEALTH_AUTH_ADDR: `127.0.0.1:${auth.grpcPort}`,
    HEALTH_AUTH_OPS_URL: `http://127.0.0.1:${auth.opsPort}`,
    HEALTH_RATE_LIMIT_ADDR: 'off',
    HEALTH_COST_BUDGET_ADDR: 'off',
    DATABASE_URL: testDatabaseUrl,
    REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
  });
  const health = await startHealthApp(config, logger);
  return {
    faults,
    auth,
    health,
    redisProxy,
    stop: async () => {
      await health.shutdown();
      await auth.shutdown();
      await redisProxy.stop();
    },
  };
}

function failIf(condition: boolean, message: string): void {
  if (condition) throw new Error(message);
}
