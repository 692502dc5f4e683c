import { GatehouseError } from '@gatehouse/runtime';
import type { LedgerEffects } from './ledger-effects';
import type { SpendBatches } from './spend-batches';
import type { Settlement, SettlementResult } from './spend-items';

export interface SettleDeps {
  batches: Pick<SpendBatches, 'settle'>;
  effects: LedgerEffects;
}

/**
 * Commits, releases or expires one open reservation in one transaction (shared with the other
 * operations of its turn), against the usage rows of the periods it was reserved in. A
 * reservation past its expiry is expired here (its hold returned) and the Commit/Release is
 * refused; settled or unknown reservations are refused without any change.
 */
export async function settleReservation(
  deps: SettleDeps,
  reservationId: string,
  settlement: Settlement,
): Promise<SettlementResult> {
  const outcome = await deps.batches.settle(reservationId, settlement);
  if (outcome.kind === 'missing') {
    throw new GatehouseError('NOT_FOUND', `reservation ${reservationId} does not exist`, {
      reason: 'RESERVATION_NOT_FOUND',
      field: 'reservation_id',
    });
  }
  if (outcome.kind === 'closed') throw alreadySettled(reservationId, outcome.status, outcome.settledAtMs);
  if (outcome.kind === 'overflow') {
    const actual = settlement.action === 'commit' ? settlement.actualMicros : 0n;
    throw GatehouseError.invalidArgument(
      'actual_micros',
      `${actual} would take the spend of a scope past int64`,
    );
  }
  deps.effects.committed(outcome.effects);
  if (outcome.lapsed) {
    throw new GatehouseError(
      'FAILED_PRECONDITION',
      `reservation ${reservationId} expired at ${new Date(outcome.expiresAtMs).toISOString()}; its hold was returned`,
      { reason: 'RESERVATION_EXPIRED', field: 'reservation_id', metadata: { reservation_id: reservationId } },
    );
  }
  return outcome.result;
}

function alreadySettled(reservationId: string, status: string, settledAtMs: number | null): GatehouseError {
  const when = settledAtMs === null ? '' : ` at ${new Date(settledAtMs).toISOString()}`;
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
