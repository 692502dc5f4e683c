import { randomUUID } from 'node:crypto';
import { budgetV1 } from '@gatehouse/contracts';
import type { Clock, SqlExecutor } from '@gatehouse/runtime';
import type { OverCommitPolicy } from '../domain/over-commit-policy';
import { budgetContext, type BudgetContextDeps } from './budget-context';
import type { SpendItem, SpendOutcome } from './spend-items';
import { SqlJson } from './sql-json';
import { chargeOutcome, reserveOutcome, settleOutcome } from './turn-answers';

const { BudgetEventType } = budgetV1;

export interface SpendTurnDeps extends BudgetContextDeps {
  sql: SqlExecutor;
  clock: Clock;
  overCommitPolicy: OverCommitPolicy;
}

/** Attempts of a turn PostgreSQL aborted as a deadlock (the whole turn was rolled back). */
const deadlockAttempts = 3;

/**
 * Runs one turn: every item in one statement, one transaction (functions/budget_spend_turn.sql),
 * decided in the order given. Answers one outcome per item, in order.
 */
export async function runSpendTurn(
  deps: SpendTurnDeps,
  items: readonly SpendItem[],
): Promise<SpendOutcome[]> {
  const nowMs = deps.clock.now();
  const context = {
    ...budgetContext(deps, nowMs),
    overCommitPolicy: deps.overCommitPolicy,
    eventTypes: {
      thresholdCrossed: BudgetEventType.BUDGET_EVENT_TYPE_THRESHOLD_CROSSED,
      reservationExpired: BudgetEventType.BUDGET_EVENT_TYPE_RESERVATION_EXPIRED,
      overReservation: BudgetEventType.BUDGET_EVENT_TYPE_OVER_RESERVATION,
    },
  };
  const sent = items.map((item) => itemJson(item, nowMs));
  const answers = await queryTurn(deps.sql, [new Date(nowMs), JSON.stringify(context), JSON.stringify(sent)]);
  if (answers.length !== items.length) {
    throw new Error(`a turn of ${items.length} operations answered ${answers.length}`);
  }
  return items.map((item, index) => {
    const answer = SqlJson.parse(answers[index], `budget_spend_turn[${index}]`);
    switch (item.operation) {
      case 'reserve':
        return { operation: 'reserve', outcome: reserveOutcome(answer, item.input.amountMicros, nowMs) };
      case 'charge':
        return { operation: 'charge', outcome: chargeOutcome(answer, item.input.amountMicros, nowMs) };
      case 'settle':
        return { operation: 'settle', outcome: settleOutcome(answer, item.reservationId, nowMs) };
    }
  });
}

/** An item as the turn reads it; new reservations and charges get their ids here. */
function itemJson(item: SpendItem, nowMs: number): Record<string, unknown> {
  switch (item.operation) {
    case 'reserve':
      return {
        ...admissionJson(item),
        reservationId: `rsv_${randomUUID()}`,
        expiresAtMs: nowMs + item.input.ttlSeconds * 1000,
      };
    case 'charge':
      return { ...admissionJson(item), chargeId: `chg_${randomUUID()}` };
    case 'settle':
      return {
        operation: item.settlement.action,
        reservationId: item.reservationId,
        ...(item.settlement.action === 'commit'
          ? { actualMicros: item.settlement.actualMicros.toString() }
          : {}),
      };
  }
}

/** What a Reserve and a Charge send alike. */
function admissionJson(item: Extract<SpendItem, { operation: 'reserve' | 'charge' }>) {
  return {
    operation: item.operation,
    idempotencyKey: item.input.idempotencyKey,
    requestHash: item.requestHash,
    amountMicros: item.input.amountMicros.toString(),
    description: item.input.description,
    scopes: item.input.scopes.map((scope) => ({ kind: scope.kind, id: scope.id })),
  };
}

async function queryTurn(sql: SqlExecutor, params: unknown[]): Promise<unknown[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { rows } = await sql.query<{ answer: unknown }>(
        'SELECT budget_spend_turn($1, $2::jsonb, $3::jsonb) AS answer',
        params,
      );
      return rows.map((row) => row.answer);
    } catch (error) {
      // The whole transaction was rolled back, so the turn can run again as it was.
      if (attempt >= deadlockAttempts || !isDeadlock(error)) throw error;
    }
  }
}

function isDeadlock(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '40P01';
}
