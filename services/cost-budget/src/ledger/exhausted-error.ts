import { budgetV1 } from '@gatehouse/contracts';
import { GatehouseError } from '@gatehouse/runtime';
import { formatMicros } from '../domain/money';
import { scopeLabel } from '../domain/scope';
import type { BudgetEventRecord } from './budget-events';
import type { LedgerEffects } from './ledger-effects';
import type { Refusal } from './spend-items';

/** Records and logs the refusal's EXHAUSTED event, then throws its RESOURCE_EXHAUSTED. */
export async function refuse(effects: LedgerEffects, refusal: Refusal, requested: bigint): Promise<never> {
  await effects.exhausted(exhaustedEvent(refusal));
  throw exhaustedError(refusal, requested);
}

/** The EXHAUSTED event recorded when a scope refuses an amount. */
function exhaustedEvent(refusal: Refusal): BudgetEventRecord {
  return {
    scope: refusal.target.scope,
    type: budgetV1.BudgetEventType.BUDGET_EVENT_TYPE_EXHAUSTED,
    thresholdPercent: 0,
    spentMicros: refusal.usage.spentMicros,
    limitMicros: refusal.target.limitMicros,
    occurredAt: new Date(refusal.nowMs),
    reservationId: '',
  };
}

/** RESOURCE_EXHAUSTED naming the scope, what remains of it and when it resets (message and ErrorInfo). */
function exhaustedError(refusal: Refusal, requested: bigint): GatehouseError {
  const { target, usage, nowMs } = refusal;
  const remaining = refusal.balance.remainingMicros;
  const label = scopeLabel(target.scope);
  const resetsAt = target.periodEndMs === undefined ? undefined : new Date(target.periodEndMs).toISOString();
  const message =
    `budget of ${label} exhausted: ${requested} micros requested, ${remaining} micros ` +
    `(${formatMicros(remaining)}) remaining of ${target.limitMicros}; ` +
    (resetsAt === undefined ? 'the budget never resets (PERIOD_TOTAL)' : `resets at ${resetsAt}`);
  return new GatehouseError('RESOURCE_EXHAUSTED', message, {
    reason: 'BUDGET_EXHAUSTED',
    metadata: {
      scope: label,
      scope_kind: budgetV1.scopeKindToJSON(target.scope.kind),
      scope_id: target.scope.id,
      remaining_micros: remaining.toString(),
      limit_micros: target.limitMicros.toString(),
      spent_micros: usage.spentMicros.toString(),
      reserved_micros: usage.reservedMicros.toString(),
      requested_micros: requested.toString(),
      ...(resetsAt === undefined ? {} : { resets_at: resetsAt }),
    },
    ...(target.periodEndMs === undefined ? {} : { retryAfterMs: Math.max(0, target.periodEndMs - nowMs) }),
  });
}
