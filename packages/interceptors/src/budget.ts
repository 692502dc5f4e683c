import { randomUUID } from 'node:crypto';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import {
  admit,
  GatehouseError,
  readErrorDetails,
  refuse,
  requestIdKey,
  runGuarded,
  type Guard,
  type WorkEnd,
} from '@gatehouse/runtime';

export interface BudgetOptions {
  readonly budgetClient: budgetV1.CostBudgetServiceClient;
  /** Budgets the spend counts against (the global scope always holds too). */
  readonly scopes: readonly budgetV1.Scope[];
  /** How long the reservation holds if this process dies before committing; default 60 s. */
  readonly ttlSeconds?: number;
  /** Shown in the ledger. */
  readonly description?: string;
  /** Deadline of each budget call; default 1000 ms. */
  readonly timeoutMs?: number;
  /** A commit or release that failed after the work ran (the reservation then expires on its own). */
  readonly onSettleError?: (error: unknown) => void;
}

/** What withBudget needs of the call: the runtime's CallContext fits. */
export interface BudgetedCall {
  /** The call's x-request-id: the idempotency key, so a retried request never reserves twice. */
  readonly requestId?: string;
  /** Method path; part of the idempotency key. */
  readonly method?: string;
}

export interface BudgetOutcome {
  readonly reservationId: string;
  readonly reservedMicros: bigint;
  readonly committedMicros: bigint;
}

/**
 * Reserves `estimateMicros`, runs `work`, then commits what it reports it spent, or releases the
 * reservation when it throws (and rethrows). A refused reservation is RESOURCE_EXHAUSTED (the
 * budget service's reason kept); an unreachable budget service is UNAVAILABLE: spending fails closed.
 */
export async function withBudget(
  call: BudgetedCall,
  estimateMicros: bigint | number,
  work: () => Promise<bigint | number>,
  options: BudgetOptions,
): Promise<BudgetOutcome> {
  const reservedMicros = BigInt(estimateMicros);
  let settled: Promise<BudgetOutcome> | undefined;
  const reservation = reserveGuard(options, reservedMicros, (outcome) => (settled = outcome));
  await runGuarded(reservation, call, async () => BigInt(await work()));
  return settled!;
}

/**
 * The reservation as a guard on the work: Reserve admits or refuses it; its end commits the
 * actual amount (handing over the outcome) or releases the reservation.
 */
function reserveGuard(
  options: BudgetOptions,
  reservedMicros: bigint,
  onCommit: (outcome: Promise<BudgetOutcome>) => void,
): Guard<BudgetedCall, WorkEnd<bigint>> {
  const client = options.budgetClient;
  const timeoutMs = options.timeoutMs ?? 1000;
  const deadline = () => ({ deadline: Date.now() + timeoutMs });
  return (call) => {
    const requestId = call.requestId || randomUUID();
    const metadata = () => {
      const sent = new Metadata();
      sent.set(requestIdKey, requestId);
      return sent;
    };
    const request = budgetV1.ReserveRequest.fromPartial({
      idempotencyKey: `${requestId}:${call.method ?? ''}`,
      scopes: [...options.scopes],
      amountMicros: reservedMicros,
      ttlSeconds: options.ttlSeconds ?? 60,
      description: options.description ?? call.method ?? '',
    });
    return new Promise((decided) =>
      client.reserve(request, metadata(), deadline(), (error, response) => {
        if (error) return decided(refuse(budgetFailure(error)));
        const { reservationId } = response;
        const end = (how: WorkEnd<bigint>) => {
          if ('error' in how) {
            client.release({ reservationId }, metadata(), deadline(), (releaseError) => {
              if (releaseError) options.onSettleError?.(releaseError);
            });
            return;
          }
          const committed = new Promise<bigint>((resolve) =>
            client.commit(
              { reservationId, actualMicros: how.result },
              metadata(),
              deadline(),
              (failure, answer) => {
                if (failure) {
                  options.onSettleError?.(failure);
                  resolve(0n);
                } else {
                  resolve(answer.committedMicros);
                }
              },
            ),
          );
          onCommit(committed.then((committedMicros) => ({ reservationId, reservedMicros, committedMicros })));
        };
        decided(admit({ onEnd: end }));
      }),
    );
  };
}

function budgetFailure(error: ServiceError): GatehouseError {
  const details = readErrorDetails(error.metadata);
  if (error.code === status.RESOURCE_EXHAUSTED) {
    return new GatehouseError('RESOURCE_EXHAUSTED', error.details || 'budget exhausted', {
      reason: details.reason ?? 'BUDGET_EXHAUSTED',
      metadata: details.metadata,
      retryAfterMs: details.retryAfterMs,
      cause: error,
    });
  }
  if (error.code === status.INVALID_ARGUMENT || error.code === status.FAILED_PRECONDITION) {
    return new GatehouseError('INTERNAL', 'budget reservation rejected', { cause: error });
  }
  return new GatehouseError('UNAVAILABLE', 'the budget service did not answer', {
    reason: 'BUDGET_UNAVAILABLE',
    retryAfterMs: 1000,
    cause: error,
  });
}
