import type { Metadata } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import { UsageError } from '../usage-error';
import { CliFailure } from '../shared/cli-failure';
import { commandGroup } from '../shared/command-group';
import {
  commaList,
  requiredString,
  stringList,
  stringOption,
  type LeafInput,
  type LeafSpec,
} from '../shared/leaf-command';
import { formatTime, renderTable, messageJson, toJson } from '../shared/output-format';
import { unaryCall } from '../shared/unary-call';
import { withService } from '../shared/with-service';
import { formatUsd, parseMicros, parseUsd } from './money';
import { formatPeriod, formatScope, parsePeriod, parseScope, parseScopeKind } from './scope-argument';

function withBudgets<T>(
  input: LeafInput,
  context: CliContext,
  use: (client: budgetV1.CostBudgetServiceClient, metadata: Metadata) => Promise<T>,
): Promise<T> {
  return withService(budgetV1.CostBudgetServiceClient, input, context, 'required', use);
}

const scopeHelp = '  --scope <scope>          global, user:<id>, team:<id> or api-key:<key id>';

/** A money amount for a table: "unlimited", or dollars. */
function money(micros: bigint, unlimited = false): string {
  return unlimited ? 'unlimited' : formatUsd(micros);
}

/** The human view of one budget's state. */
export function renderBudgetState(budget: budgetV1.GetBudgetResponse): string {
  const rows = [
    ['scope', formatScope(budget.scope)],
    ['limit', `${money(budget.limitMicros, budget.unlimited)}${budget.explicit ? '' : ' (default)'}`],
    ['period', formatPeriod(budget.period)],
    ['spent', formatUsd(budget.spentMicros)],
    ['reserved', formatUsd(budget.reservedMicros)],
    ['remaining', money(budget.remainingMicros, budget.unlimited)],
    ['period started', formatTime(budget.periodStartedAt)],
    ['resets at', formatTime(budget.resetsAt)],
  ];
  const width = Math.max(...rows.map(([label = '']) => label.length));
  return rows.map(([label = '', value = '']) => `${`${label}:`.padEnd(width + 2)}${value}\n`).join('');
}

/** The human view of configured budgets. */
export function renderBudgets(budgets: readonly budgetV1.Budget[]): string {
  return renderTable(
    ['SCOPE', 'LIMIT', 'PERIOD', 'ALERTS %', 'UPDATED'],
    budgets.map((budget) => [
      formatScope(budget.scope),
      formatUsd(budget.limitMicros),
      formatPeriod(budget.period),
      budget.alertThresholdsPercent.length === 0 ? '-' : budget.alertThresholdsPercent.join(','),
      formatTime(budget.updatedAt),
    ]),
  );
}

const setSpec: LeafSpec = {
  path: 'budgets set',
  summary: "set a scope's spend limit (admin)",
  service: 'costBudget',
  options: {
    scope: { type: 'string' },
    'limit-usd': { type: 'string' },
    'limit-micros': { type: 'string' },
    period: { type: 'string', default: 'daily' },
    alerts: { type: 'string' },
  },
  help: `Usage: gatehouse budgets set --scope <scope> (--limit-usd <dollars> | --limit-micros <n>)
                           [--period <period>] [--alerts <p>[,<p>…]]

Sets a scope's budget (SetBudget; needs an admin credential). Money is exact: --limit-usd takes up
to six decimals (0.25 = 250000 micros), --limit-micros an integer (1 USD = 1,000,000 micros).

Options:
${scopeHelp}
  --limit-usd <dollars>    the limit in dollars, e.g. 5 or 0.25
  --limit-micros <n>       the limit in micro-dollars
  --period <period>        hourly, daily, weekly, monthly or total (default daily)
  --alerts <p>[,<p>…]      alert thresholds in percent (default 50,80,100)
`,
  async run(input, context) {
    const scope = parseScope(requiredString(input.values, 'scope'));
    const usd = stringOption(input.values, 'limit-usd');
    const micros = stringOption(input.values, 'limit-micros');
    if ((usd === undefined) === (micros === undefined)) {
      throw new UsageError('give exactly one of --limit-usd and --limit-micros');
    }
    const limitMicros = usd !== undefined ? parseUsd(usd) : parseMicros(micros ?? '');
    const alertThresholdsPercent = commaList(input.values, 'alerts').map((text) => {
      if (!/^\d+$/.test(text))
        throw new UsageError(`--alerts takes whole percentages, got ${JSON.stringify(text)}`);
      return Number(text);
    });
    const request: budgetV1.SetBudgetRequest = {
      scope,
      limitMicros,
      period: parsePeriod(stringOption(input.values, 'period') ?? 'daily'),
      alertThresholdsPercent,
    };
    const response = await withBudgets(input, context, (client, metadata) =>
      unaryCall(client, client.setBudget, request, metadata, input.target),
    );
    if (input.json) context.stdout.write(toJson(messageJson(budgetV1.SetBudgetResponse, response)));
    else {
      const budget = response.budget;
      if (budget === undefined) throw new CliFailure('the cost-budget service answered without the budget');
      context.stdout.write(
        `Budget of ${formatScope(budget.scope)} set to ${formatUsd(budget.limitMicros)} ${formatPeriod(budget.period)}.\n`,
      );
    }
    return 0;
  },
};

const getSpec: LeafSpec = {
  path: 'budgets get',
  summary: "a scope's limit, spend, holds and reset time",
  service: 'costBudget',
  options: { scope: { type: 'string' } },
  help: `Usage: gatehouse budgets get --scope <scope>

Shows a scope's budget now (GetBudget): limit, spent, reserved, remaining, period and reset time.
Your own user or API-key scope needs any credential; other scopes an admin.

Options:
${scopeHelp}
`,
  async run(input, context) {
    const scope = parseScope(requiredString(input.values, 'scope'));
    const response = await withBudgets(input, context, (client, metadata) =>
      unaryCall(client, client.getBudget, { scope }, metadata, input.target),
    );
    context.stdout.write(
      input.json ? toJson(messageJson(budgetV1.GetBudgetResponse, response)) : renderBudgetState(response),
    );
    return 0;
  },
};

const listSpec: LeafSpec = {
  path: 'budgets list',
  summary: 'the budgets set explicitly (admin)',
  service: 'costBudget',
  options: { kind: { type: 'string' } },
  help: `Usage: gatehouse budgets list [--kind <kind>]

Lists every explicitly set budget, every page (ListBudgets; needs an admin credential). Scopes
without one use the configured defaults.

Options:
  --kind <kind>            only user, team, api-key or global budgets
`,
  async run(input, context) {
    const kindText = stringOption(input.values, 'kind');
    const kind =
      kindText === undefined ? budgetV1.ScopeKind.SCOPE_KIND_UNSPECIFIED : parseScopeKind(kindText);
    const budgets = await withBudgets(input, context, async (client, metadata) => {
      const found: budgetV1.Budget[] = [];
      let pageToken = '';
      do {
        const page = await unaryCall(
          client,
          client.listBudgets,
          { kind, pageSize: 100, pageToken },
          metadata,
          input.target,
        );
        found.push(...page.budgets);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return found;
    });
    context.stdout.write(
      input.json
        ? toJson(budgets.map((budget) => messageJson(budgetV1.Budget, budget)))
        : renderBudgets(budgets),
    );
    return 0;
  },
};

const verifySpec: LeafSpec = {
  path: 'budgets verify',
  summary: 'compare the ledger with the hot counters; exits 1 on drift (admin)',
  service: 'costBudget',
  options: { scope: { type: 'string', multiple: true }, repair: { type: 'boolean', default: false } },
  help: `Usage: gatehouse budgets verify [--scope <scope> …] [--repair]

Checks that the fast counters agree with the ledger, the truth (VerifyLedger; needs an admin
credential). Exits 0 when consistent (or repaired), 1 when drift remains.

Options:
${scopeHelp} (repeatable; default: every scope)
  --repair                 rebuild drifting counters from the ledger
`,
  async run(input, context) {
    const scopes = stringList(input.values, 'scope').map(parseScope);
    const repair = input.values.repair === true;
    const response = await withBudgets(input, context, (client, metadata) =>
      unaryCall(client, client.verifyLedger, { scopes, repair }, metadata, input.target),
    );
    if (input.json) context.stdout.write(toJson(messageJson(budgetV1.VerifyLedgerResponse, response)));
    else {
      const summary = response.consistent
        ? `consistent: ${response.scopesChecked} scopes checked\n`
        : `drift in ${response.drifts.length} of ${response.scopesChecked} scopes` +
          `${repair ? `, ${response.scopesRepaired} repaired` : ' (run with --repair to fix)'}\n`;
      const drifts =
        response.drifts.length === 0
          ? ''
          : `\n${renderTable(
              ['SCOPE', 'LEDGER SPENT', 'COUNTER SPENT', 'LEDGER RESERVED', 'COUNTER RESERVED'],
              response.drifts.map((drift) => [
                formatScope(drift.scope),
                formatUsd(drift.ledgerSpentMicros),
                formatUsd(drift.counterSpentMicros),
                formatUsd(drift.ledgerReservedMicros),
                formatUsd(drift.counterReservedMicros),
              ]),
            )}`;
      context.stdout.write(summary + drifts);
    }
    const repaired = repair && response.scopesRepaired >= response.drifts.length;
    return response.consistent || repaired ? 0 : 1;
  },
};

export const budgetsSpecs: readonly LeafSpec[] = [setSpec, getSpec, listSpec, verifySpec];

export const budgetsCommand = commandGroup('budgets', 'set and read cost budgets', budgetsSpecs);
