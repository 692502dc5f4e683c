import type { ServiceMetrics } from '@gatehouse/runtime';
import { Counter } from 'prom-client';

/** Domain metrics of the cost-budget service, in the service's own registry. */
export interface BudgetMetrics {
  readonly events: Counter<'type'>;
  readonly micros: Counter<'kind'>;
}

export function createBudgetMetrics(metrics: ServiceMetrics): BudgetMetrics {
  return {
    events: new Counter({
      name: 'budget_events_total',
      help: 'Budget events: threshold crossings, exhaustion, expiries, over-reservations.',
      labelNames: ['type'],
      registers: [metrics.registry],
    }),
    micros: new Counter({
      name: 'budget_micros_total',
      help: 'Micro-units recorded in the ledger across all scopes, by entry kind (spent, held, released).',
      labelNames: ['kind'],
      registers: [metrics.registry],
    }),
  };
}
