import { Metadata, type StatusObject } from '@grpc/grpc-js';
import type { ratelimitV1 } from '@gatehouse/contracts';
import { LocalAllowances, type AllowanceOptions } from './rate-limit-allowance';
import { exhausted, limitHeaders } from './rate-limit-headers';
import { concurrencyApplies, leaseIdsOf, sharedRelease } from './rate-limit-leases';

/** One call waiting for a decision. */
export interface Waiter {
  /** `release` gives back the call's concurrency leases; the call invokes it when it ends. */
  allow(headers: Metadata, release?: () => void): void;
  refuse(callStatus: StatusObject): void;
  /** Apply the failure policy. */
  fallback(): void;
}

export interface DeciderOptions {
  readonly client: ratelimitV1.RateLimitServiceClient;
  readonly domain: string;
  readonly timeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
  readonly coalesce: boolean;
  readonly allowance: AllowanceOptions | false;
  readonly onFallback?: (reason: 'error' | 'circuit_open') => void;
  readonly now: () => number;
}

export interface RateLimitStats {
  /** Calls decided by the failure policy because the service could not answer. */
  readonly fallbacks: number;
  readonly breakerOpen: boolean;
  /** Calls refused from the local cache of descriptors known to be over their limit. */
  readonly refusedLocally: number;
  /** Calls admitted from hits taken ahead of need (no CheckLimit of their own). */
  readonly allowedLocally: number;
  /** Hits taken ahead of need and not yet spent: counted by the service, unused so far. */
  readonly heldHits: number;
  /** Concurrency leases whose Release failed (their capacity returns at the lease TTL instead). */
  readonly releaseFailures: number;
}

/**
 * Decides calls by descriptor set: from hits held here, from the local over-limit cache, behind an
 * in-flight CheckLimit of the same descriptors (coalesced), or by a CheckLimit of their own; with a
 * circuit breaker toward the service, and concurrency leases handed to the calls they admit.
 */
export function createDecider(options: DeciderOptions) {
  const { client, timeoutMs, coalesce, now } = options;
  const threshold = options.breakerThreshold;
  const cooldownMs = options.breakerCooldownMs;
  const allowances = options.allowance === false ? undefined : new LocalAllowances(options.allowance);

  let fallbacks = 0;
  let refusedLocally = 0;
  let releaseFailures = 0;
  let failuresInRow = 0;
  let openUntil = 0;
  let trialInFlight = false;
  /** Descriptor sets known to be over their limit, until their retry time: refused without a call. */
  const overLimit = new Map<string, { until: number; response: ratelimitV1.CheckLimitResponse }>();
  /** Calls waiting behind the in-flight CheckLimit of the same descriptors; sent as one, with hits = their number. */
  const inFlight = new Map<string, Waiter[]>();
  /**
   * Descriptor sets under a concurrency rule (their answers say so, admitted or not): one lease
   * covers one call, so their calls are never coalesced, never admitted from allowances and never
   * refused from the over-limit cache (a Release on any replica frees capacity before the retry time).
   */
  const leasedKeys = new Set<string>();

  const fallback = (waiter: Waiter, reason: 'error' | 'circuit_open') => {
    fallbacks += 1;
    options.onFallback?.(reason);
    waiter.fallback();
  };

  /**
   * `arrival`: new calls (their demand counts), calls that waited behind a CheckLimit (they may
   * spend what it leased), or calls decided again after a refusal (by the service alone).
   */
  const decide = (
    key: string,
    descriptors: ratelimitV1.RateLimitDescriptor[],
    waiters: Waiter[],
    arrival: 'new' | 'queued' | 'again' = 'new',
  ): void => {
    const serial = leasedKeys.has(key);
    if (serial && waiters.length > 1) {
      for (const waiter of waiters) decide(key, descriptors, [waiter], 'again');
      return;
    }
    const lease = arrival !== 'again' && !serial;
    // Hits held here were counted by the service: spend them even when the key is now over its limit.
    if (allowances !== undefined && lease) {
      const { covered, snapshot } = allowances.take(key, waiters.length, now(), arrival === 'new');
      if (covered > 0) {
        const headers = limitHeaders(snapshot!);
        for (const waiter of waiters.slice(0, covered)) waiter.allow(headers);
        if (covered === waiters.length) return;
        waiters = waiters.slice(covered);
      }
    }
    const known = overLimit.get(key);
    if (known !== undefined) {
      if (known.until > now()) {
        refusedLocally += waiters.length;
        for (const waiter of waiters) waiter.refuse(exhausted(known.response, known.until - now()));
        return;
      }
      overLimit.delete(key);
    }
    const waiting = inFlight.get(key);
    if (waiting !== undefined) {
      waiting.push(...waiters);
      return;
    }
    if (now() < openUntil || (failuresInRow >= threshold && trialInFlight)) {
      for (const waiter of waiters) fallback(waiter, 'circuit_open');
      return;
    }
    const trial = failuresInRow >= threshold;
    if (trial) trialInFlight = true;
    const queued: Waiter[] = [];
    if (coalesce && !serial) inFlight.set(key, queued);
    const extra = lease ? (allowances?.leaseSize(key) ?? 0) : 0;
    const hits = waiters.length + extra;
    client.checkLimit(
      { domain: options.domain, descriptors, hits: hits > 1 ? hits : undefined },
      new Metadata(),
      { deadline: Date.now() + timeoutMs },
      (error, response) => {
        if (trial) trialInFlight = false;
        if (coalesce && !serial) inFlight.delete(key);
        if (error !== null) {
          failuresInRow += 1;
          if (failuresInRow >= threshold) openUntil = now() + cooldownMs;
          for (const waiter of waiters) fallback(waiter, 'error');
        } else {
          failuresInRow = 0;
          if (concurrencyApplies(response)) rememberLeased(key);
          if (response.allowed) {
            const answer = {
              limit: response.limit,
              remaining: response.remaining,
              resetAfterMs: Number(response.resetAfterMs),
            };
            // A fallback answer counted nothing, so there is nothing to hold.
            const leased = response.fallback ? 0 : extra;
            const headers = limitHeaders(allowances?.granted(key, leased, answer, now()) ?? answer);
            const leaseIds = leaseIdsOf(response);
            if (leaseIds.length > 0) {
              const release = sharedRelease(client, leaseIds, waiters.length, timeoutMs, () => {
                releaseFailures += 1;
              });
              for (const waiter of waiters) waiter.allow(headers, release);
            } else {
              for (const waiter of waiters) waiter.allow(headers);
            }
          } else if (extra > 0) {
            // The extra hits did not fit (nothing was consumed): ask again for just these calls.
            allowances?.refused(key);
            decide(key, descriptors, waiters, 'again');
          } else if (waiters.length > 1) {
            // The batch does not fit as a whole (nothing was consumed): decide again one call at a
            // time; the rest wait behind it, and are refused locally once one is refused.
            allowances?.refused(key);
            const [first, ...rest] = waiters;
            decide(key, descriptors, [first!], 'again');
            decide(key, descriptors, rest, 'again');
          } else {
            allowances?.refused(key);
            const retryAfterMs = Number(response.retryAfterMs);
            if (retryAfterMs > 0 && !leasedKeys.has(key)) {
              overLimit.set(key, { until: now() + retryAfterMs, response });
            }
            if (overLimit.size > 10_000) overLimit.delete(overLimit.keys().next().value!);
            for (const waiter of waiters) waiter.refuse(exhausted(response, retryAfterMs));
          }
        }
        if (queued.length > 0) decide(key, descriptors, queued, 'queued');
      },
    );
  };

  const rememberLeased = (key: string) => {
    leasedKeys.add(key);
    if (leasedKeys.size > 10_000) leasedKeys.delete(leasedKeys.values().next().value!);
  };

  const stats = (): RateLimitStats => ({
    fallbacks,
    breakerOpen: now() < openUntil,
    refusedLocally,
    allowedLocally: allowances?.spentLocally() ?? 0,
    heldHits: allowances?.heldNow(now()) ?? 0,
    releaseFailures,
  });
  return { decide, stats };
}
