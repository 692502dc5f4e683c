import type { ScopeRef } from '../domain/scope';
import { SqlJson } from './sql-json';

/** A scope's standing after an operation, as Reserve, Commit, Release and Charge answer it. */
export interface Balance {
  scope: ScopeRef;
  limitMicros: bigint;
  /** limit - spent - reserved, never below zero (computed by functions/budget_balance.sql). */
  remainingMicros: bigint;
  /** When the period ends; null for PERIOD_TOTAL, which never resets. */
  resetsAtMs: number | null;
  unlimited: boolean;
}

/** A balance as functions/budget_balance.sql makes it (and idempotency records keep it). */
export function readBalance(value: unknown, path: string): Balance {
  const json = SqlJson.object(value, path);
  return {
    scope: json.scope(),
    limitMicros: json.micros('limitMicros'),
    remainingMicros: json.micros('remainingMicros'),
    resetsAtMs: json.nullableInteger('resetsAtMs'),
    unlimited: json.boolean('unlimited'),
  };
}
