import { budgetV1 } from '@gatehouse/contracts';
import { toMicros } from '../domain/money';
import type { BudgetEventRecord } from './budget-events';
import type { BatchAnswer } from './batch-answer';
import type { BalanceView, CommittedEffects, LedgerContext } from './ledger-context';
import { fromStoredTarget, type StoredTarget } from './usage-key';

const { BudgetEventType } = budgetV1;

export type Settlement =
  { action: 'commit'; actualMicros: bigint } | { action: 'release' } | { action: 'expire' };

export interface SettlementResult {
  reservationId: string;
  committedMicros: bigint;
  releasedMicros: bigint;
  overReservation: boolean;
  balances: BalanceView[];
}

export interface SettleRequest {
  reservationId: string;
  settlement: Settlement;
}

export type SettleOutcome =
  | { kind: 'missing' }
  | { kind: 'closed'; status: string; settledAtMs: number | null }
  | { kind: 'overflow' }
  | {
      kind: 'applied';
      /** A Commit/Release of a lapsed hold: the reservation was expired instead. */
      lapsed: boolean;
      expiresAtMs: number;
      result: SettlementResult;
      effects: CommittedEffects;
    };

type BatchDeps = Pick<LedgerContext, 'overCommitPolicy'>;

/** The settlements of a turn as `budget_settle_batch` takes them, with the options it applies. */
export function settlePayload(deps: BatchDeps, requests: readonly SettleRequest[]) {
  return {
    options: {
      cap: deps.overCommitPolicy === 'cap',
      threshold: BudgetEventType.BUDGET_EVENT_TYPE_THRESHOLD_CROSSED,
      expired: BudgetEventType.BUDGET_EVENT_TYPE_RESERVATION_EXPIRED,
      over: BudgetEventType.BUDGET_EVENT_TYPE_OVER_RESERVATION,
    },
    requests: requests.map(({ reservationId, settlement }) => ({
      rid: reservationId,
      action: settlement.action,
      actual: settlement.action === 'commit' ? settlement.actualMicros.toString() : '0',
    })),
  };
}

/**
 * One answer of `budget_settle_batch` as the outcome of `request`. The function locks the
 * reservations and their usage rows in lock order, then applies each request in arrival order (a
 * second settlement of one reservation in the same batch finds it closed).
 */
export function settleOutcome(answer: BatchAnswer, request: SettleRequest, at: Date): SettleOutcome {
  if (answer.outcome === 'missing' || answer.outcome === 'overflow') return { kind: answer.outcome };
  if (answer.outcome === 'closed') {
    const settledMs = answer.settled_ms;
    return {
      kind: 'closed',
      status: String(answer.status),
      settledAtMs: settledMs === null ? null : Number(settledMs),
    };
  }
  return applied(request.reservationId, answer, at);
}

function applied(reservationId: string, answer: BatchAnswer, at: Date): SettleOutcome {
  const held = toMicros(answer.held);
  const committed = toMicros(answer.committed);
  const targets = (answer.holds as StoredTarget[]).map(fromStoredTarget);
  const events = (answer.events as Record<string, unknown>[]).map((event): BudgetEventRecord => ({
    scope: { kind: Number(event.k), id: String(event.i) },
    type: Number(event.type),
    thresholdPercent: Number(event.pct),
    spentMicros: toMicros(event.spent),
    limitMicros: toMicros(event.limit),
    occurredAt: at,
    reservationId,
  }));
  return {
    kind: 'applied',
    lapsed: answer.lapsed === true,
    expiresAtMs: Number(answer.expires_ms),
    result: {
      reservationId,
      committedMicros: committed,
      releasedMicros: committed >= held ? 0n : held - committed,
      overReservation: answer.over === true,
      balances: answer.balances as BalanceView[],
    },
    effects: {
      entries: targets.map((key) => ({ key, spentDelta: committed, reservedDelta: -held })),
      events,
    },
  };
}
