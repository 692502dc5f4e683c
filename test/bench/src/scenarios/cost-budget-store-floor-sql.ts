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
CREATE OR REPLACE FUNCTION bench_store_floor_turn(p_now timestamptz, p_usage jsonb, p_records jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM FROM budget_lock_usage(p_now, p_usage);
  PERFORM FROM budget_record_turn(p_now, '{}', p_records);
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

/** The parameters of `bench_store_floor_turn` for one turn of operations at `now`. */
export function floorTurnParams(operations: readonly FloorOperation[], now: Date): unknown[] {
  const nowMs = now.getTime();
  const reserves = operations.filter((operation) => operation.kind === 'reserve');
  const commits = operations.filter((operation) => operation.kind === 'commit');
  const entries = [
    ...reserves.flatMap((r) =>
      targetsOf(r.user, nowMs).map((usage) => ({
        type: 'reserve',
        referenceId: r.rid,
        usage,
        spentDelta: '0',
        reservedDelta: r.amount.toString(),
      })),
    ),
    ...commits.flatMap((c) =>
      targetsOf(c.held.user, nowMs).map((usage) => ({
        type: 'commit',
        referenceId: c.rid,
        usage,
        spentDelta: c.actual.toString(),
        reservedDelta: (-c.held.amount).toString(),
      })),
    ),
  ];
  const records = {
    opened: reserves.map((r) => ({
      reservationId: r.rid,
      amountMicros: r.amount.toString(),
      targets: targetsOf(r.user, nowMs),
      description: '',
      expiresAtMs: nowMs + 60_000,
    })),
    settled: commits.map((c) => ({
      reservationId: c.rid,
      status: 'committed',
      committedMicros: c.actual.toString(),
    })),
    entries,
    results: reserves.map((r) => ({
      idempotencyKey: r.key,
      operation: 'reserve',
      requestHash: '',
      response: { reservationId: r.rid },
    })),
    spends: [],
  };
  return [now, JSON.stringify(entries.map((entry) => entry.usage)), JSON.stringify(records)];
}
