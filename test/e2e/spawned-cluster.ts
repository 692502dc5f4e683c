import { credentials, Metadata } from '@grpc/grpc-js';
import { budgetV1, ratelimitV1 } from '@gatehouse/contracts';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { unaryCall } from '../support/grpc-call';
import { repoPath, spawnService, type SpawnedService } from '../support/spawned-service';
import { testDatabaseUrl, testRedisUrl, uniqueName } from '../support/test-env';

/** auth, rate-limit, cost-budget and the notes example wired to each other, each its own process. */
export interface SpawnedCluster {
  auth: SpawnedService;
  rateLimit: SpawnedService;
  costBudget: SpawnedService;
  notes: SpawnedService;
  /** Present when asked for: watching the three services, PostgreSQL and Redis. */
  health?: SpawnedService;
  all: SpawnedService[];
  /** Stops every process (flushing their spans), then drops the schemas and Redis keys they used. */
  stop(): Promise<void>;
}

export interface SpawnedClusterOptions {
  /** Extra environment of every process, e.g. the OTEL_* variables. */
  env?: Record<string, string>;
  /** Also start the health service. */
  health?: boolean;
}

const shippedRules = repoPath('services/rate-limit/config/gatehouse.yaml');

/**
 * Starts the cluster on the real PostgreSQL and Redis of the tests, isolated by a schema and key
 * prefix per service, with bcrypt at its test cost, and warms it up (see warmUp).
 */
export async function startSpawnedCluster(options: SpawnedClusterOptions = {}): Promise<SpawnedCluster> {
  const isolations: string[] = [];
  const storesOf = (service: string) => {
    const isolation = uniqueName(service);
    isolations.push(isolation);
    return {
      DATABASE_URL: testDatabaseUrl,
      DATABASE_SCHEMA: isolation,
      REDIS_URL: testRedisUrl,
      REDIS_KEY_PREFIX: `${isolation}:`,
    };
  };
  const env = options.env ?? {};
  const started: SpawnedService[] = [];
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop()));
    await dropIsolations(isolations);
  };
  try {
    const auth = await spawnService('services/auth', {
      env: {
        ...env,
        ...storesOf('auth'),
        AUTH_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        BCRYPT_COST: '4',
        AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS: 'true',
      },
    });
    started.push(auth);
    const [rateLimit, costBudget] = await Promise.all([
      spawnService('services/rate-limit', {
        env: {
          ...env,
          ...storesOf('rate-limit'),
          RATELIMIT_CONFIG: shippedRules,
          RATELIMIT_AUTH_ADDR: auth.address,
        },
      }),
      spawnService('services/cost-budget', {
        env: { ...env, ...storesOf('cost-budget'), BUDGET_AUTH_ADDR: auth.address },
      }),
    ]);
    started.push(rateLimit, costBudget);
    const notes = await spawnService('examples/notes', {
      env: {
        ...env,
        NOTES_AUTH_ADDR: auth.address,
        NOTES_RATE_LIMIT_ADDR: rateLimit.address,
        NOTES_BUDGET_ADDR: costBudget.address,
        NOTES_RATE_LIMIT_TIMEOUT_MS: '2000',
      },
    });
    started.push(notes);
    const health = options.health
      ? await spawnService('services/health', {
          env: {
            ...env,
            DATABASE_URL: testDatabaseUrl,
            REDIS_URL: testRedisUrl,
            HEALTH_POLL_INTERVAL_MS: '500',
            HEALTH_AUTH_ADDR: auth.address,
            HEALTH_AUTH_OPS_URL: auth.opsUrl,
            HEALTH_RATE_LIMIT_ADDR: rateLimit.address,
            HEALTH_RATE_LIMIT_OPS_URL: rateLimit.opsUrl,
            HEALTH_COST_BUDGET_ADDR: costBudget.address,
            HEALTH_COST_BUDGET_OPS_URL: costBudget.opsUrl,
          },
        })
      : undefined;
    if (health !== undefined) started.push(health);
    await warmUp({ rateLimit, costBudget });
    return { auth, rateLimit, costBudget, notes, health, all: started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function dropIsolations(isolations: readonly string[]): Promise<void> {
  const pg = new Client({ connectionString: testDatabaseUrl });
  await pg.connect();
  for (const isolation of isolations) await pg.query(`DROP SCHEMA IF EXISTS ${isolation} CASCADE`);
  await pg.end();
  const redis = new Redis(testRedisUrl);
  for (const isolation of isolations) {
    const keys = await redis.keys(`${isolation}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
}

/**
 * One call to rate-limit and cost-budget on keys of their own (an API key scope no test uses) before
 * the calls under test: the first
 * calls of a fresh process (pool connections, lazy compilation) can outlast the example's
 * deadlines on a busy machine.
 */
async function warmUp(cluster: Pick<SpawnedCluster, 'rateLimit' | 'costBudget'>): Promise<void> {
  const limits = new ratelimitV1.RateLimitServiceClient(
    cluster.rateLimit.address,
    credentials.createInsecure(),
  );
  await unaryCall(
    limits,
    limits.checkLimit,
    {
      domain: 'gatehouse',
      descriptors: [{ entries: [{ key: 'user', value: 'warm-up' }], limit: undefined }],
      hits: 0,
    },
    new Metadata(),
  );
  limits.close();
  const budgets = new budgetV1.CostBudgetServiceClient(
    cluster.costBudget.address,
    credentials.createInsecure(),
  );
  const { reservationId } = await unaryCall<budgetV1.ReserveRequest, budgetV1.ReserveResponse>(
    budgets,
    budgets.reserve,
    {
      idempotencyKey: 'warm-up',
      scopes: [{ kind: budgetV1.ScopeKind.SCOPE_KIND_API_KEY, id: 'warm-up' }],
      amountMicros: 1n,
      ttlSeconds: 60,
      description: 'warm-up',
    },
    new Metadata(),
  );
  await unaryCall(budgets, budgets.release, { reservationId }, new Metadata());
  budgets.close();
}
