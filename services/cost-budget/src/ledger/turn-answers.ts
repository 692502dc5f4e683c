import { readBalance } from './balance';
import { readBudgetEvent } from './budget-events';
import { readIdempotencyRecord } from './idempotency';
import type {
  ChargeOutcome,
  ChargeResult,
  Refusal,
  ReserveOutcome,
  ReserveResult,
  SettleOutcome,
} from './spend-items';
import { SqlJson, UnexpectedSqlJson } from './sql-json';
import { readUsageTarget, type UsageTarget } from './usage-key';

// The answers of functions/budget_spend_turn.sql, read into the outcomes of each kind of item.

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

/** A Reserve's answer; its ledger entries hold `amountMicros` on each target. */
export function reserveOutcome(answer: SqlJson, amountMicros: bigint, nowMs: number): ReserveOutcome {
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

/** A Charge's answer; its ledger entries spend `amountMicros` on each target. */
export function chargeOutcome(answer: SqlJson, amountMicros: bigint, nowMs: number): ChargeOutcome {
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

/** A Commit's, Release's or expiry's answer. */
export function settleOutcome(answer: SqlJson, reservationId: string, nowMs: number): SettleOutcome {
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
