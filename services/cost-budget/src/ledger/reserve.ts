import { exhaustedError, exhaustedEvent } from './exhausted-error';
import { replayOrConflict, requestHash } from './idempotency';
import type { LedgerContext } from './ledger-context';
import type { ReserveInput, ReserveResult } from './reserve-batch';

export type { ReserveInput, ReserveResult } from './reserve-batch';

/**
 * Holds the amount on every scope, all or nothing, in one transaction with its ledger entries and
 * idempotency record (shared with the other Reserves of its batch). Replays return the first
 * result. When refused, lapsed holds are returned first (so an unswept expiry never causes a
 * false refusal) and the reservation is tried once more.
 */
export async function reserve(
  context: LedgerContext & { expireDue(): Promise<number> },
  input: ReserveInput,
): Promise<ReserveResult> {
  const hash = requestHash('reserve', {
    scopes: input.scopes,
    amount: input.amountMicros,
    ttl: input.ttlSeconds,
    description: input.description,
  });
  let sweptAfterRefusal = false;
  for (;;) {
    const outcome = await context.batches.reserve({ input, requestHash: hash });
    if (outcome.kind === 'recorded') {
      return replayOrConflict(outcome.record, 'reserve', hash, input.idempotencyKey) as ReserveResult;
    }
    if (outcome.kind === 'reserved') {
      await context.afterCommit({ entries: outcome.entries, events: [] });
      return outcome.result;
    }
    if (!sweptAfterRefusal && (await context.expireDue()) > 0) {
      sweptAfterRefusal = true;
      continue;
    }
    await context.onExhausted(exhaustedEvent(outcome.refusal, new Date(outcome.nowMs)));
    throw exhaustedError(outcome.refusal, input.amountMicros, outcome.nowMs);
  }
}
