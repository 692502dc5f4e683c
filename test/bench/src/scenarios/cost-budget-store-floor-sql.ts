import { budgetV1 } from '@gatehouse/contracts';

/**
 * The fewest PostgreSQL writes a turn of Reserves and Commits needs under the cost-budget storage
 * rules: the service's own steps of a turn without its decisions. The turn's usage rows are locked
 * in the service's lock order (budget_lock_usage), then the service's writes record each Reserve's
 * reservation row, idempotency record and ledger entries, each Commit's reservation update and
 * ledger entries, and the usage rows' new totals (budget_record_turn), all in one statement and
 * transaction. No admission check, no balances or events: what is left of a Reserve and a Commit
 * once everything but the durable record is taken away.
 */
export const storeFloorTurnFunction = `
CREATE OR REPLACE FUNCTION bench_store_floor_turn(p_now timestamptz, p_usage jsonb, p_items jsonb, p_answers jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM FROM budget_lock_usage(p_now, p_usage);
  PERFORM FROM budget_record_turn(p_now, '{}',
    ARRAY(SELECT x FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(x, n) ORDER BY n),
    ARRAY(SELECT x FROM jsonb_array_elements(p_answers) WITH ORDINALITY AS e(x, n) ORDER BY n));
END;
$$;
`;

/** One operation of a floor turn; a Commit carries its reservation's hold (the server remembers it). */
export type FloorOperation =
  | { kind: 'reserve'; key: string; rid: string; amount: bigint; user: string }
  | { kind: 'commit'; rid: string; actual: bigint; held: { amount: bigint; user: string } };

const dayMs = 86_400_000;

/** The usage row of a scope in the day of `nowMs` (the floor's one period), as a target. */
function target(kind: budgetV1.ScopeKind, id: string, limitMicros: bigint, nowMs: number) {
  const startMs = nowMs - (nowMs % dayMs);
  return {
    scope: { kind, id },
    period: budgetV1.Period.PERIOD_DAILY,
    periodStartMs: startMs,
    periodEndMs: startMs + dayMs,
    limitMicros: limitMicros.toString(),
    unlimited: false,
    alertThresholds: [],
  };
}

/** A user's usage row and the global one, which every operation also holds on. */
const targetsOf = (user: string, nowMs: number) => [
  target(budgetV1.ScopeKind.SCOPE_KIND_USER, user, 1_000_000_000_000n, nowMs),
  target(budgetV1.ScopeKind.SCOPE_KIND_GLOBAL, '', 100_000_000_000_000n, nowMs),
];

/**
 * The parameters of `bench_store_floor_turn` for one turn of operations at `now`: the turn's
 * items and answers as budget_spend_turn would have them, every Reserve admitted.
 */
export function floorTurnParams(operations: readonly FloorOperation[], now: Date): unknown[] {
  const nowMs = now.getTime();
  const items = operations.map((operation) =>
    operation.kind === 'reserve'
      ? {
          operation: 'reserve',
          idempotencyKey: operation.key,
          requestHash: '',
          amountMicros: operation.amount.toString(),
          description: '',
        }
      : { operation: 'commit', reservationId: operation.rid },
  );
  const answers = operations.map((operation) =>
    operation.kind === 'reserve'
      ? {
          outcome: 'reserved',
          targets: targetsOf(operation.user, nowMs),
          response: { reservationId: operation.rid, expiresAtMs: nowMs + 60_000 },
        }
      : {
          outcome: 'applied',
          action: 'commit',
          heldMicros: operation.held.amount.toString(),
          committedMicros: operation.actual.toString(),
          overReservation: false,
          targets: targetsOf(operation.held.user, nowMs),
        },
  );
  const usage = answers.flatMap((answer) => answer.targets);
  return [now, JSON.stringify(usage), JSON.stringify(items), JSON.stringify(answers)];
}
