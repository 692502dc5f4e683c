import type { Demand, Evaluation, LimitSpec } from './limit-spec';

/** Index of the calendar window `now` falls in (windows are aligned to the Unix epoch, like Envoy). */
export function windowIndex(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}

/**
 * Fixed window (Envoy parity): at most `limit` hits per aligned window. Exact within a window, but
 * a burst at the end of one window and another at the start of the next can admit 2 x limit within
 * a short interval. `count` is the window's count before this request.
 */
export function evaluateFixedWindow(
  count: number,
  spec: LimitSpec,
  now: number,
  demand: Demand,
): Evaluation & { count: number } {
  const resetAfterMs = (windowIndex(now, spec.windowMs) + 1) * spec.windowMs - now;
  const allowed = count + demand.hits <= spec.limit;
  const after = allowed && demand.consume ? count + demand.hits : count;
  return {
    allowed,
    count: after,
    remaining: Math.max(0, spec.limit - after),
    resetAfterMs,
    retryAfterMs: allowed ? 0 : resetAfterMs,
  };
}
