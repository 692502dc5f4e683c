import { join } from 'node:path';
import { budgetV1, serviceNames } from '@gatehouse/contracts';
import { createAuthServiceIdentity, type CallerIdentity } from '@gatehouse/interceptors';
import {
  createServiceMetrics,
  hostedService,
  openServiceStores,
  setSpanAttributes,
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
import { createBudgetMetrics } from './budget-metrics';
import type { CostBudgetConfig } from './config';
import { createHotCounters } from './counters/hot-counters';
import { createPeriodCalendar } from './domain/period-calendar';
import { scopeLabel } from './domain/scope';
import { createAccessPolicy } from './identity/access-policy';
import { createBudgetTable } from './ledger/budget-table';
import { insertBudgetEvents } from './ledger/budget-events';
import { expireDueReservations, startExpirySweeper } from './ledger/expiry-sweeper';
import type { LedgerContext } from './ledger/ledger-context';
import { createSpendBatches } from './ledger/spend-batches';

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
  const budgetMetrics = createBudgetMetrics(metrics);
  const counters = createHotCounters({
    kv: stores.kv!,
    onError: (error) =>
      logger.warn({ err: error }, 'hot counter update failed; it will be rebuilt from the ledger'),
  });
  const stored = {
    sql,
    clock,
    calendar: createPeriodCalendar(config.timeZone),
    budgets: createBudgetTable(config.defaultBudgets),
    overCommitPolicy: config.overCommitPolicy,
  };
  const ledger: LedgerContext & { expireDue(): Promise<number> } = {
    ...stored,
    batches: createSpendBatches(stored),
    async afterCommit(effects) {
      // Not awaited: the reply need not wait for Redis; reads on this replica wait for it instead.
      void counters.apply(effects.entries);
      budgetMetrics.recordEntries(effects.entries);
      for (const entry of effects.entries) {
        if (entry.spentDelta > 0n && entry.key.scope.kind === budgetV1.ScopeKind.SCOPE_KIND_GLOBAL) {
          budgetMetrics.micros.inc({ kind: 'spent' }, Number(entry.spentDelta));
        }
      }
      for (const event of effects.events) {
        const type = budgetV1.budgetEventTypeToJSON(event.type);
        budgetMetrics.events.inc({ type });
        logger.info(
          {
            event: type,
            scope: scopeLabel(event.scope),
            threshold_percent: event.thresholdPercent,
            spent_micros: event.spentMicros.toString(),
            limit_micros: event.limitMicros.toString(),
            reservation_id: event.reservationId || undefined,
          },
          'budget event',
        );
      }
    },
    async onExhausted(event) {
      setSpanAttributes({
        'gatehouse.budget.outcome': 'exhausted',
        'gatehouse.budget.scope': scopeLabel(event.scope),
      });
      budgetMetrics.events.inc({ type: budgetV1.budgetEventTypeToJSON(event.type) });
      logger.info({ event: 'BUDGET_EVENT_TYPE_EXHAUSTED', scope: scopeLabel(event.scope) }, 'budget event');
      await insertBudgetEvents(sql, [event]).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not record an exhaustion event'),
      );
    },
    expireDue: () => expireDueReservations(ledger),
  };
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
