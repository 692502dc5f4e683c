import type { SqlExecutor, SqlRow } from '@gatehouse/runtime';
import type { budgetV1 } from '@gatehouse/contracts';
import type { DefaultBudgets } from '../config';
import { defaultBudgetFor, type EffectiveBudget } from '../domain/effective-budget';
import { toMicros } from '../domain/money';
import { sameScope, type ScopeRef } from '../domain/scope';

/** Reads and writes the explicit budgets; scopes without one get the configured default. */
export interface BudgetTable {
  /** What applies to a scope without a budget of its own. */
  defaultFor(scope: ScopeRef): EffectiveBudget;
  /** The effective budget of each scope, in the order given (one query). */
  resolve(executor: SqlExecutor, scopes: readonly ScopeRef[]): Promise<EffectiveBudget[]>;
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

export function createBudgetTable(defaults: DefaultBudgets): BudgetTable {
  return {
    defaultFor: (scope) => defaultBudgetFor(scope, defaults),

    async resolve(executor, scopes) {
      const { rows } = await executor.query(
        `SELECT ${columns} FROM budgets
         WHERE (scope_kind, scope_id) IN (SELECT * FROM unnest($1::smallint[], $2::text[]))`,
        [scopes.map((s) => s.kind), scopes.map((s) => s.id)],
      );
      const found = rows.map(fromRow);
      return scopes.map(
        (scope) =>
          found.find((budget) => sameScope(budget.scope, scope)) ?? defaultBudgetFor(scope, defaults),
      );
    },

    async upsert(executor, budget) {
      const { rows } = await executor.query(
        `INSERT INTO budgets (${columns}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (scope_kind, scope_id) DO UPDATE SET limit_micros = EXCLUDED.limit_micros,
           period = EXCLUDED.period, alert_thresholds = EXCLUDED.alert_thresholds, updated_at = EXCLUDED.updated_at
         RETURNING ${columns}`,
        [
          budget.scope.kind,
          budget.scope.id,
          budget.limitMicros.toString(),
          budget.period,
          budget.alertThresholds.join(','),
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
  const thresholds = String(row.alert_thresholds);
  return {
    scope: { kind: Number(row.scope_kind), id: String(row.scope_id) },
    limitMicros: toMicros(row.limit_micros),
    period: Number(row.period),
    alertThresholds: thresholds === '' ? [] : thresholds.split(',').map(Number),
    explicit: true,
    unlimited: false,
    updatedAt: row.updated_at as Date,
  };
}
