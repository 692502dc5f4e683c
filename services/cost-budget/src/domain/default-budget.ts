import { budgetV1 } from '@gatehouse/contracts';
import { int64Max } from './money';

const { Period } = budgetV1;

/** A configured default budget, or null for "no default: the scope is unlimited". */
export interface DefaultBudget {
  readonly limitMicros: bigint;
  readonly period: budgetV1.Period;
}

/** Budgets applied to scopes without an explicit one; null means unlimited (spend still recorded). */
export interface DefaultBudgets {
  /** BUDGET_DEFAULT_GLOBAL, default "100000000/hourly" ($100 per hour). */
  global: DefaultBudget | null;
  /** BUDGET_DEFAULT_TEAM, default "none". */
  team: DefaultBudget | null;
  /** BUDGET_DEFAULT_USER, default "5000000/daily" ($5 per day). */
  user: DefaultBudget | null;
  /** BUDGET_DEFAULT_API_KEY, default "none". */
  apiKey: DefaultBudget | null;
}

export const periodNames: Readonly<Record<string, budgetV1.Period>> = {
  hourly: Period.PERIOD_HOURLY,
  daily: Period.PERIOD_DAILY,
  weekly: Period.PERIOD_WEEKLY,
  monthly: Period.PERIOD_MONTHLY,
  total: Period.PERIOD_TOTAL,
};

/**
 * Parses "<limit micros>/<period>" (e.g. "5000000/daily") or "none"; returns an error message
 * (without the variable name) when the value is malformed.
 */
export function parseDefaultBudget(value: string): DefaultBudget | null | string {
  if (value.toLowerCase() === 'none') return null;
  const match = /^(\d{1,19})\/([a-z]+)$/i.exec(value);
  const period = match ? periodNames[match[2]!.toLowerCase()] : undefined;
  if (match === null || period === undefined) {
    return `must be "<limit micros>/<hourly|daily|weekly|monthly|total>" or "none", got ${JSON.stringify(value)}`;
  }
  const limitMicros = BigInt(match[1]!);
  if (limitMicros > int64Max) return `limit must fit in int64 (at most ${int64Max}), got ${match[1]}`;
  return { limitMicros, period };
}
