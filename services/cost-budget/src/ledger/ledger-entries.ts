import type { SqlExecutor } from '@gatehouse/runtime';
import { toMicros } from '../domain/money';
import { usageKeyText, type UsageKey } from './usage-key';
import type { Usage } from './usage-rows';

export type LedgerEntryType = 'reserve' | 'commit' | 'release' | 'expire' | 'charge';

/** One append-only change of a usage row. */
export interface LedgerEntry {
  key: UsageKey;
  spentDelta: bigint;
  reservedDelta: bigint;
}

/** Appends entries for one operation (one statement). */
export async function appendLedgerEntries(
  tx: SqlExecutor,
  operation: { type: LedgerEntryType; referenceId: string; at: Date },
  entries: readonly LedgerEntry[],
): Promise<void> {
  await tx.query(
    `INSERT INTO ledger_entries (occurred_at, entry_type, reference_id, scope_kind, scope_id, period,
       period_start, spent_delta, reserved_delta)
     SELECT $1, $2, $3, k, i, p, s, sd, rd
     FROM unnest($4::smallint[], $5::text[], $6::smallint[], $7::timestamptz[], $8::bigint[], $9::bigint[])
       AS t(k, i, p, s, sd, rd)`,
    [operation.at, operation.type, operation.referenceId, ...entryArrays(entries)],
  );
}

function entryArrays(entries: readonly LedgerEntry[]): unknown[] {
  return [
    entries.map((e) => e.key.scope.kind),
    entries.map((e) => e.key.scope.id),
    entries.map((e) => e.key.period),
    entries.map((e) => new Date(e.key.periodStartMs).toISOString()),
    entries.map((e) => e.spentDelta.toString()),
    entries.map((e) => e.reservedDelta.toString()),
  ];
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
