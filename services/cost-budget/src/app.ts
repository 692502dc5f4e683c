import { join } from 'node:path';
import { budgetV1, serviceNames } from '@gatehouse/contracts';
import { createAuthServiceIdentity, type CallerIdentity } from '@gatehouse/interceptors';
import {
  createServiceMetrics,
  hostedService,
  openServiceStores,
  startServiceHost,
  systemClock,
  type Clock,
  type Logger,
  type ServiceHost,
} from '@gatehouse/runtime';
import { adminHandlers } from './api/admin-handlers';
import type { HandlerDeps } from './api/handler-deps';
import { readHandlers } from './api/read-handlers';
import { spendHandlers } from './api/spend-handlers';
import type { CostBudgetConfig } from './config';
import { createHotCounters } from './counters/hot-counters';
import { createPeriodCalendar } from './domain/period-calendar';
import { createAccessPolicy } from './identity/access-policy';
import { createBudgetMetrics } from './ledger/budget-metrics';
import { startExpirySweeper } from './ledger/expiry-sweeper';
import { createLedgerContext } from './ledger/ledger-context';
import { createLedgerEffects } from './ledger/ledger-effects';

/** SQL migrations ship beside the compiled code: services/cost-budget/migrations. */
const migrationsDir = join(__dirname, '..', 'migrations');

export interface CostBudgetAppOptions {
  /** Time source of periods, expiries and idempotency retention; default the system clock. */
  clock?: Clock;
  /** Who calls the admin and read RPCs; default the auth service at BUDGET_AUTH_ADDR. */
  callerIdentity?: CallerIdentity;
}

/** The running service plus a hook tests use to run one expiry sweep now. */
export interface CostBudgetApp extends ServiceHost {
  sweepExpired(): Promise<number>;
}

/** The composition root of the cost-budget service: the one place its dependencies are created and wired. */
export async function startCostBudgetApp(
  config: CostBudgetConfig,
  logger: Logger,
  options: CostBudgetAppOptions = {},
): Promise<CostBudgetApp> {
  const clock = options.clock ?? systemClock;
  const metrics = createServiceMetrics({ service: config.service });
  const stores = await openServiceStores({
    config,
    logger,
    clock,
    sqlMigrationsDir: migrationsDir,
    keyValue: true,
    metrics,
  });
  const sql = stores.sql!;
  const counters = createHotCounters({
    kv: stores.kv!,
    onError: (error) =>
      logger.warn({ err: error }, 'hot counter update failed; it will be rebuilt from the ledger'),
  });
  const ledger = createLedgerContext({
    sql,
    clock,
    calendar: createPeriodCalendar(config.timeZone),
    defaults: config.defaultBudgets,
    overCommitPolicy: config.overCommitPolicy,
    effects: createLedgerEffects({ sql, counters, metrics: createBudgetMetrics(metrics), logger }),
  });
  const sweeper = startExpirySweeper(ledger, {
    intervalMs: config.expirySweepIntervalMs,
    idempotencyRetentionMs: config.idempotencyRetentionHours * 3_600_000,
    logger,
  });
  const identity =
    options.callerIdentity ??
    createAuthServiceIdentity({
      address: config.authAddress,
      timeoutMs: config.authTimeoutMs,
      addressSetting: 'BUDGET_AUTH_ADDR',
    });
  const deps: HandlerDeps = {
    config,
    ledger,
    counters,
    access: createAccessPolicy({ identity, adminRole: config.adminRole }),
  };
  const host: ServiceHost = await startServiceHost({
    config,
    logger,
    clock,
    metrics,
    services: [
      hostedService(serviceNames.costBudget, budgetV1.CostBudgetServiceService, {
        ...spendHandlers(deps),
        ...readHandlers(deps),
        ...adminHandlers(deps),
      }),
    ],
    readinessChecks: stores.readinessChecks,
    resources: [
      { name: 'expiry sweeper', close: () => sweeper.stop() },
      { name: 'hot counters', close: () => counters.flushed() },
      { name: 'auth client', close: async () => identity.close() },
      ...stores.resources,
    ],
    storesInUse: stores.inUse,
  });
  return { ...host, sweepExpired: () => sweeper.sweepOnce() };
}
