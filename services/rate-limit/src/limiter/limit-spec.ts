import type { AlgorithmName } from '../rules/rule';

/** What one counter enforces. */
export interface LimitSpec {
  readonly algorithm: AlgorithmName;
  /** Requests per window (token bucket: refill per window; concurrency: leases in flight). */
  readonly limit: number;
  /** Window length in ms (concurrency: lease TTL). */
  readonly windowMs: number;
  /** Token bucket only: capacity beyond `limit`. */
  readonly burst: number;
}

/** The outcome of one counter for one request. */
export interface Evaluation {
  /** The request's hits fit (for a peek: one more hit would fit). */
  readonly allowed: boolean;
  /** Hits left after this decision (nothing is consumed by a peek or a denied request). */
  readonly remaining: number;
  /** Ms until the counter is back to empty. */
  readonly resetAfterMs: number;
  /** Ms until the request's hits would fit; 0 when allowed. */
  readonly retryAfterMs: number;
}

/** How much of a request a decision is about. */
export interface Demand {
  /** Hits to test (at least 1; a peek tests 1). */
  readonly hits: number;
  /** False for a peek: nothing is consumed. */
  readonly consume: boolean;
}

/** Floating-point slack for token-bucket arithmetic with fractional emission intervals. */
export const epsilon = 1e-6;
