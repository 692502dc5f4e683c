import type { Clock, SqlStore } from '@gatehouse/runtime';
import type { DefaultBudgets } from '../domain/default-budget';
import type { OverCommitPolicy } from '../domain/over-commit-policy';
import type { PeriodCalendar } from '../domain/period-calendar';
import { createBudgetTable, type BudgetTable } from './budget-table';
import { expireDueReservations } from './expiry-sweeper';
import type { LedgerEffects } from './ledger-effects';
import { createSpendBatches, type SpendBatches } from './spend-batches';

/** What the ledger's operations (reserve, charge, settleReservation, the sweeper) and the RPCs use. */
export interface LedgerContext {
  sql: SqlStore;
  clock: Clock;
  calendar: PeriodCalendar;
  budgets: BudgetTable;
  /** Where Reserve, Charge and Commit/Release/expiry are queued to run in turns. */
  batches: SpendBatches;
  effects: LedgerEffects;
  /** Returns the lapsed holds now (an expiry sweep); resolves how many. */
  expireDue(): Promise<number>;
}

export interface LedgerOptions {
  sql: SqlStore;
  clock: Clock;
  calendar: PeriodCalendar;
  /** The budgets of scopes without one of their own. */
  defaults: DefaultBudgets;
  overCommitPolicy: OverCommitPolicy;
  effects: LedgerEffects;
}

export function createLedgerContext(options: LedgerOptions): LedgerContext {
  const { sql, clock, calendar, effects } = options;
  const ledger: LedgerContext = {
    sql,
    clock,
    calendar,
    budgets: createBudgetTable(options),
    batches: createSpendBatches(options),
    effects,
    expireDue: () => expireDueReservations(ledger),
  };
  return ledger;
}
