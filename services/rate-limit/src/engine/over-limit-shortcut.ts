import type { Demand, Evaluation } from '../limiter/limit-spec';
import type { OverLimitCache } from '../limiter/over-limit-cache';
import { demandOf, type StoreCheck } from '../store/limit-store';

/**
 * A denial answered without a store round trip: the first check whose key the cache knows to be
 * over its limit until later than `now`. Shadow and concurrency checks never use the shortcut.
 */
export function cachedDenial(
  cache: OverLimitCache | undefined,
  checks: readonly StoreCheck[],
  now: number,
): Map<StoreCheck, Evaluation> | undefined {
  if (cache === undefined) return undefined;
  for (const check of checks) {
    if (check.shadow || check.spec.algorithm === 'concurrency') continue;
    const overFor = cache.overFor(check.key, now);
    if (overFor > 0) {
      const denial = { allowed: false, remaining: 0, resetAfterMs: overFor, retryAfterMs: overFor };
      return new Map([[check, denial]]);
    }
  }
  return undefined;
}

/**
 * Remembers the keys the store just denied, until the time the store said one request fits again:
 * the cache can only ever refuse what the store would refuse, never admit more than the limit.
 */
export function rememberDenials(
  cache: OverLimitCache | undefined,
  checks: readonly StoreCheck[],
  results: readonly Evaluation[],
  demand: Demand,
  now: number,
): void {
  if (cache === undefined) return;
  checks.forEach((check, i) => {
    const result = results[i];
    if (check.shadow || check.spec.algorithm === 'concurrency' || result === undefined) return;
    // A denial of several hits says nothing about one.
    if (demandOf(check, demand).hits !== 1) return;
    if (!result.allowed && result.remaining === 0 && result.retryAfterMs > 0) {
      cache.remember(check.key, now + result.retryAfterMs);
    }
  });
}
