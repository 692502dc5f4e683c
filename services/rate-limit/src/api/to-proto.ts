import { ratelimitV1 } from '@gatehouse/contracts';
import type { Decision, DescriptorDecision } from '../engine/decision-types';
import type { AlgorithmName, LimitRule } from '../rules/rule';

export function toDescriptorStatus(status: DescriptorDecision): ratelimitV1.DescriptorStatus {
  return {
    allowed: status.allowed,
    limit: status.limit,
    remaining: clampUint32(status.remaining),
    resetAfterMs: BigInt(Math.max(0, Math.ceil(status.resetAfterMs))),
    retryAfterMs: BigInt(Math.max(0, Math.ceil(status.retryAfterMs))),
    rule: status.rule,
    nearLimit: status.nearLimit,
    shadowMode: status.shadowMode,
    leaseId: status.leaseId,
    concurrency: status.concurrency,
    anomalyScore: status.anomalyScore,
  };
}

export function toCheckLimitResponse(decision: Decision): ratelimitV1.CheckLimitResponse {
  return {
    allowed: decision.allowed,
    statuses: decision.statuses.map(toDescriptorStatus),
    limit: decision.limit,
    remaining: clampUint32(decision.remaining),
    resetAfterMs: BigInt(Math.max(0, Math.ceil(decision.resetAfterMs))),
    retryAfterMs: BigInt(Math.max(0, Math.ceil(decision.retryAfterMs))),
    fallback: decision.fallback,
    anomalyScore: decision.anomalyScore,
  };
}

const algorithms: Record<AlgorithmName, ratelimitV1.Algorithm> = {
  sliding_window: ratelimitV1.Algorithm.ALGORITHM_SLIDING_WINDOW,
  token_bucket: ratelimitV1.Algorithm.ALGORITHM_TOKEN_BUCKET,
  fixed_window: ratelimitV1.Algorithm.ALGORITHM_FIXED_WINDOW,
  concurrency: ratelimitV1.Algorithm.ALGORITHM_CONCURRENCY,
};

export function toRule(rule: LimitRule): ratelimitV1.Rule {
  return {
    name: rule.name,
    domain: rule.domain,
    descriptorPath: rule.descriptorPath,
    algorithm: algorithms[rule.algorithm],
    requestsPerUnit: rule.requestsPerUnit,
    windowMs: BigInt(rule.windowMs),
    burst: rule.burst,
    shadowMode: rule.shadowMode,
    unlimited: rule.unlimited,
    tier: rule.tier,
  };
}

function clampUint32(value: number): number {
  return Math.min(0xffffffff, Math.max(0, Math.floor(value)));
}
