import { budgetV1 } from '@gatehouse/contracts';
import { GatehouseError } from '@gatehouse/runtime';
import { int64Max } from '../domain/money';
import { withGlobalScope, type ScopeRef } from '../domain/scope';

const { ScopeKind, Period } = budgetV1;
const invalid = GatehouseError.invalidArgument;

/** A Scope message checked field by field; `field` is its path in the request, e.g. "scopes[1]". */
export function parseScope(scope: budgetV1.Scope | undefined, field: string): ScopeRef {
  if (scope === undefined) throw invalid(field, 'is required');
  const kinds: number[] = [
    ScopeKind.SCOPE_KIND_GLOBAL,
    ScopeKind.SCOPE_KIND_TEAM,
    ScopeKind.SCOPE_KIND_USER,
    ScopeKind.SCOPE_KIND_API_KEY,
  ];
  if (!kinds.includes(scope.kind)) {
    throw invalid(
      `${field}.kind`,
      'must be SCOPE_KIND_GLOBAL, SCOPE_KIND_TEAM, SCOPE_KIND_USER or SCOPE_KIND_API_KEY',
    );
  }
  if (scope.kind === ScopeKind.SCOPE_KIND_GLOBAL) {
    if (scope.id !== '') throw invalid(`${field}.id`, 'must be empty for the global scope');
    return { kind: scope.kind, id: '' };
  }
  if (scope.id.trim() === '') throw invalid(`${field}.id`, 'is required for this scope kind');
  if (scope.id.length > 200)
    throw invalid(`${field}.id`, `must be at most 200 characters, got ${scope.id.length}`);
  if (scope.id !== scope.id.trim() || /[\u0000-\u001f]/.test(scope.id)) {
    throw invalid(`${field}.id`, 'must not have surrounding spaces or control characters');
  }
  return { kind: scope.kind, id: scope.id };
}

/** The request's scopes, checked, without duplicates, plus global, in canonical order. */
export function parseScopes(scopes: readonly budgetV1.Scope[], field = 'scopes'): ScopeRef[] {
  if (scopes.length === 0) throw invalid(field, 'at least one scope is required');
  if (scopes.length > 32) throw invalid(field, `at most 32 scopes, got ${scopes.length}`);
  const parsed = scopes.map((scope, index) => parseScope(scope, `${field}[${index}]`));
  parsed.forEach((scope, index) => {
    const first = parsed.findIndex((other) => other.kind === scope.kind && other.id === scope.id);
    if (first !== index) throw invalid(`${field}[${index}]`, `duplicates ${field}[${first}]`);
  });
  return withGlobalScope(parsed);
}

/** A positive int64 amount: zero or missing is never a way around a budget. */
export function parsePositiveAmount(value: bigint, field: string): bigint {
  if (value <= 0n) throw invalid(field, `must be a positive number of micros, got ${value}`);
  if (value > int64Max) throw invalid(field, `must fit in int64, got ${value}`);
  return value;
}

export function parseNonNegativeAmount(value: bigint, field: string): bigint {
  if (value < 0n) throw invalid(field, `must be zero or more micros, got ${value}`);
  if (value > int64Max) throw invalid(field, `must fit in int64, got ${value}`);
  return value;
}

export function parseIdempotencyKey(value: string): string {
  if (value.length === 0) throw invalid('idempotency_key', 'is required (1-255 characters)');
  if (value.length > 255)
    throw invalid('idempotency_key', `must be at most 255 characters, got ${value.length}`);
  return value;
}

export function parseDescription(value: string, field = 'description'): string {
  if (value.length > 500) throw invalid(field, `must be at most 500 characters, got ${value.length}`);
  return value;
}

export function parseTtlSeconds(value: number, defaults: { fallback: number; max: number }): number {
  if (value === 0) return defaults.fallback;
  if (value < 0 || value > defaults.max) {
    throw invalid(
      'ttl_seconds',
      `must be from 1 to ${defaults.max} (0 means ${defaults.fallback}), got ${value}`,
    );
  }
  return value;
}

export function parseRequiredId(value: string, field: string): string {
  if (value.trim() === '') throw invalid(field, 'is required');
  if (value.length > 100) throw invalid(field, `must be at most 100 characters, got ${value.length}`);
  return value;
}

export function parsePeriod(value: budgetV1.Period, field = 'period'): budgetV1.Period {
  const periods: number[] = [
    Period.PERIOD_HOURLY,
    Period.PERIOD_DAILY,
    Period.PERIOD_WEEKLY,
    Period.PERIOD_MONTHLY,
    Period.PERIOD_TOTAL,
  ];
  if (!periods.includes(value))
    throw invalid(
      field,
      'must be PERIOD_HOURLY, PERIOD_DAILY, PERIOD_WEEKLY, PERIOD_MONTHLY or PERIOD_TOTAL',
    );
  return value;
}

export function parseThresholds(values: readonly number[], field = 'alert_thresholds_percent'): number[] {
  if (values.length > 10) throw invalid(field, `at most 10 thresholds, got ${values.length}`);
  values.forEach((value, index) => {
    if (!Number.isInteger(value) || value < 1 || value > 100) {
      throw invalid(`${field}[${index}]`, `must be a percentage from 1 to 100, got ${value}`);
    }
  });
  return [...new Set(values)].sort((a, b) => a - b);
}

export function parsePageSize(value: number): number {
  if (value < 0 || value > 500)
    throw invalid('page_size', `must be from 0 to 500 (0 means 50), got ${value}`);
  return value === 0 ? 50 : value;
}
