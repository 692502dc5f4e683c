import {
  credentials,
  Metadata,
  ServerInterceptingCall,
  type ServerInterceptor,
  type StatusObject,
} from '@grpc/grpc-js';
import { ratelimitV1 } from '@gatehouse/contracts';
import { bindToCallContext, GatehouseError, inCallerTraceContext, toStatusObject } from '@gatehouse/runtime';
import type { ClosableInterceptor } from './authenticate';
import { methodMatcher, methodName } from './method-match';
import { principalOf, type Principal } from './principal';
import { LocalAllowances, type AllowanceOptions, type LimitSnapshot } from './rate-limit-allowance';
import { concurrencyApplies, leaseIdsOf, once, sharedRelease } from './rate-limit-leases';

/** What a descriptor builder sees of the call. */
export interface RateLimitedCall {
  /** Full method path, "/pkg.Service/Method". */
  readonly method: string;
  /** The caller's address as grpc-js reports it, e.g. "ipv4:127.0.0.1:53412". */
  readonly peer: string;
  readonly metadata: Metadata;
}

export type DescriptorBuilder = (
  call: RateLimitedCall,
  principal: Principal | undefined,
) => ratelimitV1.RateLimitDescriptor[];

export interface RateLimitOptions {
  /** host:port of the rate-limit service (a plaintext client is created), or pass `client`. */
  readonly rateLimitAddress?: string;
  readonly client?: ratelimitV1.RateLimitServiceClient;
  /** The rules domain, e.g. "gatehouse". */
  readonly domain: string;
  /** Descriptors of a call; default `defaultDescriptors`. Return [] to let a call through unchecked. */
  readonly descriptors?: DescriptorBuilder;
  /** Methods never limited; default health and reflection. */
  readonly exempt?: readonly string[];
  /** Serve calls when the rate-limit service cannot answer (default true); false refuses them UNAVAILABLE. */
  readonly failOpen?: boolean;
  /** Deadline of each CheckLimit, in ms. Default 50. */
  readonly timeoutMs?: number;
  /** Consecutive failures that open the circuit breaker (default 5) ... */
  readonly breakerThreshold?: number;
  /** ... and how long it stays open, calling nobody, before one trial call (default 5000 ms). */
  readonly breakerCooldownMs?: number;
  /** Called on every decision made by the failure policy instead of the service (e.g. a metric). */
  readonly onFallback?: (reason: 'error' | 'circuit_open') => void;
  /**
   * Calls with the same descriptors arriving while a CheckLimit for them is in flight wait for it
   * and are then decided together by one CheckLimit with hits = their number (default true).
   * Counting is unchanged; under load it saves most round trips. Descriptor sets under a
   * concurrency rule are never coalesced (found from their first answer, which carries a lease).
   */
  readonly coalesce?: boolean;
  /**
   * Take a few hits ahead of need from the rate-limit service for busy descriptor sets far from
   * their limits, and admit later calls from them without a round trip (see rate-limit-allowance.ts
   * for the bounds). Default on; `false` sends every call's hits to the service. Never used for
   * descriptor sets under a concurrency rule.
   */
  readonly allowance?: AllowanceOptions | false;
  readonly now?: () => number;
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

/** One call waiting for a decision. */
interface Waiter {
  /** `release` gives back the call's concurrency leases; the call invokes it when it ends. */
  allow(headers: Metadata, release?: () => void): void;
  refuse(callStatus: StatusObject): void;
  /** Apply the failure policy. */
  fallback(): void;
}

export type RateLimitInterceptor = ClosableInterceptor & { stats(): RateLimitStats };

export const rateLimitHeaders = {
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
  retryAfter: 'retry-after',
} as const;

/**
 * The shipped rules' dimensions (services/rate-limit/config/gatehouse.yaml): anonymous callers by
 * IP; signed-in users by user and tier, and by user and method; API keys by key as well.
 */
export const defaultDescriptors: DescriptorBuilder = (call, principal) => {
  if (principal === undefined) return [descriptor(['remote_address', peerAddress(call.peer)])];
  const user = principal.subject;
  const descriptors = [
    descriptor(['user', user], ['tier', principal.tier || 'free']),
    descriptor(['user', user], ['method', methodName(call.method)]),
  ];
  if (principal.apiKeyId !== '') descriptors.push(descriptor(['api_key', principal.apiKeyId]));
  return descriptors;
};

/** One descriptor from [key, value] pairs. */
export function descriptor(...entries: [key: string, value: string][]): ratelimitV1.RateLimitDescriptor {
  return { entries: entries.map(([key, value]) => ({ key, value })), limit: undefined };
}

/** "ipv4:10.0.0.7:53412" → "10.0.0.7"; "ipv6:[::1]:53412" → "::1". */
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  if (bracketed) return bracketed[1]!;
  const colon = bare.lastIndexOf(':');
  return colon > 0 && bare.indexOf(':') === colon ? bare.slice(0, colon) : bare;
}

/**
 * Asks the rate-limit service (`CheckLimit`) before each call; sets x-ratelimit-limit / -remaining /
 * -reset on the response, refuses over-limit calls RESOURCE_EXHAUSTED with retry-after (seconds).
 * Install after `authenticate` so the principal's user, tier and API key are counted.
 */
export function rateLimit(options: RateLimitOptions): RateLimitInterceptor {
  const ownClient =
    options.client === undefined
      ? new ratelimitV1.RateLimitServiceClient(
          required(options.rateLimitAddress),
          credentials.createInsecure(),
        )
      : undefined;
  const client = options.client ?? ownClient!;
  const build = options.descriptors ?? defaultDescriptors;
  const isExempt = methodMatcher(
    options.exempt ?? [
      'grpc.health.v1.Health/*',
      'grpc.reflection.v1.ServerReflection/*',
      'grpc.reflection.v1alpha.ServerReflection/*',
    ],
  );
  const failOpen = options.failOpen ?? true;
  const timeoutMs = options.timeoutMs ?? 50;
  const threshold = options.breakerThreshold ?? 5;
  const cooldownMs = options.breakerCooldownMs ?? 5000;
  const now = options.now ?? Date.now;
  const coalesce = options.coalesce ?? true;
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

  const interceptor: ServerInterceptor = (descriptorOfCall, call) => {
    if (isExempt(descriptorOfCall.path)) return new ServerInterceptingCall(call);
    let headers: Metadata | undefined;
    let releaseLeases: (() => void) | undefined;
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onCancel() {
            releaseLeases?.();
          },
          onReceiveMetadata(metadata, nextMetadata) {
            const descriptors = build(
              { method: descriptorOfCall.path, peer: call.getPeer(), metadata },
              principalOf(metadata),
            );
            if (descriptors.length === 0) return nextMetadata(metadata);
            inCallerTraceContext(metadata, () =>
              decide(JSON.stringify(descriptors), descriptors, [
                {
                  allow: bindToCallContext((limits: Metadata, release?: () => void) => {
                    headers = limits;
                    if (release !== undefined) releaseLeases = once(release);
                    nextMetadata(metadata);
                  }),
                  refuse: bindToCallContext((callStatus: StatusObject) => call.sendStatus(callStatus)),
                  fallback: bindToCallContext(() => {
                    if (failOpen) return nextMetadata(metadata);
                    call.sendStatus(
                      toStatusObject(
                        new GatehouseError('UNAVAILABLE', 'rate limiting is unavailable', {
                          reason: 'RATE_LIMIT_UNAVAILABLE',
                          retryAfterMs: 1000,
                        }),
                      ),
                    );
                  }),
                },
              ]),
            );
          },
        });
      },
      sendMetadata(metadata, next) {
        if (headers !== undefined) metadata.merge(headers);
        next(metadata);
      },
      sendStatus(callStatus, next) {
        next(callStatus);
        releaseLeases?.();
      },
    });
  };
  return Object.assign(interceptor, {
    close: () => ownClient?.close(),
    stats: (): RateLimitStats => ({
      fallbacks,
      breakerOpen: now() < openUntil,
      refusedLocally,
      allowedLocally: allowances?.spentLocally() ?? 0,
      heldHits: allowances?.heldNow(now()) ?? 0,
      releaseFailures,
    }),
  });
}

function limitHeaders(figures: LimitSnapshot): Metadata {
  const headers = new Metadata();
  if (figures.limit > 0) {
    headers.set(rateLimitHeaders.limit, String(figures.limit));
    headers.set(rateLimitHeaders.remaining, String(figures.remaining));
    headers.set(rateLimitHeaders.reset, String(Math.ceil(figures.resetAfterMs / 1000)));
  }
  return headers;
}

function exhausted(response: ratelimitV1.CheckLimitResponse, retryAfterMs: number): StatusObject {
  const wait = Math.max(0, Math.ceil(retryAfterMs));
  const refusal = toStatusObject(
    new GatehouseError('RESOURCE_EXHAUSTED', 'rate limit exceeded', {
      reason: 'RATE_LIMITED',
      retryAfterMs: wait,
    }),
  );
  refusal.metadata.merge(
    limitHeaders({ limit: response.limit, remaining: 0, resetAfterMs: Number(response.resetAfterMs) }),
  );
  refusal.metadata.set(rateLimitHeaders.retryAfter, String(Math.max(1, Math.ceil(wait / 1000))));
  return refusal;
}

function required(address: string | undefined): string {
  if (address === undefined) throw new Error('rateLimit: pass rateLimitAddress or a client');
  return address;
}
