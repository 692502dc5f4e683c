import { epsilon, type Demand, type Evaluation, type LimitSpec } from './limit-spec';

/**
 * GCRA (generic cell rate algorithm), the exact form of a token bucket: one stored number, the
 * theoretical arrival time (TAT). Each hit costs an emission interval T = windowMs / limit; a
 * request fits while TAT stays within the tolerance (limit + burst) x T of now. So a full bucket
 * admits limit + burst at once, then one hit every T: never more than limit + burst + elapsed / T.
 * `tat` is the stored TAT (0 when none).
 */
export function evaluateTokenBucket(
  tat: number,
  spec: LimitSpec,
  now: number,
  demand: Demand,
): Evaluation & { tat: number } {
  const interval = spec.windowMs / spec.limit;
  const tolerance = (spec.limit + spec.burst) * interval;
  const base = Math.max(tat, now);
  const candidate = base + demand.hits * interval;
  const allowed = candidate - now <= tolerance + epsilon;
  const after = allowed && demand.consume ? candidate : base;
  return {
    allowed,
    tat: after,
    remaining: Math.max(0, Math.floor((tolerance - (after - now)) / interval + epsilon)),
    resetAfterMs: Math.ceil(after - now),
    retryAfterMs: allowed ? 0 : Math.max(1, Math.ceil(candidate - now - tolerance - epsilon)),
  };
}
