import type { CostBudgetConfig } from '../config';
import type { HotCounters } from '../counters/hot-counters';
import type { AccessPolicy } from '../identity/access-policy';
import type { LedgerContext } from '../ledger/ledger-context';

/** What the RPC handlers are built from (wired in app.ts). */
export interface HandlerDeps {
  config: Readonly<CostBudgetConfig>;
  ledger: LedgerContext;
  counters: HotCounters;
  access: AccessPolicy;
}
