import { Metadata } from '@grpc/grpc-js';
import type { ratelimitV1 } from '@gatehouse/contracts';
import { GatehouseError, refuse, type Refused } from '@gatehouse/runtime';
import type { LimitSnapshot } from './rate-limit-allowance';

/** The response metadata `rateLimit` sets (trailers on a refusal). */
export const rateLimitHeaders = {
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
  retryAfter: 'retry-after',
} as const;

/** x-ratelimit-limit / -remaining / -reset; none when no limiting rule matched. */
export function limitHeaders(figures: LimitSnapshot): Metadata {
  const headers = new Metadata();
  if (figures.limit > 0) {
    headers.set(rateLimitHeaders.limit, String(figures.limit));
    headers.set(rateLimitHeaders.remaining, String(figures.remaining));
    headers.set(rateLimitHeaders.reset, String(Math.ceil(figures.resetAfterMs / 1000)));
  }
  return headers;
}

/**
 * RESOURCE_EXHAUSTED with retry-after (whole seconds, at least 1) and the limit headers at 0
 * remaining, as trailers.
 */
export function exhausted(response: ratelimitV1.CheckLimitResponse, retryAfterMs: number): Refused {
  const wait = Math.max(0, Math.ceil(retryAfterMs));
  const trailers = limitHeaders({
    limit: response.limit,
    remaining: 0,
    resetAfterMs: Number(response.resetAfterMs),
  });
  trailers.set(rateLimitHeaders.retryAfter, String(Math.max(1, Math.ceil(wait / 1000))));
  const error = new GatehouseError('RESOURCE_EXHAUSTED', 'rate limit exceeded', {
    reason: 'RATE_LIMITED',
    retryAfterMs: wait,
  });
  return refuse(error, trailers);
}
