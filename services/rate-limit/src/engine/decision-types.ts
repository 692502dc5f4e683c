import type { Entry } from '../rules/match-descriptor';

/** A per-request limit replacing the matched rule's (e.g. an API key's own limit). */
export interface LimitOverride {
  readonly requestsPerUnit: number;
  readonly windowMs: number;
}

export interface DescriptorInput {
  readonly entries: readonly Entry[];
  readonly override?: LimitOverride;
  /** This descriptor's own weight, in place of the request's hits (0 checks without consuming). */
  readonly hits?: number;
}

/** A validated request, from CheckLimit, GetLimitStatus or Envoy's ShouldRateLimit. */
export interface DecisionRequest {
  readonly domain: string;
  readonly descriptors: readonly DescriptorInput[];
  /** Weight of the request; 0 peeks without consuming. */
  readonly hits: number;
}

/** The decision for one descriptor (see DescriptorStatus in the proto). */
export interface DescriptorDecision {
  allowed: boolean;
  /** 0 when no rule matched or the rule is unlimited. */
  limit: number;
  remaining: number;
  resetAfterMs: number;
  retryAfterMs: number;
  rule: string;
  nearLimit: boolean;
  shadowMode: boolean;
  leaseId: string;
  /** A concurrency rule applies to the descriptor (admitted or not). */
  concurrency: boolean;
  anomalyScore: number;
  /** Window of the reported rule (for Envoy's unit); 0 when none. */
  windowMs: number;
}

export interface Decision {
  allowed: boolean;
  statuses: DescriptorDecision[];
  limit: number;
  remaining: number;
  resetAfterMs: number;
  retryAfterMs: number;
  /** The store was unavailable and the domain's failure policy decided. */
  fallback: boolean;
  anomalyScore: number;
}
