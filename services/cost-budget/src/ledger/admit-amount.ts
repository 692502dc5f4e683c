import type { SqlExecutor } from '@gatehouse/runtime';
import type { ScopeRef } from '../domain/scope';
import { balanceView, ScopeExhausted, type BalanceView, type LedgerContext } from './ledger-context';
import type { LedgerEntry } from './ledger-entries';
import { usageTarget, type UsageTarget } from './usage-key';
import { admitToUsage, readUsage, type Usage } from './usage-rows';

export interface Admission {
  targets: UsageTarget[];
  before: Usage[];
  after: Usage[];
  balances: BalanceView[];
  entries: LedgerEntry[];
}

/**
 * Adds `amount` (as holds, or as spend) to every scope's current usage row, in lock order, all or
 * nothing: throws ScopeExhausted at the first scope without room, rolling the transaction back.
 */
export async function admitAmount(
  context: LedgerContext,
  tx: SqlExecutor,
  request: { scopes: readonly ScopeRef[]; amountMicros: bigint; as: 'hold' | 'spend'; nowMs: number },
): Promise<Admission> {
  const at = new Date(request.nowMs);
  const budgets = await context.budgets.resolve(tx, request.scopes);
  const targets = budgets.map((budget) =>
    usageTarget(budget, context.calendar.windowAt(budget.period, request.nowMs)),
  );
  const admission: Admission = { targets, before: [], after: [], balances: [], entries: [] };
  const spentDelta = request.as === 'spend' ? request.amountMicros : 0n;
  const reservedDelta = request.as === 'hold' ? request.amountMicros : 0n;
  for (const target of targets) {
    const after = await admitToUsage(tx, target, {
      spentMicros: spentDelta,
      reservedMicros: reservedDelta,
      limitMicros: target.limitMicros,
      at,
    });
    if (after === null) throw new ScopeExhausted(target, await readUsage(tx, target));
    admission.before.push({
      spentMicros: after.spentMicros - spentDelta,
      reservedMicros: after.reservedMicros - reservedDelta,
    });
    admission.after.push(after);
    admission.balances.push(balanceView(target, after));
    admission.entries.push({ key: target, spentDelta, reservedDelta });
  }
  return admission;
}
