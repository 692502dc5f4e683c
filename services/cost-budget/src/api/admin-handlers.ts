import { budgetV1 } from '@gatehouse/contracts';
import { GatehouseError, type ServiceImplementation } from '@gatehouse/runtime';
import { verifyLedger } from '../counters/verify-ledger';
import { defaultAlertThresholds } from '../domain/effective-budget';
import type { ScopeRef } from '../domain/scope';
import type { UsageTarget } from '../ledger/usage-key';
import type { HandlerDeps } from './handler-deps';
import { toBudget } from './to-proto';
import {
  parseNonNegativeAmount,
  parsePageSize,
  parsePeriod,
  parseScope,
  parseThresholds,
} from './validate-request';

type Impl = ServiceImplementation<typeof budgetV1.CostBudgetServiceService>;

/** SetBudget, ListBudgets, DeleteBudget and VerifyLedger: admin principals only. */
export function adminHandlers(
  deps: HandlerDeps,
): Pick<Impl, 'setBudget' | 'listBudgets' | 'deleteBudget' | 'verifyLedger'> {
  const { ledger, access, counters } = deps;
  return {
    async setBudget(request, context) {
      await access.requireAdmin(context.metadata, 'SetBudget');
      const scope = parseScope(request.scope, 'scope');
      const limitMicros = parseNonNegativeAmount(request.limitMicros, 'limit_micros');
      const period = parsePeriod(request.period);
      const thresholds = parseThresholds(request.alertThresholdsPercent);
      const budget = await ledger.budgets.upsert(ledger.sql, {
        scope,
        limitMicros,
        period,
        alertThresholds: thresholds.length === 0 ? defaultAlertThresholds : thresholds,
        updatedAt: new Date(ledger.clock.now()),
      });
      return { budget: toBudget(budget) };
    },

    async listBudgets(request, context) {
      await access.requireAdmin(context.metadata, 'ListBudgets');
      const limit = parsePageSize(request.pageSize);
      const kind = request.kind === budgetV1.ScopeKind.SCOPE_KIND_UNSPECIFIED ? undefined : request.kind;
      const after = parseBudgetToken(request.pageToken);
      const budgets = await ledger.budgets.list(ledger.sql, { kind, after, limit: limit + 1 });
      const page = budgets.slice(0, limit);
      const last = page[page.length - 1];
      return {
        budgets: page.map(toBudget),
        nextPageToken: budgets.length > limit && last !== undefined ? budgetToken(last.scope) : '',
      };
    },

    async deleteBudget(request, context) {
      await access.requireAdmin(context.metadata, 'DeleteBudget');
      const scope = parseScope(request.scope, 'scope');
      await ledger.budgets.remove(ledger.sql, scope);
      return {};
    },

    async verifyLedger(request, context) {
      await access.requireAdmin(context.metadata, 'VerifyLedger');
      const scopes = request.scopes.map((scope, index) => parseScope(scope, `scopes[${index}]`));
      const targets = scopes.length > 0 ? await currentTargets(deps, scopes) : await activeTargets(deps);
      const report = await verifyLedger(ledger.sql, counters, targets, { repair: request.repair });
      return {
        consistent: report.drifts.length === 0,
        drifts: report.drifts.map((drift) => ({
          scope: { kind: drift.target.scope.kind, id: drift.target.scope.id },
          ledgerSpentMicros: drift.ledger.spentMicros,
          counterSpentMicros: drift.counter.spentMicros,
          ledgerReservedMicros: drift.ledger.reservedMicros,
          counterReservedMicros: drift.counter.reservedMicros,
        })),
        scopesChecked: report.checked,
        scopesRepaired: report.repaired,
      };
    },
  };
}

async function currentTargets(deps: HandlerDeps, scopes: ScopeRef[]): Promise<UsageTarget[]> {
  const applying = await deps.ledger.budgets.applying(deps.ledger.sql, scopes, deps.ledger.clock.now());
  return applying.map((budget) => budget.target);
}

/** Every usage row of a current period (a row of an older period is history, not a live counter). */
async function activeTargets(deps: HandlerDeps): Promise<UsageTarget[]> {
  const { ledger } = deps;
  const nowMs = ledger.clock.now();
  const { rows } = await ledger.sql.query(
    `SELECT scope_kind, scope_id, period, period_start FROM scope_usage
     WHERE period = $1 OR period_start >= $2 ORDER BY scope_kind, scope_id LIMIT 10000`,
    [budgetV1.Period.PERIOD_TOTAL, new Date(nowMs - 32 * 86_400_000)],
  );
  return rows
    .map((row): UsageTarget | undefined => {
      const scope = { kind: Number(row.scope_kind), id: String(row.scope_id) };
      const window = ledger.calendar.windowAt(Number(row.period), nowMs);
      const startMs = (row.period_start as Date).getTime();
      return window.startMs === startMs
        ? {
            scope,
            period: window.period,
            periodStartMs: startMs,
            periodEndMs: window.endMs,
            limitMicros: 0n,
            unlimited: false,
            alertThresholds: [],
          }
        : undefined;
    })
    .filter((target): target is UsageTarget => target !== undefined);
}

function budgetToken(scope: ScopeRef): string {
  return Buffer.from(JSON.stringify([scope.kind, scope.id])).toString('base64url');
}

function parseBudgetToken(token: string): ScopeRef | undefined {
  if (token === '') return undefined;
  try {
    const [kind, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof kind === 'number' && typeof id === 'string') return { kind, id };
  } catch {
    // fall through
  }
  throw GatehouseError.invalidArgument('page_token', 'is not a token this RPC returned');
}
