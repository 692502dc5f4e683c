import { budgetV1 } from '@gatehouse/contracts';
import { UsageError } from '../usage-error';

const kinds: Record<string, budgetV1.ScopeKind> = {
  user: budgetV1.ScopeKind.SCOPE_KIND_USER,
  team: budgetV1.ScopeKind.SCOPE_KIND_TEAM,
  'api-key': budgetV1.ScopeKind.SCOPE_KIND_API_KEY,
  global: budgetV1.ScopeKind.SCOPE_KIND_GLOBAL,
};

/** `global`, `user:<id>`, `team:<id>` or `api-key:<key id>` -> a budget scope. */
export function parseScope(text: string): budgetV1.Scope {
  if (text === 'global') return { kind: budgetV1.ScopeKind.SCOPE_KIND_GLOBAL, id: '' };
  const colon = text.indexOf(':');
  const kind = colon < 0 ? undefined : kinds[text.slice(0, colon)];
  const id = text.slice(colon + 1);
  if (kind === undefined || kind === budgetV1.ScopeKind.SCOPE_KIND_GLOBAL || id === '') {
    throw new UsageError(
      `a scope is global, user:<id>, team:<id> or api-key:<key id>, got ${JSON.stringify(text)}`,
    );
  }
  return { kind, id };
}

/** The inverse of parseScope. */
export function formatScope(scope: budgetV1.Scope | undefined): string {
  if (scope === undefined) return '-';
  const entry = Object.entries(kinds).find(([, kind]) => kind === scope.kind);
  if (entry === undefined) return `unknown:${scope.id}`;
  return entry[0] === 'global' ? 'global' : `${entry[0]}:${scope.id}`;
}

/** Parses a scope kind name (user, team, api-key, global). */
export function parseScopeKind(text: string): budgetV1.ScopeKind {
  const kind = kinds[text];
  if (kind === undefined)
    throw new UsageError(`--kind is one of ${Object.keys(kinds).join(', ')}, got ${JSON.stringify(text)}`);
  return kind;
}

const periods: Record<string, budgetV1.Period> = {
  hourly: budgetV1.Period.PERIOD_HOURLY,
  daily: budgetV1.Period.PERIOD_DAILY,
  weekly: budgetV1.Period.PERIOD_WEEKLY,
  monthly: budgetV1.Period.PERIOD_MONTHLY,
  total: budgetV1.Period.PERIOD_TOTAL,
};

/** hourly, daily, weekly, monthly or total -> a budget period. */
export function parsePeriod(text: string): budgetV1.Period {
  const period = periods[text];
  if (period === undefined) {
    throw new UsageError(
      `--period is one of ${Object.keys(periods).join(', ')}, got ${JSON.stringify(text)}`,
    );
  }
  return period;
}

export function formatPeriod(period: budgetV1.Period): string {
  return Object.entries(periods).find(([, value]) => value === period)?.[0] ?? '-';
}
