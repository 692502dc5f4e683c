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
/**
 * One batch of a kind at a time. Every batch updates the global scope's usage row, so a second
 * one only waits on its lock: with two at once the Reserve + Commit bench ran 416-546 pairs/s,
 * with one 527-623 (interleaved runs).
 */
const maxInFlight = 1;

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
