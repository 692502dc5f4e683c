import { budgetV1 } from '@gatehouse/contracts';
import { GatehouseError, type ServiceImplementation } from '@gatehouse/runtime';
import { readUsageThroughCounters } from '../counters/usage-reader';
import { remainingMicros } from '../domain/money';
import { globalScope } from '../domain/scope';
import { listBudgetEvents } from '../ledger/budget-events';
import type { HandlerDeps } from './handler-deps';
import { toBudgetEvent } from './to-proto';
import { parsePageSize, parseScope } from './validate-request';

type Impl = ServiceImplementation<typeof budgetV1.CostBudgetServiceService>;

/** GetBudget and ListBudgetEvents: callers read their own scopes, admins and services any. */
export function readHandlers(deps: HandlerDeps): Pick<Impl, 'getBudget' | 'listBudgetEvents'> {
  const { ledger, counters, access } = deps;
  return {
    async getBudget(request, context) {
      const scope = parseScope(request.scope, 'scope');
      await access.requireReader(context.metadata, scope);
      const nowMs = ledger.clock.now();
      const [applied] = await ledger.budgets.applying(ledger.sql, [scope], nowMs);
      const { target, explicit } = applied!;
      const { usage } = await readUsageThroughCounters(counters, ledger.sql, target, nowMs);
      return {
        scope,
        limitMicros: target.limitMicros,
        spentMicros: usage.spentMicros,
        reservedMicros: usage.reservedMicros,
        remainingMicros: remainingMicros(target.limitMicros, usage.spentMicros, usage.reservedMicros),
        period: target.period,
        resetsAt: target.periodEndMs === undefined ? undefined : new Date(target.periodEndMs),
        periodStartedAt: new Date(target.periodStartMs),
        explicit,
        unlimited: target.unlimited,
      };
    },

    async listBudgetEvents(request, context) {
      const limit = parsePageSize(request.pageSize);
      const scope = request.scope === undefined ? undefined : parseScope(request.scope, 'scope');
      // Without a scope: every scope's events, which only callers who read everything may list.
      await access.requireReader(context.metadata, scope ?? globalScope);
      const beforeId = parseEventToken(request.pageToken);
      const events = await listBudgetEvents(ledger.sql, { scope, beforeId, limit: limit + 1 });
      const page = events.slice(0, limit);
      const last = page[page.length - 1];
      return {
        events: page.map(toBudgetEvent),
        nextPageToken: events.length > limit && last !== undefined ? last.eventId.toString() : '',
      };
    },
  };
}

function parseEventToken(token: string): bigint | undefined {
  if (token === '') return undefined;
  if (!/^\d{1,19}$/.test(token))
    throw GatehouseError.invalidArgument('page_token', 'is not a token this RPC returned');
  return BigInt(token);
}
