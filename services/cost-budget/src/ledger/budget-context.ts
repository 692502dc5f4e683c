import { budgetV1 } from '@gatehouse/contracts';
import { periodNames, type DefaultBudgets } from '../domain/default-budget';
import { defaultBudgetFor } from '../domain/effective-budget';
import type { PeriodCalendar } from '../domain/period-calendar';

/** What deciding which budget applies needs from this side: the configured defaults and the calendar. */
export interface BudgetContextDeps {
  defaults: DefaultBudgets;
  calendar: PeriodCalendar;
}

const scopeKinds = [
  budgetV1.ScopeKind.SCOPE_KIND_GLOBAL,
  budgetV1.ScopeKind.SCOPE_KIND_TEAM,
  budgetV1.ScopeKind.SCOPE_KIND_USER,
  budgetV1.ScopeKind.SCOPE_KIND_API_KEY,
];

/**
 * The `p_context` of functions/budget_targets.sql at `nowMs`: the budget of a scope without its
 * own (the default of its kind) and the current window of each period. The SQL picks the scope's
 * own budget or its kind's default; the periods' windows come from the calendar (time zones live here).
 */
export function budgetContext(deps: BudgetContextDeps, nowMs: number) {
  const defaults = Object.fromEntries(
    scopeKinds.map((kind) => {
      const budget = defaultBudgetFor({ kind, id: '' }, deps.defaults);
      return [
        kind,
        {
          period: budget.period,
          limitMicros: budget.limitMicros.toString(),
          unlimited: budget.unlimited,
          alertThresholds: [...budget.alertThresholds],
        },
      ];
    }),
  );
  const windows = Object.fromEntries(
    Object.values(periodNames).map((period) => {
      const window = deps.calendar.windowAt(period, nowMs);
      return [period, { startMs: window.startMs, endMs: window.endMs ?? null }];
    }),
  );
  return { defaults, windows };
}
