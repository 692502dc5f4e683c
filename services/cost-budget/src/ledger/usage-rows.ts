import type { SqlExecutor, SqlRow } from '@gatehouse/runtime';
import { toMicros } from '../domain/money';
import type { UsageKey } from './usage-key';

/** Spend and open holds of one usage row. */
export interface Usage {
  spentMicros: bigint;
  reservedMicros: bigint;
}

const keyWhere = 'scope_kind = $1 AND scope_id = $2 AND period = $3 AND period_start = $4';
const keyParams = (key: UsageKey) => [key.scope.kind, key.scope.id, key.period, new Date(key.periodStartMs)];

/**
 * Adds spend and/or holds to a usage row only if the result stays within `limitMicros`, creating
 * the row when missing. The check and the write are one statement on a locked row, so concurrent
 * callers (any replica) are admitted exactly up to the limit. Resolves null when refused.
 * Arithmetic is in numeric, so nothing overflows int64 (an int64 limit bounds the result).
 */
export async function admitToUsage(
  tx: SqlExecutor,
  key: UsageKey,
  delta: { spentMicros: bigint; reservedMicros: bigint; limitMicros: bigint; at: Date },
): Promise<Usage | null> {
  const { rows } = await tx.query(
    `INSERT INTO scope_usage AS u (scope_kind, scope_id, period, period_start, spent_micros, reserved_micros, updated_at)
     SELECT $1, $2, $3, $4, $5::bigint, $6::bigint, $8 WHERE $5::numeric + $6::numeric <= $7::numeric
     ON CONFLICT (scope_kind, scope_id, period, period_start) DO UPDATE
       SET spent_micros = u.spent_micros + EXCLUDED.spent_micros,
           reserved_micros = u.reserved_micros + EXCLUDED.reserved_micros,
           updated_at = EXCLUDED.updated_at
       WHERE u.spent_micros::numeric + u.reserved_micros + EXCLUDED.spent_micros + EXCLUDED.reserved_micros
             <= $7::numeric
     RETURNING spent_micros, reserved_micros`,
    [
      ...keyParams(key),
      delta.spentMicros.toString(),
      delta.reservedMicros.toString(),
      delta.limitMicros.toString(),
      delta.at,
    ],
  );
  return rows[0] === undefined ? null : toUsage(rows[0]);
}

/** A usage row without locking it; zero when it does not exist yet. */
export async function readUsage(executor: SqlExecutor, key: UsageKey): Promise<Usage> {
  const { rows } = await executor.query(
    `SELECT spent_micros, reserved_micros FROM scope_usage WHERE ${keyWhere}`,
    keyParams(key),
  );
  return rows[0] === undefined ? { spentMicros: 0n, reservedMicros: 0n } : toUsage(rows[0]);
}

function toUsage(row: SqlRow): Usage {
  return { spentMicros: toMicros(row.spent_micros), reservedMicros: toMicros(row.reserved_micros) };
}
