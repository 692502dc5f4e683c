import { budgetV1 } from '@gatehouse/contracts';
import type { SqlExecutor, SqlRow } from '@gatehouse/runtime';
import { toMicros } from '../domain/money';
import type { ScopeRef } from '../domain/scope';
import type { UsageTarget } from './usage-key';

const { BudgetEventType } = budgetV1;

export interface BudgetEventRecord {
  scope: ScopeRef;
  type: budgetV1.BudgetEventType;
  thresholdPercent: number;
  spentMicros: bigint;
  limitMicros: bigint;
  occurredAt: Date;
  reservationId: string;
}

/** Events for every alert threshold the spend of `target` crossed going from `before` to `after`. */
export function thresholdCrossings(
  target: UsageTarget,
  before: bigint,
  after: bigint,
  context: { at: Date; reservationId: string },
): BudgetEventRecord[] {
  if (target.unlimited || target.limitMicros === 0n) return [];
  const limit = target.limitMicros;
  return target.alertThresholds
    .filter((percent) => before * 100n < limit * BigInt(percent) && after * 100n >= limit * BigInt(percent))
    .map((percent) => ({
      scope: target.scope,
      type: BudgetEventType.BUDGET_EVENT_TYPE_THRESHOLD_CROSSED,
      thresholdPercent: percent,
      spentMicros: after,
      limitMicros: limit,
      occurredAt: context.at,
      reservationId: context.reservationId,
    }));
}

export async function insertBudgetEvents(
  executor: SqlExecutor,
  events: readonly BudgetEventRecord[],
): Promise<void> {
  if (events.length === 0) return;
  await executor.query(
    `INSERT INTO budget_events (scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros,
       occurred_at, reservation_id)
     SELECT * FROM unnest($1::smallint[], $2::text[], $3::smallint[], $4::smallint[], $5::bigint[], $6::bigint[],
       $7::timestamptz[], $8::text[])`,
    [
      events.map((e) => e.scope.kind),
      events.map((e) => e.scope.id),
      events.map((e) => e.type),
      events.map((e) => e.thresholdPercent),
      events.map((e) => e.spentMicros.toString()),
      events.map((e) => e.limitMicros.toString()),
      events.map((e) => e.occurredAt.toISOString()),
      events.map((e) => e.reservationId),
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
