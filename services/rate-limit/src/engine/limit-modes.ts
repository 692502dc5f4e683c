import type { PlannedDescriptor } from './plan-checks';
import type { LimitOutcome } from './summarize';

// The limits the store is not asked about as it is: a limit of 0 (never asked), and quota-mode
// limits (asked as shadow checks, so they never block the store's all-or-nothing).

/**
 * A limit of 0 (Envoy's way to ban a value): over whatever the counters hold, until the end of the
 * current window, as Envoy's `duration_until_reset` says.
 */
export function bannedOutcome(windowMs: number, now: number): LimitOutcome {
  const untilWindowEnd = windowMs - (now % windowMs);
  return {
    evaluation: { allowed: false, remaining: 0, resetAfterMs: untilWindowEnd, retryAfterMs: untilWindowEnd },
    anomalyScore: 0,
    anomalyDenied: false,
  };
}

/** True when a limit of 0 that neither shadows nor runs in quota mode denies the request outright. */
export function bannedAhead(planned: readonly PlannedDescriptor[]): boolean {
  for (const descriptor of planned) {
    for (const { banned, rule } of descriptor.limits) {
      if (banned === true && !rule.shadowMode && !rule.quotaMode) return true;
    }
  }
  return false;
}

/** The counters of quota-mode limits (`shadow` to the store, but over under fail_closed). */
export function quotaKeysOf(planned: readonly PlannedDescriptor[]): Set<string> {
  const keys = new Set<string>();
  for (const descriptor of planned) {
    for (const { rule, check } of descriptor.limits)
      if (check !== undefined && rule.quotaMode) keys.add(check.key);
  }
  return keys;
}
