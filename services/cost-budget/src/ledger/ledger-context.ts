import type { Clock, SqlStore } from '@gatehouse/runtime';
import type { OverCommitPolicy } from '../config';
import type { PeriodCalendar } from '../domain/period-calendar';
import { remainingMicros } from '../domain/money';
import type { BudgetTable } from './budget-table';
import type { BudgetEventRecord } from './budget-events';
import type { LedgerEntry } from './ledger-entries';
import type { UsageTarget } from './usage-key';
import type { SpendBatches } from './spend-batches';
import type { Usage } from './usage-rows';

/** What one committed operation changed, for the hot counters, logs and metrics (after COMMIT). */
export interface CommittedEffects {
  entries: readonly LedgerEntry[];
  events: readonly BudgetEventRecord[];
}

/** What every ledger operation needs. */
export interface LedgerContext {
  sql: SqlStore;
  clock: Clock;
  calendar: PeriodCalendar;
  budgets: BudgetTable;
  overCommitPolicy: OverCommitPolicy;
  /** Where Reserve and Commit/Release/expiry are queued to run in batches. */
  batches: SpendBatches;
  /** Called after each operation's transaction committed. Must not throw. */
  afterCommit(effects: CommittedEffects): Promise<void>;
  /** Called when a Reserve or Charge was refused for lack of budget. */
  onExhausted(event: BudgetEventRecord): Promise<void>;
}

/** A scope's standing after an operation, JSON-safe (it is stored for idempotent replays). */
export interface BalanceView {
  kind: number;
  id: string;
  limitMicros: string;
  remainingMicros: string;
  resetsAtMs: number | null;
  unlimited: boolean;
}

export function balanceView(target: UsageTarget, usage: Usage): BalanceView {
  return {
    kind: target.scope.kind,
    id: target.scope.id,
    limitMicros: target.limitMicros.toString(),
    remainingMicros: remainingMicros(target.limitMicros, usage.spentMicros, usage.reservedMicros).toString(),
    resetsAtMs: target.periodEndMs ?? null,
    unlimited: target.unlimited,
  };
}

/** Thrown inside a transaction when a usage row has no room; the transaction rolls back. */
export class ScopeExhausted extends Error {
  constructor(
    readonly target: UsageTarget,
    readonly usage: Usage,
  ) {
    super('scope exhausted');
  }
}
