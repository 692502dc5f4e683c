import { budgetV1 } from '@gatehouse/contracts';
import type { DefaultBudgets } from './default-budget';
import { int64Max } from './money';
import type { ScopeRef } from './scope';

const { ScopeKind, Period } = budgetV1;

export const defaultAlertThresholds: readonly number[] = Object.freeze([50, 80, 100]);

/** The budget that applies to a scope: its own, a configured default, or none (unlimited). */
export interface EffectiveBudget {
  readonly scope: ScopeRef;
  readonly limitMicros: bigint;
  readonly period: budgetV1.Period;
  readonly alertThresholds: readonly number[];
  /** True when the scope has a budget of its own. */
  readonly explicit: boolean;
  /** True when nothing limits the scope: limitMicros is the int64 maximum. */
  readonly unlimited: boolean;
  readonly updatedAt?: Date;
}

/** What applies to a scope without an explicit budget. */
export function defaultBudgetFor(scope: ScopeRef, defaults: DefaultBudgets): EffectiveBudget {
  const configured =
    scope.kind === ScopeKind.SCOPE_KIND_GLOBAL
      ? defaults.global
      : scope.kind === ScopeKind.SCOPE_KIND_TEAM
        ? defaults.team
        : scope.kind === ScopeKind.SCOPE_KIND_USER
          ? defaults.user
          : defaults.apiKey;
  if (configured === null) {
    return {
      scope,
      limitMicros: int64Max,
      period: Period.PERIOD_TOTAL,
      alertThresholds: [],
      explicit: false,
      unlimited: true,
    };
  }
  return {
    scope,
    limitMicros: configured.limitMicros,
    period: configured.period,
    alertThresholds: defaultAlertThresholds,
    explicit: false,
    unlimited: false,
  };
}
