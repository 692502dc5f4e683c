import { GatehouseError, type Clock, type Logger, type SqlExecutor } from '@gatehouse/runtime';
import { pruneIdempotencyRecords } from './idempotency';
import { settleReservation, type SettleDeps } from './settle-reservation';

export interface ExpiryDeps extends SettleDeps {
  sql: SqlExecutor;
  clock: Clock;
}

/**
 * Returns the holds of reservations past their expiry (at most `batch` per call), through the
 * spend turns. Safe on every replica at once: a reservation settled by someone else in the
 * meantime is skipped. Resolves how many it expired.
 */
export async function expireDueReservations(deps: ExpiryDeps, batch = 200): Promise<number> {
  const { rows } = await deps.sql.query(
    // `settled_at IS NULL` (true of every open reservation) is what selects the index of open holds.
    `SELECT reservation_id FROM reservations
     WHERE status = 'open' AND settled_at IS NULL AND expires_at <= $1
     ORDER BY expires_at LIMIT $2`,
    [new Date(deps.clock.now()), batch],
  );
  // Submitted together, so they share turns.
  const outcomes = await Promise.allSettled(
    rows.map((row) => settleReservation(deps, String(row.reservation_id), { action: 'expire' })),
  );
  let expired = 0;
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') expired += 1;
    else if (!(outcome.reason instanceof GatehouseError) || outcome.reason.code !== 'FAILED_PRECONDITION') {
      throw outcome.reason;
    }
  }
  return expired;
}

export interface ExpirySweeper {
  /** One pass: lapsed holds returned, old idempotency keys pruned. Resolves how many holds it returned. */
  sweepOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Runs the sweep every `intervalMs` (never overlapping itself) until stopped. */
export function startExpirySweeper(
  deps: ExpiryDeps,
  options: { intervalMs: number; idempotencyRetentionMs: number; logger: Logger },
): ExpirySweeper {
  let running: Promise<number> | undefined;
  const sweepOnce = () => {
    running ??= (async () => {
      try {
        const expired = await expireDueReservations(deps);
        const cutoff = new Date(deps.clock.now() - options.idempotencyRetentionMs);
        await pruneIdempotencyRecords(deps.sql, cutoff);
        return expired;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => {
    sweepOnce().catch((error: unknown) => options.logger.warn({ err: error }, 'expiry sweep failed'));
  }, options.intervalMs);
  timer.unref();
  return {
    sweepOnce,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
