import type { SqlExecutor } from '@gatehouse/runtime';
import { parseBatchAnswer, type BatchAnswer } from './batch-answer';
import type { LedgerContext } from './ledger-context';
import { reserveOutcome, reservePayload, type ReserveOutcome, type ReserveRequest } from './reserve-batch';
import { settleOutcome, settlePayload, type SettleOutcome, type SettleRequest } from './settle-batch';

/** One hot operation waiting for the next turn. */
export type SpendItem =
  { kind: 'reserve'; request: ReserveRequest } | { kind: 'settle'; request: SettleRequest };

/** A Reserve's outcome for a 'reserve' item, a settlement's for a 'settle' one. */
export type SpendOutcome = ReserveOutcome | SettleOutcome;

type TurnDeps = Pick<LedgerContext, 'sql' | 'clock' | 'calendar' | 'budgets' | 'overCommitPolicy'>;

/** Attempts of a turn PostgreSQL aborted as a deadlock (see `0004_spend_turns.sql`). */
const deadlockAttempts = 3;

/**
 * Runs the Reserves and settlements of one turn in one statement, one transaction:
 * `budget_spend_turn` locks the settled reservations, then every usage row of the turn in lock
 * order, then decides the Reserves (`budget_reserve_batch`) and the settlements
 * (`budget_settle_batch`), each in arrival order. Answers one outcome per item, in order.
 */
export async function runSpendTurn(deps: TurnDeps, items: readonly SpendItem[]): Promise<SpendOutcome[]> {
  const reserves: ReserveRequest[] = [];
  const settles: SettleRequest[] = [];
  for (const item of items) {
    if (item.kind === 'reserve') reserves.push(item.request);
    else settles.push(item.request);
  }
  const nowMs = deps.clock.now();
  const at = new Date(nowMs);
  const reserve = reservePayload(deps, reserves, nowMs);
  const settle = settlePayload(deps, settles);
  const answers = await queryTurn(deps.sql, [
    at,
    JSON.stringify(reserve.context),
    JSON.stringify(reserve.requests),
    JSON.stringify(settle.options),
    JSON.stringify(settle.requests),
  ]);
  if (answers.length !== items.length) {
    throw new Error(`a turn of ${items.length} operations answered ${answers.length}`);
  }
  // The function answers the Reserves first, then the settlements, each kind in item order.
  let nextReserve = 0;
  let nextSettle = reserves.length;
  return items.map((item) =>
    item.kind === 'reserve'
      ? reserveOutcome(answers[nextReserve++]!, item.request, nowMs)
      : settleOutcome(answers[nextSettle++]!, item.request, at),
  );
}

async function queryTurn(sql: SqlExecutor, params: unknown[]): Promise<BatchAnswer[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { rows } = await sql.query<{ outcome: BatchAnswer | string }>(
        'SELECT budget_spend_turn($1, $2::jsonb, $3::jsonb, $4::jsonb, $5::jsonb) AS outcome',
        params,
      );
      return rows.map((row) => parseBatchAnswer(row.outcome));
    } catch (error) {
      // The whole transaction was rolled back, so the turn can run again as it was.
      if (attempt >= deadlockAttempts || !isDeadlock(error)) throw error;
    }
  }
}

function isDeadlock(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '40P01';
}
