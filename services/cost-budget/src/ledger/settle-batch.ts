import { budgetV1 } from '@gatehouse/contracts';
import { toMicros } from '../domain/money';
import type { BudgetEventRecord } from './budget-events';
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

type BatchDeps = Pick<LedgerContext, 'sql' | 'clock' | 'overCommitPolicy'>;

type Answer = Record<string, unknown> & { outcome: string };

/**
 * Settles a batch of reservations in one statement (one transaction): `budget_settle_batch` locks
 * the reservations and their usage rows in lock order, then applies each request in arrival order
 * (a second settlement of one reservation in the same batch finds it closed).
 */
export async function runSettleBatch(
  deps: BatchDeps,
  requests: readonly SettleRequest[],
): Promise<SettleOutcome[]> {
  const nowMs = deps.clock.now();
  const at = new Date(nowMs);
  const options = {
    cap: deps.overCommitPolicy === 'cap',
    threshold: BudgetEventType.BUDGET_EVENT_TYPE_THRESHOLD_CROSSED,
    expired: BudgetEventType.BUDGET_EVENT_TYPE_RESERVATION_EXPIRED,
    over: BudgetEventType.BUDGET_EVENT_TYPE_OVER_RESERVATION,
  };
  const payload = requests.map(({ reservationId, settlement }) => ({
    rid: reservationId,
    action: settlement.action,
    actual: settlement.action === 'commit' ? settlement.actualMicros.toString() : '0',
  }));
  const { rows } = await deps.sql.query<{ outcome: Answer | string }>(
    'SELECT budget_settle_batch($1, $2::jsonb, $3::jsonb) AS outcome',
    [at, JSON.stringify(options), JSON.stringify(payload)],
  );
  return rows.map((row, index): SettleOutcome => {
    const answer = typeof row.outcome === 'string' ? (JSON.parse(row.outcome) as Answer) : row.outcome;
    if (answer.outcome === 'missing' || answer.outcome === 'overflow') return { kind: answer.outcome };
    if (answer.outcome === 'closed') {
      const settledMs = answer.settled_ms;
      return {
        kind: 'closed',
        status: String(answer.status),
        settledAtMs: settledMs === null ? null : Number(settledMs),
      };
    }
    return applied(requests[index]!.reservationId, answer, at);
  });
}

function applied(reservationId: string, answer: Answer, at: Date): SettleOutcome {
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
