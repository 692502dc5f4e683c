import { randomUUID } from 'node:crypto';
import type { ScopeRef } from '../domain/scope';
import { admitAmount } from './admit-amount';
import { thresholdCrossings } from './budget-events';
import { insertBudgetEvents } from './budget-events';
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

export interface ChargeInput {
  idempotencyKey: string;
  /** Validated, with the global scope, in lock order. */
  scopes: readonly ScopeRef[];
  amountMicros: bigint;
  description: string;
}

export interface ChargeResult {
  chargeId: string;
  balances: BalanceView[];
}

/**
 * Records spend in one step (a reserve and commit together): admitted only within every scope's
 * budget, all or nothing, idempotent like Reserve.
 */
export async function charge(context: LedgerContext, input: ChargeInput): Promise<ChargeResult> {
  const { idempotencyKey: key } = input;
  const hash = requestHash('charge', {
    scopes: input.scopes,
    amount: input.amountMicros,
    description: input.description,
  });
  for (let attempt = 0; ; attempt += 1) {
    const record = await findIdempotencyRecord(context.sql, key);
    if (record !== undefined) return replayOrConflict(record, 'charge', hash, key) as ChargeResult;
    const nowMs = context.clock.now();
    const at = new Date(nowMs);
    try {
      const { result, effects } = await context.sql.transaction(async (tx) => {
        const admission = await admitAmount(context, tx, { ...input, as: 'spend', nowMs });
        const result: ChargeResult = { chargeId: `chg_${randomUUID()}`, balances: admission.balances };
        await appendLedgerEntries(
          tx,
          { type: 'charge', referenceId: result.chargeId, at },
          admission.entries,
        );
        const events = admission.targets.flatMap((target, index) =>
          thresholdCrossings(
            target,
            admission.before[index]!.spentMicros,
            admission.after[index]!.spentMicros,
            {
              at,
              reservationId: '',
            },
          ),
        );
        await insertBudgetEvents(tx, events);
        const stored = { operation: 'charge', requestHash: hash, response: result, at };
        if (!(await insertIdempotencyRecord(tx, key, stored))) throw new IdempotencyRace();
        return { result, effects: { entries: admission.entries, events } };
      });
      await context.afterCommit(effects);
      return result;
    } catch (error) {
      if (error instanceof IdempotencyRace && attempt < 3) continue;
      if (error instanceof ScopeExhausted) {
        await context.onExhausted(exhaustedEvent(error, at));
        throw exhaustedError(error, input.amountMicros, nowMs);
      }
      throw error;
    }
  }
}
