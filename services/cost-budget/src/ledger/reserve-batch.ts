import { randomUUID } from 'node:crypto';
import { budgetV1 } from '@gatehouse/contracts';
import { periodNames } from '../domain/default-budget';
import { toMicros } from '../domain/money';
import type { ScopeRef } from '../domain/scope';
import type { IdempotencyRecord } from './idempotency';
import { ScopeExhausted, type BalanceView, type LedgerContext } from './ledger-context';
import type { LedgerEntry } from './ledger-entries';
import type { BatchAnswer } from './batch-answer';
import { fromStoredTarget, type StoredTarget } from './usage-key';

export interface ReserveInput {
  idempotencyKey: string;
  /** Validated, with the global scope, in lock order. */
  scopes: readonly ScopeRef[];
  amountMicros: bigint;
  ttlSeconds: number;
  description: string;
}

export interface ReserveResult {
  reservationId: string;
  expiresAtMs: number;
  balances: BalanceView[];
}

/** One Reserve of a batch: its input and the hash of its parameters (for idempotency). */
export interface ReserveRequest {
  input: ReserveInput;
  requestHash: string;
}

export type ReserveOutcome =
  | { kind: 'recorded'; record: IdempotencyRecord }
  | { kind: 'refused'; refusal: ScopeExhausted; nowMs: number }
  | { kind: 'reserved'; result: ReserveResult; entries: LedgerEntry[] };

type BatchDeps = Pick<LedgerContext, 'calendar' | 'budgets'>;

const scopeKinds = [
  budgetV1.ScopeKind.SCOPE_KIND_GLOBAL,
  budgetV1.ScopeKind.SCOPE_KIND_TEAM,
  budgetV1.ScopeKind.SCOPE_KIND_USER,
  budgetV1.ScopeKind.SCOPE_KIND_API_KEY,
];

/** What `budget_reserve_batch` reads: the Reserves, and the budget context they are decided in. */
export interface ReservePayload {
  context: ReturnType<typeof budgetContext>;
  requests: unknown[];
}

/**
 * The Reserves of a turn as `budget_reserve_batch` takes them: it finds each scope's budget (its
 * own, or the default sent along), locks every usage row of the batch in lock order, and holds each
 * request's amount on all its scopes or none, in arrival order.
 */
export function reservePayload(
  deps: BatchDeps,
  requests: readonly ReserveRequest[],
  nowMs: number,
): ReservePayload {
  return {
    context: budgetContext(deps, nowMs),
    requests: requests.map((request) => ({
      key: request.input.idempotencyKey,
      hash: request.requestHash,
      rid: `rsv_${randomUUID()}`,
      amount: request.input.amountMicros.toString(),
      expires_ms: nowMs + request.input.ttlSeconds * 1000,
      description: request.input.description,
      scopes: request.input.scopes.map((scope) => ({ k: scope.kind, i: scope.id })),
    })),
  };
}

/** One answer of `budget_reserve_batch` as the outcome of `request`. */
export function reserveOutcome(answer: BatchAnswer, request: ReserveRequest, nowMs: number): ReserveOutcome {
  if (answer.outcome === 'recorded') {
    return {
      kind: 'recorded',
      record: {
        operation: String(answer.operation),
        requestHash: String(answer.hash),
        response: answer.response,
      },
    };
  }
  if (answer.outcome === 'refused') {
    const usage = { spentMicros: toMicros(answer.spent), reservedMicros: toMicros(answer.reserved) };
    const target = fromStoredTarget(answer.target as StoredTarget);
    return { kind: 'refused', refusal: new ScopeExhausted(target, usage), nowMs };
  }
  const amount = request.input.amountMicros;
  const holds = (answer.holds as StoredTarget[]).map(fromStoredTarget);
  return {
    kind: 'reserved',
    result: answer.response as ReserveResult,
    entries: holds.map((key) => ({ key, spentDelta: 0n, reservedDelta: amount })),
  };
}

/** The default budget of each scope kind and the current window of each period, as the SQL reads them. */
function budgetContext(deps: BatchDeps, nowMs: number) {
  const defaults = Object.fromEntries(
    scopeKinds.map((kind) => {
      const budget = deps.budgets.defaultFor({ kind, id: '' });
      const stored = { p: budget.period, l: budget.limitMicros.toString(), u: budget.unlimited };
      return [kind, { ...stored, t: [...budget.alertThresholds] }];
    }),
  );
  const windows = Object.fromEntries(
    Object.values(periodNames).map((period) => {
      const window = deps.calendar.windowAt(period, nowMs);
      return [period, { s: window.startMs, e: window.endMs ?? null }];
    }),
  );
  return { defaults, windows };
}
