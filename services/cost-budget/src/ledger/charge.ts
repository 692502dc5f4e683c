import { exhaustedError, exhaustedEvent } from './exhausted-error';
import { replayOrConflict, requestHash } from './idempotency';
import type { LedgerEffects } from './ledger-effects';
import type { SpendBatches } from './spend-batches';
import type { ChargeInput, ChargeResult } from './spend-items';
import { readChargeResult } from './spend-turn';

export interface ChargeDeps {
  batches: Pick<SpendBatches, 'charge'>;
  effects: LedgerEffects;
}

/**
 * Records spend in one step (a Reserve and Commit together), in the same turns as they run:
 * admitted only within every scope's budget, all or nothing, idempotent like Reserve.
 */
export async function charge(deps: ChargeDeps, input: ChargeInput): Promise<ChargeResult> {
  const hash = requestHash('charge', {
    scopes: input.scopes,
    amount: input.amountMicros,
    description: input.description,
  });
  const outcome = await deps.batches.charge(input, hash);
  if (outcome.kind === 'recorded') {
    const response = replayOrConflict(outcome.record, 'charge', hash, input.idempotencyKey);
    return readChargeResult(response, 'idempotency_keys.response');
  }
  if (outcome.kind === 'charged') {
    deps.effects.committed(outcome.effects);
    return outcome.result;
  }
  await deps.effects.exhausted(exhaustedEvent(outcome.refusal));
  throw exhaustedError(outcome.refusal, input.amountMicros);
}
