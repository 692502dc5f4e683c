import { randomUUID } from 'node:crypto';
import { budgetV1 } from '@gatehouse/contracts';
import type { Clock, SqlExecutor } from '@gatehouse/runtime';
import type { OverCommitPolicy } from '../domain/over-commit-policy';
import { readBalance } from './balance';
import { budgetContext, type BudgetContextDeps } from './budget-context';
import { readBudgetEvent } from './budget-events';
import { readIdempotencyRecord } from './idempotency';
import type {
  ChargeOutcome,
  ChargeResult,
  Refusal,
  ReserveOutcome,
  ReserveResult,
  SettleOutcome,
  SpendItem,
  SpendOutcome,
} from './spend-items';
import { SqlJson, UnexpectedSqlJson } from './sql-json';
import { readUsageTarget, type UsageTarget } from './usage-key';

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

/** The answer of a Reserve (what it answers now, and what a replay of its key answers). */
export function readReserveResult(value: unknown, path: string): ReserveResult {
  const json = SqlJson.object(value, path);
  return {
    reservationId: json.string('reservationId'),
    expiresAtMs: json.integer('expiresAtMs'),
    balances: json.array('balances', readBalance),
  };
}

/** The answer of a Charge (what it answers now, and what a replay of its key answers). */
export function readChargeResult(value: unknown, path: string): ChargeResult {
  const json = SqlJson.object(value, path);
  return { chargeId: json.string('chargeId'), balances: json.array('balances', readBalance) };
}

function reserveOutcome(answer: SqlJson, amountMicros: bigint, nowMs: number): ReserveOutcome {
  const outcome = answer.string('outcome');
  if (outcome === 'recorded' || outcome === 'refused') return admissionOutcome(answer, outcome, nowMs);
  expectOutcome(answer, outcome, 'reserved');
  return {
    kind: 'admitted',
    result: readReserveResult(answer.raw('response'), `${answer.path}.response`),
    effects: {
      entries: targetsOf(answer).map((key) => ({ key, spentDelta: 0n, reservedDelta: amountMicros })),
      events: [],
    },
  };
}

function chargeOutcome(answer: SqlJson, amountMicros: bigint, nowMs: number): ChargeOutcome {
  const outcome = answer.string('outcome');
  if (outcome === 'recorded' || outcome === 'refused') return admissionOutcome(answer, outcome, nowMs);
  expectOutcome(answer, outcome, 'charged');
  const recorded = { at: new Date(nowMs), reservationId: '' };
  return {
    kind: 'admitted',
    result: readChargeResult(answer.raw('response'), `${answer.path}.response`),
    effects: {
      entries: targetsOf(answer).map((key) => ({ key, spentDelta: amountMicros, reservedDelta: 0n })),
      events: answer.array('events', (event, path) => readBudgetEvent(event, path, recorded)),
    },
  };
}

/** The outcomes a Reserve and a Charge share: a replay of the key, or a refusal. */
function admissionOutcome(
  answer: SqlJson,
  outcome: 'recorded' | 'refused',
  nowMs: number,
): ReserveOutcome & ChargeOutcome {
  if (outcome === 'recorded') {
    return { kind: 'recorded', record: readIdempotencyRecord(answer.raw('record'), `${answer.path}.record`) };
  }
  const refusal: Refusal = {
    target: readUsageTarget(answer.raw('target'), `${answer.path}.target`),
    usage: { spentMicros: answer.micros('spentMicros'), reservedMicros: answer.micros('reservedMicros') },
    balance: readBalance(answer.raw('balance'), `${answer.path}.balance`),
    nowMs,
  };
  return { kind: 'refused', refusal };
}

function settleOutcome(answer: SqlJson, reservationId: string, nowMs: number): SettleOutcome {
  const outcome = answer.string('outcome');
  if (outcome === 'missing' || outcome === 'overflow') return { kind: outcome };
  if (outcome === 'closed') {
    return {
      kind: 'closed',
      status: answer.string('status'),
      settledAtMs: answer.nullableInteger('settledAtMs'),
    };
  }
  expectOutcome(answer, outcome, 'applied');
  const held = answer.micros('heldMicros');
  const committed = answer.micros('committedMicros');
  const recorded = { at: new Date(nowMs), reservationId };
  return {
    kind: 'applied',
    lapsed: answer.boolean('lapsed'),
    expiresAtMs: answer.integer('expiresAtMs'),
    result: {
      reservationId,
      committedMicros: committed,
      releasedMicros: committed >= held ? 0n : held - committed,
      overReservation: answer.boolean('overReservation'),
      balances: answer.array('balances', readBalance),
    },
    effects: {
      entries: targetsOf(answer).map((key) => ({ key, spentDelta: committed, reservedDelta: -held })),
      events: answer.array('events', (event, path) => readBudgetEvent(event, path, recorded)),
    },
  };
}

function targetsOf(answer: SqlJson): UsageTarget[] {
  return answer.array('targets', readUsageTarget);
}

function expectOutcome(answer: SqlJson, outcome: string, expected: string): void {
  if (outcome !== expected)
    throw new UnexpectedSqlJson(`${answer.path}.outcome`, JSON.stringify(expected), outcome);
}
