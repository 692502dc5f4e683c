import { budgetV1 } from '@gatehouse/contracts';
import { setSpanAttributes, type Logger, type SqlExecutor } from '@gatehouse/runtime';
import { scopeLabel } from '../domain/scope';
import { insertBudgetEvent, type BudgetEventRecord } from './budget-events';
import type { BudgetMetrics } from './budget-metrics';
import type { LedgerEntry } from './ledger-entries';
import type { CommittedEffects } from './spend-items';

/** What follows an operation outside its transaction: counters, metrics, logs, the exhaustion event. */
export interface LedgerEffects {
  /** After an operation committed. Never throws, and waits for nothing (Redis least of all). */
  committed(effects: CommittedEffects): void;
  /** After a Reserve or Charge was refused for lack of budget: the EXHAUSTED event, recorded and logged. */
  exhausted(event: BudgetEventRecord): Promise<void>;
}

/** Where committed ledger deltas go: the hot counters. */
export interface CounterUpdates {
  apply(entries: readonly LedgerEntry[]): Promise<void>;
}

export interface LedgerEffectsOptions {
  sql: SqlExecutor;
  counters: CounterUpdates;
  metrics: BudgetMetrics;
  logger: Logger;
}

export function createLedgerEffects(options: LedgerEffectsOptions): LedgerEffects {
  const { sql, counters, metrics, logger } = options;
  return {
    committed(effects) {
      // Not awaited: the reply need not wait for Redis; reads on this replica wait for it instead.
      void counters.apply(effects.entries);
      metrics.recordEntries(effects.entries);
      for (const event of effects.events) {
        const type = budgetV1.budgetEventTypeToJSON(event.type);
        metrics.events.inc({ type });
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

    async exhausted(event) {
      setSpanAttributes({
        'gatehouse.budget.outcome': 'exhausted',
        'gatehouse.budget.scope': scopeLabel(event.scope),
      });
      metrics.events.inc({ type: budgetV1.budgetEventTypeToJSON(event.type) });
      logger.info({ event: 'BUDGET_EVENT_TYPE_EXHAUSTED', scope: scopeLabel(event.scope) }, 'budget event');
      await insertBudgetEvent(sql, event).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not record an exhaustion event'),
      );
    },
  };
}
