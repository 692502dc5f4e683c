import { credentials } from '@grpc/grpc-js';
import { ratelimitV1 } from '@gatehouse/contracts';
import { admit, guardInterceptor, type Admission, type CallEnd, type ServerGuard } from '@gatehouse/runtime';
import { defaultExemptMethods, type ClosableInterceptor } from './authenticate';
import { methodMatcher } from './method-match';
import { principalOf } from './principal';
import type { AllowanceOptions } from './rate-limit-allowance';
import { RateLimitDecider, type RateLimitStats } from './rate-limit-decider';
import { defaultDescriptors, type DescriptorBuilder } from './rate-limit-descriptors';

export {
  defaultDescriptors,
  descriptor,
  peerAddress,
  type DescriptorBuilder,
  type RateLimitedCall,
} from './rate-limit-descriptors';
export { rateLimitHeaders } from './rate-limit-headers';
export type { RateLimitStats } from './rate-limit-decider';

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

export type RateLimitInterceptor = ClosableInterceptor & { stats(): RateLimitStats };

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
  const isExempt = methodMatcher(options.exempt ?? defaultExemptMethods);
  const decider = new RateLimitDecider({
    client,
    domain: options.domain,
    timeoutMs: options.timeoutMs ?? 50,
    breakerThreshold: options.breakerThreshold ?? 5,
    breakerCooldownMs: options.breakerCooldownMs ?? 5000,
    coalesce: options.coalesce ?? true,
    allowance: options.allowance ?? {},
    failOpen: options.failOpen ?? true,
    onFallback: options.onFallback,
    now: options.now ?? Date.now,
  });
  const guard: ServerGuard = (call) => {
    const descriptors = build(call, principalOf(call.metadata));
    if (descriptors.length === 0) return admit();
    // Calls decided from what is held here (allowances, local refusals) are answered at once: on
    // the hot path a busy caller's calls need no promise; the others wait for their CheckLimit.
    let atOnce: Admission<CallEnd> | undefined;
    let later: ((admission: Admission<CallEnd>) => void) | undefined;
    decider.decide(JSON.stringify(descriptors), descriptors, [
      (admission) => (later === undefined ? (atOnce = admission) : later(admission)),
    ]);
    return atOnce ?? new Promise((decided) => (later = decided));
  };
  const interceptor = guardInterceptor(guard, { skip: isExempt });
  return Object.assign(interceptor, {
    close: () => ownClient?.close(),
    stats: () => decider.stats(),
  });
}

function required(address: string | undefined): string {
  if (address === undefined) throw new Error('rateLimit: pass rateLimitAddress or a client');
  return address;
}
