import type { budgetV1 } from '@gatehouse/contracts';
import { scopeLabel, type ScopeRef } from '../domain/scope';
import { SqlJson } from './sql-json';

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

/** Stable text form, e.g. "user:42|2|1767225600000": counter keys and map keys. */
export function usageKeyText(key: UsageKey): string {
  return `${scopeLabel(key.scope)}|${key.period}|${key.periodStartMs}`;
}

/** A target as functions/budget_targets.sql makes it (and reservations.holds keeps it). */
export function readUsageTarget(value: unknown, path: string): UsageTarget {
  const json = SqlJson.object(value, path);
  const periodEndMs = json.nullableInteger('periodEndMs');
  return {
    scope: json.object('scope').scope(),
    period: json.integer('period'),
    periodStartMs: json.integer('periodStartMs'),
    periodEndMs: periodEndMs ?? undefined,
    limitMicros: json.micros('limitMicros'),
    unlimited: json.boolean('unlimited'),
    alertThresholds: json.integers('alertThresholds'),
  };
}
