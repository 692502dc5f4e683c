import type { budgetV1 } from '@gatehouse/contracts';
import type { EffectiveBudget } from '../domain/effective-budget';
import type { Balance } from '../ledger/balance';
import type { BudgetEventRecord } from '../ledger/budget-events';

export function toScopeBalance(balance: Balance): budgetV1.ScopeBalance {
  return {
    scope: { kind: balance.scope.kind, id: balance.scope.id },
    limitMicros: balance.limitMicros,
    remainingMicros: balance.remainingMicros,
    resetsAt: balance.resetsAtMs === null ? undefined : new Date(balance.resetsAtMs),
    unlimited: balance.unlimited,
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
