import type { budgetV1 } from '@gatehouse/contracts';
import type { EffectiveBudget } from '../domain/effective-budget';
import type { PeriodWindow } from '../domain/period-calendar';
import { scopeLabel, type ScopeRef } from '../domain/scope';

/** Identifies one usage row: a scope in one period. */
export interface UsageKey {
  readonly scope: ScopeRef;
  readonly period: budgetV1.Period;
  readonly periodStartMs: number;
}

/** A usage row an operation holds on or charges, with the budget that applied when it did. */
export interface UsageTarget extends UsageKey {
  readonly periodEndMs: number | undefined;
  readonly limitMicros: bigint;
  readonly unlimited: boolean;
  readonly alertThresholds: readonly number[];
}

export function usageTarget(budget: EffectiveBudget, window: PeriodWindow): UsageTarget {
  return {
    scope: budget.scope,
    period: window.period,
    periodStartMs: window.startMs,
    periodEndMs: window.endMs,
    limitMicros: budget.limitMicros,
    unlimited: budget.unlimited,
    alertThresholds: budget.alertThresholds,
  };
}

/** Stable text form, e.g. "user:42|2|1767225600000": counter keys and map keys. */
export function usageKeyText(key: UsageKey): string {
  return `${scopeLabel(key.scope)}|${key.period}|${key.periodStartMs}`;
}

/** The JSON stored in reservations.holds (bigint as strings). */
export interface StoredTarget {
  k: number;
  i: string;
  p: number;
  s: number;
  e: number | null;
  l: string;
  u: boolean;
  t: number[];
}

export function toStoredTarget(target: UsageTarget): StoredTarget {
  return {
    k: target.scope.kind,
    i: target.scope.id,
    p: target.period,
    s: target.periodStartMs,
    e: target.periodEndMs ?? null,
    l: target.limitMicros.toString(),
    u: target.unlimited,
    t: [...target.alertThresholds],
  };
}

export function fromStoredTarget(stored: StoredTarget): UsageTarget {
  return {
    scope: { kind: stored.k, id: stored.i },
    period: stored.p,
    periodStartMs: stored.s,
    periodEndMs: stored.e ?? undefined,
    limitMicros: BigInt(stored.l),
    unlimited: stored.u,
    alertThresholds: stored.t,
  };
}
