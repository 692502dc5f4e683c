import { budgetV1 } from '@gatehouse/contracts';
import type { ServiceMetrics } from '@gatehouse/runtime';
import { Counter } from 'prom-client';
import type { LedgerEntry } from './ledger-entries';

/** Domain metrics of the cost-budget service, in the service's own registry. */
export interface BudgetMetrics {
  readonly events: Counter<'type'>;
  /**
   * Counts what committed ledger entries moved: spend and new holds per scope kind, and all spend
   * once (`budget_micros_total{kind="spent"}`, from the global scope every operation touches).
   */
  recordEntries(entries: readonly LedgerEntry[]): void;
}

export function createBudgetMetrics(metrics: ServiceMetrics): BudgetMetrics {
  const spent = new Counter({
    name: 'budget_spent_micros_total',
    help: 'Micro-units spent (committed or charged), summed over the scopes of each kind.',
    labelNames: ['scope_kind'],
    registers: [metrics.registry],
  });
  const reserved = new Counter({
    name: 'budget_reserved_micros_total',
    help: 'Micro-units placed on hold by reservations, summed over the scopes of each kind.',
    labelNames: ['scope_kind'],
    registers: [metrics.registry],
  });
  const micros = new Counter({
    name: 'budget_micros_total',
    help: 'Micro-units recorded in the ledger across all scopes, by entry kind (spent, held, released).',
    labelNames: ['kind'],
    registers: [metrics.registry],
  });
  return {
    events: new Counter({
      name: 'budget_events_total',
      help: 'Budget events: threshold crossings, exhaustion, expiries, over-reservations.',
      labelNames: ['type'],
      registers: [metrics.registry],
    }),
    recordEntries(entries) {
      for (const entry of entries) {
        const labels = { scope_kind: scopeKindLabel(entry.key.scope.kind) };
        if (entry.spentDelta > 0n) spent.inc(labels, Number(entry.spentDelta));
        if (entry.reservedDelta > 0n) reserved.inc(labels, Number(entry.reservedDelta));
        if (entry.spentDelta > 0n && entry.key.scope.kind === budgetV1.ScopeKind.SCOPE_KIND_GLOBAL) {
          micros.inc({ kind: 'spent' }, Number(entry.spentDelta));
        }
      }
    },
  };
}

/** "user", "team", "api_key", "global". */
function scopeKindLabel(kind: budgetV1.ScopeKind): string {
  return budgetV1
    .scopeKindToJSON(kind)
    .replace(/^SCOPE_KIND_/, '')
    .toLowerCase();
}
