import type { SqlExecutor } from '@gatehouse/runtime';
import { toMicros } from '../domain/money';
import { usageKeyText, type UsageKey } from './usage-key';
import type { Usage } from './usage-rows';

/** One append-only change of a usage row (functions/budget_record_turn.sql writes them). */
export interface LedgerEntry {
  key: UsageKey;
  spentDelta: bigint;
  reservedDelta: bigint;
}

/** Spend and holds of each usage row summed from the ledger alone: what counters are rebuilt from. */
export async function ledgerTotals(
  executor: SqlExecutor,
  keys: readonly UsageKey[],
): Promise<Map<string, Usage>> {
  const totals = new Map<string, Usage>(
    keys.map((key) => [usageKeyText(key), { spentMicros: 0n, reservedMicros: 0n }]),
  );
  if (keys.length === 0) return totals;
  const { rows } = await executor.query(
    `SELECT l.scope_kind, l.scope_id, l.period, l.period_start,
       COALESCE(SUM(l.spent_delta), 0)::text AS spent, COALESCE(SUM(l.reserved_delta), 0)::text AS reserved
     FROM ledger_entries l
     JOIN unnest($1::smallint[], $2::text[], $3::smallint[], $4::timestamptz[]) AS k(k, i, p, s)
       ON l.scope_kind = k.k AND l.scope_id = k.i AND l.period = k.p AND l.period_start = k.s
     GROUP BY l.scope_kind, l.scope_id, l.period, l.period_start`,
    [
      keys.map((k) => k.scope.kind),
      keys.map((k) => k.scope.id),
      keys.map((k) => k.period),
      keys.map((k) => new Date(k.periodStartMs).toISOString()),
    ],
  );
  for (const row of rows) {
    const key: UsageKey = {
      scope: { kind: Number(row.scope_kind), id: String(row.scope_id) },
      period: Number(row.period),
      periodStartMs: (row.period_start as Date).getTime(),
    };
    totals.set(usageKeyText(key), {
      spentMicros: toMicros(row.spent),
      reservedMicros: toMicros(row.reserved),
    });
  }
  return totals;
}
