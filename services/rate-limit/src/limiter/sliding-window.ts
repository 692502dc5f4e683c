import { windowIndex } from './fixed-window';
import type { Demand, Evaluation, LimitSpec } from './limit-spec';

/**
 * Sliding-window counter: the previous window's count, weighted by the share of it still inside
 * the sliding window, plus the current window's count:
 *
 *   estimate = previous x (windowMs - elapsed) / windowMs + current
 *
 * Error bound: exact when the previous window's hits were evenly spread. In the worst case (the
 * previous window's hits all at its very end), an interval of one window length ending a fraction
 * f into the current window can hold up to limit x (1 + f) hits, approaching 2 x limit only as f
 * nears 1; a burst straddling the boundary (small f) is held to about `limit`, unlike the fixed window.
 */
export function evaluateSlidingWindow(
  previous: number,
  current: number,
  spec: LimitSpec,
  now: number,
  demand: Demand,
): Evaluation & { current: number } {
  const w = spec.windowMs;
  const index = windowIndex(now, w);
  const elapsed = now - index * w;
  const estimate = (previous * (w - elapsed)) / w + current;
  const allowed = estimate + demand.hits <= spec.limit;
  const consumed = allowed && demand.consume ? demand.hits : 0;
  const after = current + consumed;
  const resetAfterMs = after > 0 ? (index + 2) * w - now : previous > 0 ? (index + 1) * w - now : 0;
  return {
    allowed,
    current: after,
    remaining: Math.max(0, Math.floor(spec.limit - estimate - consumed)),
    resetAfterMs,
    retryAfterMs: allowed ? 0 : slidingRetryAfter(previous, current, spec, elapsed, demand.hits),
  };
}

/** Ms until `hits` fit: later in this window as `previous` slides out, or in the next one. */
function slidingRetryAfter(
  previous: number,
  current: number,
  spec: LimitSpec,
  elapsed: number,
  hits: number,
): number {
  const w = spec.windowMs;
  if (hits > spec.limit) return 2 * w - elapsed;
  const room = spec.limit - current - hits;
  if (room >= 0 && previous > 0) {
    return Math.max(1, Math.ceil(w - (room * w) / previous - elapsed));
  }
  // Next window: `current` becomes the previous window's count.
  const nextRoom = spec.limit - hits;
  const intoNext = current > 0 ? Math.max(0, Math.ceil(w - (nextRoom * w) / current)) : 0;
  return w - elapsed + intoNext;
}
