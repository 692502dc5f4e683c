import { replayOrConflict } from './idempotency';
import type { LedgerEffects } from './ledger-effects';
import type { AdmissionOutcome } from './spend-items';

/**
 * What a Reserve or a Charge that was not refused answers: the first result of its idempotency key
 * (or FAILED_PRECONDITION for other parameters), or its own, once its effects are on their way.
 */
export function admissionResult<Result>(
  effects: LedgerEffects,
  outcome: Exclude<AdmissionOutcome<Result>, { kind: 'refused' }>,
  request: { operation: string; hash: string; key: string },
  read: (response: unknown, path: string) => Result,
): Result {
  if (outcome.kind === 'recorded') return replayOrConflict(outcome.record, request, read);
  effects.committed(outcome.effects);
  return outcome.result;
}
