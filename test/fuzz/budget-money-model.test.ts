import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetV1 } from '@gatehouse/contracts';
import { createManualClock } from '@gatehouse/runtime';
import { startFakeAuthServer } from '../../services/cost-budget/src/test-support/fake-auth-server';
import {
  startBudgetTestService,
  user,
  type BudgetTestService,
} from '../../services/cost-budget/src/test-support/budget-test-service';
import { outcomeCode } from '../support/load';

type Command =
  | { kind: 'reserve'; amount: bigint; ttlSeconds: number }
  | { kind: 'commit'; pick: number; actual: bigint }
  | { kind: 'release'; pick: number }
  | { kind: 'advance'; seconds: number }
  | { kind: 'sweep' };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      amount: fc.bigInt({ min: 1n, max: 4_000_000n }),
      ttlSeconds: fc.integer({ min: 1, max: 300 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('commit' as const),
      pick: fc.nat(),
      actual: fc.bigInt({ min: 0n, max: 5_000_000n }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      seconds: fc.integer({ min: 1, max: 200 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
);

/** The reference: integer micro-units held and spent, reservations by id, on the same clock. */
interface Model {
  limit: bigint;
  spent: bigint;
  reserved: bigint;
  holds: { id: string; amount: bigint; expiresAtMs: number; open: boolean }[];
}

describe('money arithmetic against a reference model: no micro-unit lost or created', () => {
  const clock = createManualClock(Date.parse('2026-03-01T00:00:00Z'));
  let auth: Awaited<ReturnType<typeof startFakeAuthServer>>;
  let svc: BudgetTestService;
  let run = 0;
  let commands = 0;

  beforeAll(async () => {
    auth = await startFakeAuthServer();
    svc = await startBudgetTestService({
      backend: 'real',
      authAddress: auth.address,
      clock,
      env: { BUDGET_DEFAULT_GLOBAL: 'none', BUDGET_DEFAULT_USER: 'none' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await auth?.host.shutdown();
    console.log(`money model: ${run} sequences, ${commands} commands`);
  });

  const code = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'OK';
    } catch (error) {
      return outcomeCode(error);
    }
  };

  /** Expires every open hold due by now, as the service's sweep (and a refused Reserve) does. */
  const expireDue = (model: Model) => {
    for (const hold of model.holds)
      if (hold.open && hold.expiresAtMs <= clock.now()) {
        hold.open = false;
        model.reserved -= hold.amount;
      }
  };

  it('reserve / commit / release / expire sequences keep spent and reserved exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.array(command, { minLength: 8, maxLength: 30 }),
        async (limit, steps) => {
          run += 1;
          const scope = user(`model-${run}`);
          await svc.call.setBudget(
            { scope, limitMicros: limit, period: budgetV1.Period.PERIOD_TOTAL },
            'admin-token',
          );
          const model: Model = { limit, spent: 0n, reserved: 0n, holds: [] };
          for (const [index, step] of steps.entries()) {
            commands += 1;
            if (step.kind === 'advance') clock.advance(step.seconds * 1000);
            else if (step.kind === 'sweep') {
              await svc.app.sweepExpired();
              expireDue(model);
            } else if (step.kind === 'reserve') {
              const fits = () => model.spent + model.reserved + step.amount <= model.limit;
              if (!fits()) expireDue(model);
              const expected = fits() ? 'OK' : 'RESOURCE_EXHAUSTED';
              let id = '';
              const outcome = await code(
                svc.call
                  .reserve({
                    idempotencyKey: `m${run}-${index}`,
                    scopes: [scope],
                    amountMicros: step.amount,
                    ttlSeconds: step.ttlSeconds,
                  })
                  .then((r) => (id = r.reservationId)),
              );
              expect(outcome, `reserve ${step.amount} of ${model.limit}`).toBe(expected);
              if (outcome === 'OK') {
                model.reserved += step.amount;
                model.holds.push({
                  id,
                  amount: step.amount,
                  expiresAtMs: clock.now() + step.ttlSeconds * 1000,
                  open: true,
                });
              }
            } else if (model.holds.length > 0) {
              const hold = model.holds[step.pick % model.holds.length]!;
              const settle =
                step.kind === 'commit'
                  ? svc.call.commit({ reservationId: hold.id, actualMicros: step.actual })
                  : svc.call.release({ reservationId: hold.id });
              const outcome = await code(settle);
              if (!hold.open) expect(outcome).toBe('FAILED_PRECONDITION');
              else {
                hold.open = false;
                model.reserved -= hold.amount;
                if (hold.expiresAtMs <= clock.now()) expect(outcome).toBe('FAILED_PRECONDITION');
                else {
                  expect(outcome).toBe('OK');
                  if (step.kind === 'commit') model.spent += step.actual;
                }
              }
            }
            const budget = await svc.call.getBudget({ scope }, 'admin-token');
            expect(
              [budget.spentMicros, budget.reservedMicros],
              `after ${JSON.stringify(step, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
            ).toEqual([model.spent, model.reserved]);
          }
          const verdict = await svc.call.verifyLedger({ scopes: [scope] }, 'admin-token');
          expect(verdict.consistent).toBe(true);
        },
      ),
      { numRuns: 15, seed: 42, endOnFailure: true },
    );
  }, 90_000);
});
