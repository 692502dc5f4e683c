import { Counter, Gauge, type Registry } from 'prom-client';
import type { RateLimitStats } from './rate-limit';

/**
 * Serves the guards' own counters on a service's Prometheus registry, read from their stats at
 * scrape time (so the hot path pays nothing): how often the rate-limit failure policy decided, how
 * many calls were refused from the local over-limit cache or admitted from local allowances, how
 * many hits are held, and whether the breaker is open.
 */
export function registerGuardMetrics(
  registry: Registry,
  guards: { readonly rateLimit?: { stats(): RateLimitStats } },
): void {
  const limiter = guards.rateLimit;
  if (limiter === undefined) return;
  new Counter({
    name: 'guard_ratelimit_fallbacks_total',
    help: 'Calls decided by the rate-limit failure policy because the rate-limit service did not answer.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(limiter.stats().fallbacks);
    },
  });
  new Counter({
    name: 'guard_ratelimit_refused_locally_total',
    help: 'Calls refused from the local cache of descriptors known to be over their limit.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(limiter.stats().refusedLocally);
    },
  });
  new Counter({
    name: 'guard_ratelimit_allowed_locally_total',
    help: 'Calls admitted from hits taken ahead of need from the rate-limit service (no CheckLimit of their own).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(limiter.stats().allowedLocally);
    },
  });
  new Gauge({
    name: 'guard_ratelimit_held_hits',
    help: 'Hits taken ahead of need and not yet spent: counted by the rate-limit service, unused so far.',
    registers: [registry],
    collect() {
      this.set(limiter.stats().heldHits);
    },
  });
  new Gauge({
    name: 'guard_ratelimit_breaker_open',
    help: '1 while the circuit breaker toward the rate-limit service is open.',
    registers: [registry],
    collect() {
      this.set(limiter.stats().breakerOpen ? 1 : 0);
    },
  });
}
