import { createBatcher } from './batcher';
import type {
  ChargeInput,
  ChargeOutcome,
  ReserveInput,
  ReserveOutcome,
  Settlement,
  SettleOutcome,
  SpendItem,
  SpendOutcome,
} from './spend-items';
import { runSpendTurn, type SpendTurnDeps } from './spend-turn';

/** Group commit of the hot operations: concurrent calls of one replica share a transaction. */
export interface SpendBatches {
  reserve(input: ReserveInput, requestHash: string): Promise<ReserveOutcome>;
  charge(input: ChargeInput, requestHash: string): Promise<ChargeOutcome>;
  settle(reservationId: string, settlement: Settlement): Promise<SettleOutcome>;
}

/** Most operations per turn (more wait for the next): keeps each transaction on the global row short. */
const maxBatch = 128;
/**
 * One turn at a time. Every turn updates the global scope's usage row, so a second one would only
 * wait on its lock: with two batches of a kind at once the Reserve + Commit bench ran 416-546
 * pairs/s, with one 527-623 (interleaved runs).
 */
const maxInFlight = 1;

/**
 * Reserves, Charges and settlements (Commit, Release, expiry) queue for the same turns: each turn
 * is one transaction carrying what arrived while the previous one ran (`runSpendTurn`).
 */
export function createSpendBatches(deps: SpendTurnDeps): SpendBatches {
  const turns = createBatcher<SpendItem, SpendOutcome>({
    run: (items) => runSpendTurn(deps, items),
    maxBatch,
    maxInFlight,
    evenGroups: true,
  });
  // runSpendTurn answers each item with the outcome of its own kind.
  return {
    async reserve(input, requestHash) {
      const answered = await turns.submit({ operation: 'reserve', input, requestHash });
      if (answered.operation === 'reserve') return answered.outcome;
      throw mismatch('reserve', answered);
    },
    async charge(input, requestHash) {
      const answered = await turns.submit({ operation: 'charge', input, requestHash });
      if (answered.operation === 'charge') return answered.outcome;
      throw mismatch('charge', answered);
    },
    async settle(reservationId, settlement) {
      const answered = await turns.submit({ operation: 'settle', reservationId, settlement });
      if (answered.operation === 'settle') return answered.outcome;
      throw mismatch('settle', answered);
    },
  };
}

function mismatch(operation: string, answered: SpendOutcome): Error {
  return new Error(`a turn answered a ${operation} with the outcome of a ${answered.operation}`);
}
