import { createBatcher } from './batcher';
import type { LedgerContext } from './ledger-context';
import { runReserveBatch, type ReserveOutcome, type ReserveRequest } from './reserve-batch';
import { runSettleBatch, type SettleOutcome, type SettleRequest } from './settle-batch';

/** Group commit of the hot operations: concurrent calls of one replica share a transaction. */
export interface SpendBatches {
  reserve(request: ReserveRequest): Promise<ReserveOutcome>;
  settle(request: SettleRequest): Promise<SettleOutcome>;
}

/** Most calls per batch (more wait for the next): keeps each transaction on the global row short. */
const maxBatch = 64;
/** Two batches of a kind at once: one's round trip overlaps the other's work (they meet at the global row). */
const maxInFlight = 2;

export function createSpendBatches(
  deps: Pick<LedgerContext, 'sql' | 'clock' | 'calendar' | 'budgets' | 'overCommitPolicy'>,
): SpendBatches {
  const reserves = createBatcher<ReserveRequest, ReserveOutcome>({
    run: (requests) => runReserveBatch(deps, requests),
    maxBatch,
    maxInFlight,
  });
  const settlements = createBatcher<SettleRequest, SettleOutcome>({
    run: (requests) => runSettleBatch(deps, requests),
    maxBatch,
    maxInFlight,
  });
  return { reserve: (request) => reserves.submit(request), settle: (request) => settlements.submit(request) };
}
