import { budgetV1 } from '@gatehouse/contracts';
import { GatehouseError, type SqlExecutor, type SqlRow } from '@gatehouse/runtime';
import { toMicros } from '../domain/money';
import { insertBudgetEvents, thresholdCrossings, type BudgetEventRecord } from './budget-events';
import { balanceView, type BalanceView, type LedgerContext } from './ledger-context';
import { appendLedgerEntries, type LedgerEntry } from './ledger-entries';
import { fromStoredTarget, type StoredTarget } from './usage-key';
import { adjustUsage } from './usage-rows';

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

type Outcome = { kind: 'settled'; result: SettlementResult } | { kind: 'expired'; expiredAtMs: number };

const finalStatus = { commit: 'committed', release: 'released', expire: 'expired' } as const;

/**
 * Commits, releases or expires one open reservation in one transaction, against the usage rows of
 * the periods it was reserved in. A reservation past its expiry is expired here (its hold returned)
 * and the Commit/Release is refused; settled or unknown reservations are refused without any change.
 */
export async function settleReservation(
  context: LedgerContext,
  reservationId: string,
  settlement: Settlement,
): Promise<SettlementResult> {
  const nowMs = context.clock.now();
  const at = new Date(nowMs);
  const effects: { entries: LedgerEntry[]; events: BudgetEventRecord[] } = { entries: [], events: [] };
  const outcome = await context.sql.transaction(async (tx): Promise<Outcome> => {
    const row = await lockReservation(tx, reservationId);
    const status = String(row.status);
    if (status !== 'open') throw alreadySettled(reservationId, status, row.settled_at as Date | null);
    const expiresAtMs = (row.expires_at as Date).getTime();
    const lapsed = settlement.action !== 'expire' && expiresAtMs <= nowMs;
    const effective: Settlement = lapsed ? { action: 'expire' } : settlement;
    const result = await apply(context, tx, row, effective, at, effects);
    return lapsed ? { kind: 'expired', expiredAtMs: expiresAtMs } : { kind: 'settled', result };
  });
  await context.afterCommit(effects);
  if (outcome.kind === 'expired') {
    throw new GatehouseError(
      'FAILED_PRECONDITION',
      `reservation ${reservationId} expired at ${new Date(outcome.expiredAtMs).toISOString()}; its hold was returned`,
      { reason: 'RESERVATION_EXPIRED', field: 'reservation_id', metadata: { reservation_id: reservationId } },
    );
  }
  return outcome.result;
}

async function apply(
  context: LedgerContext,
  tx: SqlExecutor,
  row: SqlRow,
  settlement: Settlement,
  at: Date,
  effects: { entries: LedgerEntry[]; events: BudgetEventRecord[] },
): Promise<SettlementResult> {
  const reservationId = String(row.reservation_id);
  const held = toMicros(row.amount_micros);
  const actual = settlement.action === 'commit' ? settlement.actualMicros : 0n;
  const overReservation = actual > held;
  const committed = overReservation && context.overCommitPolicy === 'cap' ? held : actual;
  const targets = (parseHolds(row.holds) as StoredTarget[]).map(fromStoredTarget);
  const result: SettlementResult = {
    reservationId,
    committedMicros: committed,
    releasedMicros: committed >= held ? 0n : held - committed,
    overReservation,
    balances: [],
  };
  for (const target of targets) {
    const after = await adjustUsage(tx, target, { spentMicros: committed, reservedMicros: -held, at });
    if (after === null) {
      throw GatehouseError.invalidArgument(
        'actual_micros',
        `${actual} would take the spend of a scope past int64`,
      );
    }
    result.balances.push(balanceView(target, after));
    effects.entries.push({ key: target, spentDelta: committed, reservedDelta: -held });
    const context_ = { at, reservationId };
    effects.events.push(
      ...thresholdCrossings(target, after.spentMicros - committed, after.spentMicros, context_),
    );
    const extra =
      settlement.action === 'expire'
        ? BudgetEventType.BUDGET_EVENT_TYPE_RESERVATION_EXPIRED
        : overReservation
          ? BudgetEventType.BUDGET_EVENT_TYPE_OVER_RESERVATION
          : undefined;
    if (extra !== undefined) {
      const base = { scope: target.scope, thresholdPercent: 0, occurredAt: at, reservationId };
      effects.events.push({
        ...base,
        type: extra,
        spentMicros: after.spentMicros,
        limitMicros: target.limitMicros,
      });
    }
  }
  await tx.query(
    `UPDATE reservations SET status = $2, settled_at = $3, committed_micros = $4 WHERE reservation_id = $1`,
    [reservationId, finalStatus[settlement.action], at, committed.toString()],
  );
  await appendLedgerEntries(tx, { type: settlement.action, referenceId: reservationId, at }, effects.entries);
  await insertBudgetEvents(tx, effects.events);
  return result;
}

async function lockReservation(tx: SqlExecutor, reservationId: string): Promise<SqlRow> {
  const { rows } = await tx.query(
    `SELECT reservation_id, amount_micros, status, holds, expires_at, settled_at
     FROM reservations WHERE reservation_id = $1 FOR UPDATE`,
    [reservationId],
  );
  if (rows[0] === undefined) {
    throw new GatehouseError('NOT_FOUND', `reservation ${reservationId} does not exist`, {
      reason: 'RESERVATION_NOT_FOUND',
      field: 'reservation_id',
    });
  }
  return rows[0];
}

function alreadySettled(reservationId: string, status: string, settledAt: Date | null): GatehouseError {
  const when = settledAt === null ? '' : ` at ${settledAt.toISOString()}`;
  return new GatehouseError(
    'FAILED_PRECONDITION',
    `reservation ${reservationId} was already ${status}${when}; nothing was changed`,
    {
      reason: `RESERVATION_${status.toUpperCase()}`,
      field: 'reservation_id',
      metadata: { reservation_id: reservationId, status },
    },
  );
}

function parseHolds(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
