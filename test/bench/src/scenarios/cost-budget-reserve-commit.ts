import type { Scenario } from '../scenario';
import { startBenchCostBudget } from './cost-budget-bench-service';
import { reserveCommitContractFloor } from './contract-floors';
import { reserveCommitStoreFloor } from './cost-budget-store-floor';

/**
 * One Reserve then one Commit (2 RPCs; the service batches concurrent ones into shared
 * transactions) against the built cost-budget service (its own process, as in production) on real
 * PostgreSQL and Redis, spread over 64 users plus the global scope every call also holds on.
 * Teardown checks the ledger: no scope over its limit, every usage row equal to its ledger sum.
 * Measured against its store floor; the contract-only floor runs as its own row.
 */
export const costBudgetReserveCommit: Scenario = {
  name: 'cost-budget-reserve-commit',
  summary: 'Reserve + Commit pair on the cost-budget service (real PostgreSQL + Redis)',
  concurrencies: [32],
  reference: reserveCommitStoreFloor,
  async setup() {
    const budget = await startBenchCostBudget('cost-budget-reserve-commit');
    return { call: budget.reserveCommit, teardown: budget.stop };
  },
};

/** The pair's contract floor (no store: fixed answers, one thread with the client) as its own row. */
export const costBudgetPairFloor: Scenario = { ...reserveCommitContractFloor, concurrencies: [32] };
