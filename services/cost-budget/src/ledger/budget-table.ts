import type { SqlExecutor, SqlRow } from '@gatehouse/runtime';
import type { budgetV1 } from '@gatehouse/contracts';
import type { EffectiveBudget } from '../domain/effective-budget';
import { toMicros } from '../domain/money';
import type { ScopeRef } from '../domain/scope';
import { budgetContext, type BudgetContextDeps } from './budget-context';
import { parsedJsonb } from './sql-json';
import { readUsageTarget, type UsageTarget } from './usage-key';

/** The budget applying to a scope, as the usage row it holds on now. */
export interface AppliedBudget {
  target: UsageTarget;
  /** True when the scope has a budget of its own, false when its kind's default applies. */
  explicit: boolean;
}

/** Reads and writes the explicit budgets, and tells which budget applies to a scope. */
export interface BudgetTable {
  /** The budget applying to each scope at `nowMs`, in the order given (one query). */
  applying(executor: SqlExecutor, scopes: readonly ScopeRef[], nowMs: number): Promise<AppliedBudget[]>;
  upsert(executor: SqlExecutor, budget: ExplicitBudget): Promise<EffectiveBudget>;
  /** Resolves true when the scope had a budget. */
  remove(executor: SqlExecutor, scope: ScopeRef): Promise<boolean>;
  /** Explicit budgets ordered by (kind, id), starting after `after`. */
  list(
    executor: SqlExecutor,
    options: { kind?: budgetV1.ScopeKind; after?: ScopeRef; limit: number },
  ): Promise<EffectiveBudget[]>;
}

export interface ExplicitBudget {
  scope: ScopeRef;
  limitMicros: bigint;
  period: budgetV1.Period;
  alertThresholds: readonly number[];
  updatedAt: Date;
}

const columns = 'scope_kind, scope_id, limit_micros, period, alert_thresholds, updated_at';

export function createBudgetTable(deps: BudgetContextDeps): BudgetTable {
  return {
    async applying(executor, scopes, nowMs) {
      // The same decision the spend turns make (functions/budget_targets.sql).
      const { rows } = await executor.query(
        'SELECT target, explicit FROM budget_targets($1::jsonb, $2::jsonb) ORDER BY scope_n',
        [
          JSON.stringify(budgetContext(deps, nowMs)),
          JSON.stringify(scopes.map((scope) => ({ kind: scope.kind, id: scope.id }))),
        ],
      );
      return rows.map((row, index) => ({
        target: readUsageTarget(parsedJsonb(row.target), `budget_targets[${index}].target`),
        explicit: row.explicit === true,
      }));
    },

    async upsert(executor, budget) {
      const { rows } = await executor.query(
        `INSERT INTO budgets (${columns}) VALUES ($1, $2, $3, $4, $5::smallint[], $6)
         ON CONFLICT (scope_kind, scope_id) DO UPDATE SET limit_micros = EXCLUDED.limit_micros,
           period = EXCLUDED.period, alert_thresholds = EXCLUDED.alert_thresholds, updated_at = EXCLUDED.updated_at
         RETURNING ${columns}`,
        [
          budget.scope.kind,
          budget.scope.id,
          budget.limitMicros.toString(),
          budget.period,
          [...budget.alertThresholds],
          budget.updatedAt,
        ],
      );
      return fromRow(rows[0]!);
    },

    async remove(executor, scope) {
      const { rowCount } = await executor.query(
        'DELETE FROM budgets WHERE scope_kind = $1 AND scope_id = $2',
        [scope.kind, scope.id],
      );
      return rowCount > 0;
    },

    async list(executor, { kind, after, limit }) {
      const { rows } = await executor.query(
        `SELECT ${columns} FROM budgets
         WHERE ($1::smallint IS NULL OR scope_kind = $1) AND (scope_kind, scope_id) > ($2::smallint, $3::text)
         ORDER BY scope_kind, scope_id LIMIT $4`,
        [kind ?? null, after?.kind ?? -1, after?.id ?? '', limit],
      );
      return rows.map(fromRow);
    },
  };
}

function fromRow(row: SqlRow): EffectiveBudget {
  const thresholds = row.alert_thresholds;
  if (!Array.isArray(thresholds) || !thresholds.every(Number.isSafeInteger)) {
    throw new TypeError(`budgets.alert_thresholds is not an array of integers: ${String(thresholds)}`);
  }
  return {
    scope: { kind: Number(row.scope_kind), id: String(row.scope_id) },
    limitMicros: toMicros(row.limit_micros),
    period: Number(row.period),
    alertThresholds: thresholds as number[],
    explicit: true,
    unlimited: false,
    updatedAt: row.updated_at as Date,
  };
}
