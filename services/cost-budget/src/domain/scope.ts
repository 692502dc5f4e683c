import { budgetV1 } from '@gatehouse/contracts';

const { ScopeKind } = budgetV1;

/** A budget holder: {kind, id}; the global scope has an empty id. */
export interface ScopeRef {
  readonly kind: budgetV1.ScopeKind;
  readonly id: string;
}

export const globalScope: ScopeRef = Object.freeze({ kind: ScopeKind.SCOPE_KIND_GLOBAL, id: '' });

const kindNames: Record<number, string> = {
  [ScopeKind.SCOPE_KIND_GLOBAL]: 'global',
  [ScopeKind.SCOPE_KIND_TEAM]: 'team',
  [ScopeKind.SCOPE_KIND_USER]: 'user',
  [ScopeKind.SCOPE_KIND_API_KEY]: 'api_key',
};

/** Human and log form: "global", "user:42", "team:search", "api_key:k_1". */
export function scopeLabel(scope: ScopeRef): string {
  const name = kindNames[scope.kind] ?? `kind${scope.kind}`;
  return scope.kind === ScopeKind.SCOPE_KIND_GLOBAL ? name : `${name}:${scope.id}`;
}

export function sameScope(a: ScopeRef, b: ScopeRef): boolean {
  return a.kind === b.kind && a.id === b.id;
}

/**
 * The canonical order of an operation's scopes (its request hash and the order of its balances):
 * API keys, users, teams, then global last, ids in byte order, the order in which the spend turns
 * lock usage rows (migrations/functions/budget_lock_usage.sql).
 */
export function compareScopes(a: ScopeRef, b: ScopeRef): number {
  if (a.kind !== b.kind) return b.kind - a.kind;
  // UTF-8 byte order: the order of PostgreSQL's COLLATE "C", which SQL that locks rows itself uses.
  return Buffer.compare(Buffer.from(a.id, 'utf8'), Buffer.from(b.id, 'utf8'));
}

/** The scopes an operation touches: the given ones plus global, without duplicates, in canonical order. */
export function withGlobalScope(scopes: readonly ScopeRef[]): ScopeRef[] {
  const all = [...scopes, globalScope];
  const unique = all.filter((scope, index) => all.findIndex((other) => sameScope(other, scope)) === index);
  return unique.map((s) => ({ kind: s.kind, id: s.id })).sort(compareScopes);
}
