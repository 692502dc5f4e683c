import type { ScopeRef } from '../domain/scope';
import type { Balance } from './balance';
import type { BudgetEventRecord } from './budget-events';
import type { IdempotencyRecord } from './idempotency';
import type { LedgerEntry } from './ledger-entries';
import type { UsageTarget } from './usage-key';
import type { Usage } from './usage-rows';

export interface ReserveInput {
  idempotencyKey: string;
  /** Validated, with the global scope, in canonical order. */
  scopes: readonly ScopeRef[];
  amountMicros: bigint;
  ttlSeconds: number;
  description: string;
}

export interface ChargeInput {
  idempotencyKey: string;
  /** Validated, with the global scope, in canonical order. */
  scopes: readonly ScopeRef[];
  amountMicros: bigint;
  description: string;
}

export type Settlement =
  { action: 'commit'; actualMicros: bigint } | { action: 'release' } | { action: 'expire' };

/** One hot operation waiting for its turn; `requestHash` identifies its parameters for idempotency. */
export type SpendItem =
  | { operation: 'reserve'; input: ReserveInput; requestHash: string }
  | { operation: 'charge'; input: ChargeInput; requestHash: string }
  | { operation: 'settle'; reservationId: string; settlement: Settlement };

export interface ReserveResult {
  reservationId: string;
  expiresAtMs: number;
  balances: Balance[];
}

export interface ChargeResult {
  chargeId: string;
  balances: Balance[];
}

export interface SettlementResult {
  reservationId: string;
  committedMicros: bigint;
  releasedMicros: bigint;
  overReservation: boolean;
  balances: Balance[];
}

/** What one committed operation changed, for the hot counters, logs and metrics (after COMMIT). */
export interface CommittedEffects {
  entries: readonly LedgerEntry[];
  events: readonly BudgetEventRecord[];
}

/** The first scope without room for a Reserve or Charge, as it stood. */
export interface Refusal {
  target: UsageTarget;
  usage: Usage;
  balance: Balance;
  nowMs: number;
}

/** The key was used before: its record, for the operation to replay or refuse. */
type Recorded = { kind: 'recorded'; record: IdempotencyRecord };

/** What a Reserve or a Charge came to in its turn. */
export type AdmissionOutcome<Result> =
  | Recorded
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'admitted'; result: Result; effects: CommittedEffects };

export type ReserveOutcome = AdmissionOutcome<ReserveResult>;
export type ChargeOutcome = AdmissionOutcome<ChargeResult>;

export type SettleOutcome =
  | { kind: 'missing' }
  | { kind: 'closed'; status: string; settledAtMs: number | null }
  | { kind: 'overflow' }
  | {
      kind: 'applied';
      /** A Commit/Release of a lapsed hold: the reservation was expired instead. */
      lapsed: boolean;
      expiresAtMs: number;
      result: SettlementResult;
      effects: CommittedEffects;
    };

/** What a turn answers for an item: the outcome of its kind. */
export type SpendOutcome =
  | { operation: 'reserve'; outcome: ReserveOutcome }
  | { operation: 'charge'; outcome: ChargeOutcome }
  | { operation: 'settle'; outcome: SettleOutcome };
