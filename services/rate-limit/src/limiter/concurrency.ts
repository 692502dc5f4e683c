import type { Demand, Evaluation, LimitSpec } from './limit-spec';

/**
 * Concurrency: at most `limit` leases in flight. A consuming request takes one lease (whatever its
 * hits); leases end with Release or, if the caller crashed, when their TTL (`windowMs`) runs out.
 * `active` counts unexpired leases; `earliestExpiry` is when the first of them expires (0: none).
 */
export function evaluateConcurrency(
  active: number,
  earliestExpiry: number,
  spec: LimitSpec,
  now: number,
  demand: Demand,
): Evaluation & { acquire: boolean } {
  const allowed = active + 1 <= spec.limit;
  const acquire = allowed && demand.consume;
  const inFlight = active + (acquire ? 1 : 0);
  const untilFirstExpiry = earliestExpiry > now ? earliestExpiry - now : spec.windowMs;
  return {
    allowed,
    acquire,
    remaining: Math.max(0, spec.limit - inFlight),
    resetAfterMs: inFlight > 0 ? spec.windowMs : 0,
    retryAfterMs: allowed ? 0 : untilFirstExpiry,
  };
}
