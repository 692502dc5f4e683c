import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropIsolation, storeEnvOf, type Backend } from '../../support/start-service';
import { repoPath, spawnService, type SpawnedService } from '../../support/spawned-service';
import { uniqueName } from '../../support/test-env';

export const adminEmail = 'admin@walkthrough.test';
export const adminPassword = 'Walkthrough-Adm1n-Passw0rd!';

/** The four services and the notes example, each its own process on ephemeral loopback ports. */
export interface WalkthroughCluster {
  auth: SpawnedService;
  rateLimit: SpawnedService;
  costBudget: SpawnedService;
  health: SpawnedService;
  notes: SpawnedService;
  /** Stops every process, then removes the data directory / drops the schemas and Redis keys. */
  stop(): Promise<void>;
}

/**
 * Starts the cluster on the embedded stores (no DATABASE_URL / REDIS_URL: PGlite in a temporary
 * data directory and in-process key-value stores) or on the real PostgreSQL and Redis (or the Redis
 * Cluster), where each service gets its own schema and key prefix for this run. The rate-limit service runs the shipped
 * rules (services/rate-limit/config/gatehouse.yaml) unless `rateLimitRules` names another file;
 * `notesEnv` adds to the example's environment.
 */
export async function startWalkthroughCluster(
  backend: Backend,
  options: { rateLimitRules?: string; notesEnv?: Record<string, string> } = {},
): Promise<WalkthroughCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-walkthrough-'));
  const isolations: string[] = [];
  const storesOf = (service: string): Record<string, string> => {
    const isolation = uniqueName(`walk_${service}`);
    if (backend !== 'embedded') isolations.push(isolation);
    return storeEnvOf(backend, isolation, dataDir);
  };
  const running: SpawnedService[] = [];
  const spawnOne = async (workspace: string, env: Record<string, string>) => {
    const service = await spawnService(workspace, {
      env: { SHUTDOWN_GRACE_MS: '1000', ...env },
      // Generous: several processes start at once, the embedded ones creating PGlite databases.
      startTimeoutMs: 90_000,
    });
    running.push(service);
    return service;
  };
  const stop = async () => {
    await Promise.all(running.map((service) => service.stop()));
    rmSync(dataDir, { recursive: true, force: true });
    for (const isolation of isolations) await dropIsolation(isolation, backend);
  };

  try {
    const [auth, rateLimit] = await Promise.all([
      spawnOne('services/auth', {
        ...storesOf('auth'),
        BCRYPT_COST: '4',
        AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS: 'true',
        AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: adminEmail,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      }),
      spawnOne('services/rate-limit', {
        ...storesOf('rate_limit'),
        RATELIMIT_CONFIG: options.rateLimitRules ?? repoPath('services/rate-limit/config/gatehouse.yaml'),
      }),
    ]);
    const costBudget = await spawnOne('services/cost-budget', {
      ...storesOf('cost_budget'),
      BUDGET_AUTH_ADDR: auth.address,
    });
    const [health, notes] = await Promise.all([
      spawnOne('services/health', {
        HEALTH_POLL_INTERVAL_MS: '200',
        HEALTH_AUTH_ADDR: auth.address,
        HEALTH_AUTH_OPS_URL: auth.opsUrl,
        HEALTH_RATE_LIMIT_ADDR: rateLimit.address,
        HEALTH_RATE_LIMIT_OPS_URL: rateLimit.opsUrl,
        HEALTH_COST_BUDGET_ADDR: costBudget.address,
        HEALTH_COST_BUDGET_OPS_URL: costBudget.opsUrl,
      }),
      spawnOne('examples/notes', {
        NOTES_AUTH_ADDR: auth.address,
        NOTES_RATE_LIMIT_ADDR: rateLimit.address,
        NOTES_BUDGET_ADDR: costBudget.address,
        // A loaded test machine can exceed the 50 ms default; a timeout would fail open and hide the headers.
        NOTES_RATE_LIMIT_TIMEOUT_MS: '1000',
        ...options.notesEnv,
      }),
    ]);
    return { auth, rateLimit, costBudget, health, notes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
