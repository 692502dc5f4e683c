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
  /** False when one of its limits is over (a quota-mode one too, though it may not deny the request). */
  allowed: boolean;
  /** 0 when no rule matched, the rule is unlimited, or it refuses every request (requests_per_unit 0). */
  limit: number;
  /** A limit that counts (or refuses every request) is reported: `limit`, `remaining` and the times are its. */
  counted: boolean;
  /** Every limit that matched is unlimited. */
  unlimited: boolean;
  /** The reported limit is over (in shadow mode too, where it does not deny). */
  overLimit: boolean;
  remaining: number;
  resetAfterMs: number;
  retryAfterMs: number;
  rule: string;
  /** The reported limit's `name:` from the rules file, '' when it has none. */
  limitName: string;
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
