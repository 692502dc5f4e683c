import type { budgetV1 } from '@gatehouse/contracts';
import type { BudgetEventRecord } from '../ledger/budget-events';
import type { BalanceView } from '../ledger/ledger-context';
import type { EffectiveBudget } from '../domain/effective-budget';

export function toScopeBalance(view: BalanceView): budgetV1.ScopeBalance {
  return {
    scope: { kind: view.kind, id: view.id },
    limitMicros: BigInt(view.limitMicros),
    remainingMicros: BigInt(view.remainingMicros),
    resetsAt: view.resetsAtMs === null ? undefined : new Date(view.resetsAtMs),
    unlimited: view.unlimited,
  };
}

export function toBudget(budget: EffectiveBudget): budgetV1.Budget {
  return {
    scope: { kind: budget.scope.kind, id: budget.scope.id },
    limitMicros: budget.limitMicros,
    period: budget.period,
    alertThresholdsPercent: [...budget.alertThresholds],
    updatedAt: budget.updatedAt,
  };
}

export function toBudgetEvent(event: BudgetEventRecord & { eventId: bigint }): budgetV1.BudgetEvent {
  return {
    eventId: event.eventId.toString(),
    scope: { kind: event.scope.kind, id: event.scope.id },
    type: event.type,
    thresholdPercent: event.thresholdPercent,
    spentMicros: event.spentMicros,
    limitMicros: event.limitMicros,
    occurredAt: event.occurredAt,
    reservationId: event.reservationId,
  };
}
