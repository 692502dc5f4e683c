import type { budgetV1 } from '@gatehouse/contracts';
import type { SqlExecutor, SqlRow } from '@gatehouse/runtime';
import { toMicros } from '../domain/money';
import type { ScopeRef } from '../domain/scope';
import { SqlJson } from './sql-json';

export interface BudgetEventRecord {
  scope: ScopeRef;
  type: budgetV1.BudgetEventType;
  thresholdPercent: number;
  spentMicros: bigint;
  limitMicros: bigint;
  occurredAt: Date;
  reservationId: string;
}

/** An event as functions/budget_record_turn.sql answers it, recorded at `at` for `reservationId`. */
export function readBudgetEvent(
  value: unknown,
  path: string,
  recorded: { at: Date; reservationId: string },
): BudgetEventRecord {
  const json = SqlJson.object(value, path);
  return {
    scope: json.object('scope').scope(),
    type: json.integer('type'),
    thresholdPercent: json.integer('thresholdPercent'),
    spentMicros: json.micros('spentMicros'),
    limitMicros: json.micros('limitMicros'),
    occurredAt: recorded.at,
    reservationId: recorded.reservationId,
  };
}

/** Records one event outside a turn (the EXHAUSTED event of a refusal). */
export async function insertBudgetEvent(executor: SqlExecutor, event: BudgetEventRecord): Promise<void> {
  await executor.query(
    `INSERT INTO budget_events (scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros,
       occurred_at, reservation_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      event.scope.kind,
      event.scope.id,
      event.type,
      event.thresholdPercent,
      event.spentMicros.toString(),
      event.limitMicros.toString(),
      event.occurredAt,
      event.reservationId,
    ],
  );
}

/** Newest first; `beforeId` pages backwards. */
export async function listBudgetEvents(
  executor: SqlExecutor,
  options: { scope?: ScopeRef; beforeId?: bigint; limit: number },
): Promise<(BudgetEventRecord & { eventId: bigint })[]> {
  const { rows } = await executor.query(
    `SELECT event_id, scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros,
       occurred_at, reservation_id FROM budget_events
     WHERE ($1::smallint IS NULL OR (scope_kind = $1 AND scope_id = $2)) AND ($3::bigint IS NULL OR event_id < $3)
     ORDER BY event_id DESC LIMIT $4`,
    [
      options.scope?.kind ?? null,
      options.scope?.id ?? '',
      options.beforeId?.toString() ?? null,
      options.limit,
    ],
  );
  return rows.map(fromRow);
}

function fromRow(row: SqlRow): BudgetEventRecord & { eventId: bigint } {
  return {
    eventId: toMicros(row.event_id),
    scope: { kind: Number(row.scope_kind), id: String(row.scope_id) },
    type: Number(row.event_type),
    thresholdPercent: Number(row.threshold_percent),
    spentMicros: toMicros(row.spent_micros),
    limitMicros: toMicros(row.limit_micros),
    occurredAt: row.occurred_at as Date,
    reservationId: String(row.reservation_id),
  };
}
