import { admissionResult } from './admission-result';
import { refuse } from './exhausted-error';
import { requestHash } from './idempotency';
import type { LedgerEffects } from './ledger-effects';
import type { SpendBatches } from './spend-batches';
import type { ReserveInput, ReserveResult } from './spend-items';
import { readReserveResult } from './turn-answers';

export interface ReserveDeps {
  batches: Pick<SpendBatches, 'reserve'>;
  effects: LedgerEffects;
  /** Returns the lapsed holds now (an expiry sweep); resolves how many. */
  expireDue(): Promise<number>;
}

/**
 * Holds the amount on every scope, all or nothing, in one transaction with its ledger entries and
 * idempotency record (shared with the other operations of its turn). Replays return the first
 * result. When refused, lapsed holds are returned first (so an unswept expiry never causes a
 * false refusal) and the reservation is tried once more.
 */
export async function reserve(deps: ReserveDeps, input: ReserveInput): Promise<ReserveResult> {
  const hash = requestHash('reserve', {
    scopes: input.scopes,
    amount: input.amountMicros,
    ttl: input.ttlSeconds,
    description: input.description,
  });
  let sweptAfterRefusal = false;
  for (;;) {
    const outcome = await deps.batches.reserve(input, hash);
    if (outcome.kind !== 'refused') {
      const request = { operation: 'reserve', hash, key: input.idempotencyKey };
      return admissionResult(deps.effects, outcome, request, readReserveResult);
    }
    if (!sweptAfterRefusal && (await deps.expireDue()) > 0) {
      sweptAfterRefusal = true;
      continue;
    }
    return refuse(deps.effects, outcome.refusal, input.amountMicros);
  }
}
