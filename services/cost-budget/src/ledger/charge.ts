import { admissionResult } from './admission-result';
import { refuse } from './exhausted-error';
import { requestHash } from './idempotency';
import type { LedgerEffects } from './ledger-effects';
import type { SpendBatches } from './spend-batches';
import type { ChargeInput, ChargeResult } from './spend-items';
import { readChargeResult } from './turn-answers';

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
  if (outcome.kind !== 'refused') {
    const request = { operation: 'charge', hash, key: input.idempotencyKey };
    return admissionResult(deps.effects, outcome, request, readChargeResult);
  }
  return refuse(deps.effects, outcome.refusal, input.amountMicros);
}
