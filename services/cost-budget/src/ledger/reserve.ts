import { randomUUID } from 'node:crypto';
import type { ScopeRef } from '../domain/scope';
import { admitAmount } from './admit-amount';
import { exhaustedError, exhaustedEvent } from './exhausted-error';
import {
  findIdempotencyRecord,
  IdempotencyRace,
  insertIdempotencyRecord,
  replayOrConflict,
  requestHash,
} from './idempotency';
import { ScopeExhausted, type BalanceView, type LedgerContext } from './ledger-context';
import { appendLedgerEntries } from './ledger-entries';
import { toStoredTarget } from './usage-key';

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

/**
 * Holds the amount on every scope, all or nothing, in one transaction with its ledger entries and
 * idempotency record. Replays return the first result. When refused, lapsed holds are returned
 * first (so an unswept expiry never causes a false refusal) and the reservation is tried once more.
 */
export async function reserve(
  context: LedgerContext & { expireDue(): Promise<number> },
  input: ReserveInput,
): Promise<ReserveResult> {
  const { idempotencyKey: key } = input;
  const hash = requestHash('reserve', {
    scopes: input.scopes,
    amount: input.amountMicros,
    ttl: input.ttlSeconds,
    description: input.description,
  });
  let sweptAfterRefusal = false;
  for (let attempt = 0; ; attempt += 1) {
    const record = await findIdempotencyRecord(context.sql, key);
    if (record !== undefined) return replayOrConflict(record, 'reserve', hash, key) as ReserveResult;
    const nowMs = context.clock.now();
    try {
      return await context.sql
        .transaction(async (tx) => {
          const admission = await admitAmount(context, tx, { ...input, as: 'hold', nowMs });
          const at = new Date(nowMs);
          const result: ReserveResult = {
            reservationId: `rsv_${randomUUID()}`,
            expiresAtMs: nowMs + input.ttlSeconds * 1000,
            balances: admission.balances,
          };
          await tx.query(
            `INSERT INTO reservations (reservation_id, amount_micros, status, holds, description, created_at, expires_at)
           VALUES ($1, $2, 'open', $3::jsonb, $4, $5, $6)`,
            [
              result.reservationId,
              input.amountMicros.toString(),
              JSON.stringify(admission.targets.map(toStoredTarget)),
              input.description,
              at,
              new Date(result.expiresAtMs),
            ],
          );
          await appendLedgerEntries(
            tx,
            { type: 'reserve', referenceId: result.reservationId, at },
            admission.entries,
          );
          const stored = { operation: 'reserve', requestHash: hash, response: result, at };
          if (!(await insertIdempotencyRecord(tx, key, stored))) throw new IdempotencyRace();
          return { result, entries: admission.entries };
        })
        .then(async ({ result, entries }) => {
          await context.afterCommit({ entries, events: [] });
          return result;
        });
    } catch (error) {
      if (error instanceof IdempotencyRace && attempt < 3) continue;
      if (error instanceof ScopeExhausted) {
        if (!sweptAfterRefusal && (await context.expireDue()) > 0) {
          sweptAfterRefusal = true;
          continue;
        }
        await context.onExhausted(exhaustedEvent(error, new Date(nowMs)));
        throw exhaustedError(error, input.amountMicros, nowMs);
      }
      throw error;
    }
  }
}
