import { Metadata } from '@grpc/grpc-js';
import type { ratelimitV1 } from '@gatehouse/contracts';
import { admit, GatehouseError, refuse, type Admission, type CallEnd } from '@gatehouse/runtime';
import { Coalescing } from './rate-limit-coalescing';
import { LocalAllowances, type AllowanceOptions } from './rate-limit-allowance';
import { exhausted, limitHeaders } from './rate-limit-headers';
import { ConcurrencyKeys, concurrencyApplies, leaseIdsOf, sharedRelease } from './rate-limit-leases';
import { LocalRefusals } from './rate-limit-local-refusals';

/** One call waiting for a decision; told it exactly once. */
export type Waiter = (admission: Admission<CallEnd>) => void;

export interface DeciderOptions {
  readonly client: ratelimitV1.RateLimitServiceClient;
  readonly domain: string;
  readonly timeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
  readonly coalesce: boolean;
  readonly allowance: AllowanceOptions | false;
  /** Serve calls the service cannot decide (true), or refuse them UNAVAILABLE. */
  readonly failOpen: boolean;
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
 * New calls (their demand counts), calls that waited behind a CheckLimit (they may spend what it
 * leased), or calls decided again after a refusal (by the service alone).
 */
type Arrival = 'new' | 'queued' | 'again';

/**
 * Decides calls by descriptor set, in this order: from hits held here (local allowances), from the
 * sets known to be over their limit (local refusals), behind an in-flight CheckLimit of the same
 * set (coalescing), or by a CheckLimit of their own; with a circuit breaker toward the service,
 * and concurrency leases handed to the calls they admit. Sets under a concurrency rule are decided
 * one call at a time by the service alone: one lease covers one call.
 */
export class RateLimitDecider {
  private readonly allowances: LocalAllowances | undefined;
  private readonly refusals = new LocalRefusals();
  private readonly coalescing = new Coalescing<Waiter>();
  private readonly leased = new ConcurrencyKeys();
  private fallbacks = 0;
  private releaseFailures = 0;
  private failuresInRow = 0;
  private openUntil = 0;
  private trialInFlight = false;

  constructor(private readonly options: DeciderOptions) {
    this.allowances = options.allowance === false ? undefined : new LocalAllowances(options.allowance);
  }

  decide(
    key: string,
    descriptors: ratelimitV1.RateLimitDescriptor[],
    waiters: Waiter[],
    arrival: Arrival = 'new',
  ): void {
    const serial = this.leased.has(key);
    if (serial && waiters.length > 1) {
      for (const waiter of waiters) this.decide(key, descriptors, [waiter], 'again');
      return;
    }
    const lease = arrival !== 'again' && !serial;
    // Hits held here were counted by the service: spend them even when the key is now over its limit.
    if (lease) waiters = this.admitFromAllowance(key, waiters, arrival === 'new');
    if (waiters.length === 0) return;
    const refusal = this.refusals.refusal(key, this.options.now(), waiters.length);
    if (refusal !== undefined) {
      for (const waiter of waiters) waiter(refusal);
      return;
    }
    if (this.coalescing.join(key, waiters)) return;
    this.ask(key, descriptors, waiters, lease, serial);
  }

  stats(): RateLimitStats {
    const now = this.options.now();
    return {
      fallbacks: this.fallbacks,
      breakerOpen: now < this.openUntil,
      refusedLocally: this.refusals.count(),
      allowedLocally: this.allowances?.spentLocally() ?? 0,
      heldHits: this.allowances?.heldNow(now) ?? 0,
      releaseFailures: this.releaseFailures,
    };
  }

  /** Admits the first calls from held hits; returns those left to decide. */
  private admitFromAllowance(key: string, waiters: Waiter[], countDemand: boolean): Waiter[] {
    if (this.allowances === undefined) return waiters;
    const { covered, snapshot } = this.allowances.take(key, waiters.length, this.options.now(), countDemand);
    if (covered === 0) return waiters;
    const admission = admit<CallEnd>({ headers: limitHeaders(snapshot!) });
    for (const waiter of waiters.slice(0, covered)) waiter(admission);
    return waiters.slice(covered);
  }

  /** One CheckLimit for `waiters` (plus hits ahead of need when `lease`), unless the breaker is open. */
  private ask(
    key: string,
    descriptors: ratelimitV1.RateLimitDescriptor[],
    waiters: Waiter[],
    lease: boolean,
    serial: boolean,
  ): void {
    const { options } = this;
    const tripped = this.failuresInRow >= options.breakerThreshold;
    if (options.now() < this.openUntil || (tripped && this.trialInFlight)) {
      for (const waiter of waiters) this.fallback(waiter, 'circuit_open');
      return;
    }
    if (tripped) this.trialInFlight = true;
    const coalesced = options.coalesce && !serial;
    if (coalesced) this.coalescing.open(key);
    const extra = lease ? (this.allowances?.leaseSize(key) ?? 0) : 0;
    const hits = waiters.length + extra;
    options.client.checkLimit(
      { domain: options.domain, descriptors, hits: hits > 1 ? hits : undefined },
      new Metadata(),
      { deadline: Date.now() + options.timeoutMs },
      (error, response) => {
        if (tripped) this.trialInFlight = false;
        const queued = coalesced ? this.coalescing.close(key) : [];
        if (error !== null) this.failed(waiters);
        else this.answered(key, descriptors, waiters, response, extra);
        if (queued.length > 0) this.decide(key, descriptors, queued, 'queued');
      },
    );
  }

  private failed(waiters: Waiter[]): void {
    this.failuresInRow += 1;
    if (this.failuresInRow >= this.options.breakerThreshold) {
      this.openUntil = this.options.now() + this.options.breakerCooldownMs;
    }
    for (const waiter of waiters) this.fallback(waiter, 'error');
  }

  private answered(
    key: string,
    descriptors: ratelimitV1.RateLimitDescriptor[],
    waiters: Waiter[],
    response: ratelimitV1.CheckLimitResponse,
    extra: number,
  ): void {
    this.failuresInRow = 0;
    if (concurrencyApplies(response)) this.leased.remember(key);
    if (response.allowed) return this.allowed(key, waiters, response, extra);
    this.allowances?.refused(key);
    // Nothing was consumed. The extra hits did not fit: ask again for just these calls.
    if (extra > 0) return this.decide(key, descriptors, waiters, 'again');
    if (waiters.length > 1) {
      // The batch does not fit as a whole: decide again one call at a time; the rest wait behind
      // it, and are refused locally once one is refused.
      const [first, ...rest] = waiters;
      this.decide(key, descriptors, [first!], 'again');
      this.decide(key, descriptors, rest, 'again');
      return;
    }
    if (!this.leased.has(key)) this.refusals.remember(key, response, this.options.now());
    const refusal = exhausted(response, Number(response.retryAfterMs));
    for (const waiter of waiters) waiter(refusal);
  }

  private allowed(
    key: string,
    waiters: Waiter[],
    response: ratelimitV1.CheckLimitResponse,
    extra: number,
  ): void {
    const { client, timeoutMs, now } = this.options;
    const answer = {
      limit: response.limit,
      remaining: response.remaining,
      resetAfterMs: Number(response.resetAfterMs),
    };
    // A fallback answer counted nothing, so there is nothing to hold.
    const leased = response.fallback ? 0 : extra;
    const headers = limitHeaders(this.allowances?.granted(key, leased, answer, now()) ?? answer);
    const leaseIds = leaseIdsOf(response);
    const onEnd =
      leaseIds.length === 0
        ? undefined
        : sharedRelease(client, leaseIds, waiters.length, timeoutMs, () => {
            this.releaseFailures += 1;
          });
    const admission = admit<CallEnd>({ headers, onEnd });
    for (const waiter of waiters) waiter(admission);
  }

  private fallback(waiter: Waiter, reason: 'error' | 'circuit_open'): void {
    this.fallbacks += 1;
    this.options.onFallback?.(reason);
    if (this.options.failOpen) return waiter(admit());
    waiter(
      refuse(
        new GatehouseError('UNAVAILABLE', 'rate limiting is unavailable', {
          reason: 'RATE_LIMIT_UNAVAILABLE',
          retryAfterMs: 1000,
        }),
      ),
    );
  }
}
