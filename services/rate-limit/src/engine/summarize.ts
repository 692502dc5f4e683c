import type { Evaluation } from '../limiter/limit-spec';
import type { Decision, DescriptorDecision } from './decision-types';
import type { PlannedDescriptor } from './plan-checks';

/** What one planned limit came to: the store's answer plus what the engine added. */
export interface LimitOutcome {
  readonly evaluation?: Evaluation;
  readonly anomalyScore: number;
  readonly anomalyDenied: boolean;
}

/**
 * Folds the per-limit outcomes into one status per descriptor (its most restrictive limit) and the
 * overall answer (the most restrictive descriptor). Shadow limits never deny. Quota-mode limits
 * (Envoy `quota_mode`) mark their descriptor over, but deny the request only when every quota-mode
 * limit of it is over; a normal limit over denies it in any case.
 */
export function summarize(
  planned: readonly PlannedDescriptor[],
  outcomes: readonly (readonly LimitOutcome[])[],
  nearLimitRatio: number,
): Omit<Decision, 'fallback'> {
  let hardDenied = false;
  let quotaLimits = 0;
  let quotaOver = 0;
  const statuses = planned.map((descriptor, i) => {
    const status: DescriptorDecision = {
      allowed: true,
      limit: 0,
      counted: false,
      unlimited: false,
      overLimit: false,
      remaining: 0,
      resetAfterMs: 0,
      retryAfterMs: 0,
      rule: '',
      limitName: '',
      nearLimit: false,
      shadowMode: false,
      leaseId: '',
      concurrency: descriptor.limits.some(
        (limit) => limit.check !== undefined && limit.rule.algorithm === 'concurrency',
      ),
      anomalyScore: 0,
      windowMs: 0,
    };
    let chosen: { restrictiveness: number } | undefined;
    descriptor.limits.forEach((planned, j) => {
      const outcome = outcomes[i]?.[j];
      const { rule } = planned;
      status.anomalyScore = Math.max(status.anomalyScore, outcome?.anomalyScore ?? 0);
      const evaluation = outcome?.evaluation;
      const denies = !rule.shadowMode && (evaluation?.allowed === false || outcome?.anomalyDenied === true);
      if (denies) status.allowed = false;
      if (rule.quotaMode && !rule.shadowMode && evaluation !== undefined) {
        quotaLimits += 1;
        if (denies) quotaOver += 1;
      } else if (denies) {
        hardDenied = true;
      }
      const near =
        evaluation !== undefined &&
        rule.requestsPerUnit > 0 &&
        (rule.requestsPerUnit - evaluation.remaining) / rule.requestsPerUnit >= nearLimitRatio;
      if (near) status.nearLimit = true;
      // Most restrictive first: a denying limit, then a counted one with the fewest requests left.
      const restrictiveness =
        evaluation === undefined
          ? -1
          : (denies ? 2 : 0) + (rule.shadowMode ? 0 : 1) - evaluation.remaining / 1e10;
      if (chosen === undefined || restrictiveness > chosen.restrictiveness) {
        chosen = { restrictiveness };
        status.rule = rule.name;
        status.limitName = rule.declaredName;
        status.counted = evaluation !== undefined;
        status.overLimit = evaluation?.allowed === false || outcome?.anomalyDenied === true;
        status.shadowMode = rule.shadowMode;
        status.windowMs = rule.windowMs;
        status.limit = evaluation === undefined ? 0 : rule.requestsPerUnit;
        status.remaining = evaluation?.remaining ?? 0;
        status.resetAfterMs = evaluation?.resetAfterMs ?? 0;
        status.retryAfterMs = denies
          ? Math.max(evaluation?.retryAfterMs ?? 0, outcome?.anomalyDenied ? 1000 : 0)
          : 0;
      }
    });
    status.unlimited = !status.counted && descriptor.limits.some((planned) => planned.rule.unlimited);
    return status;
  });

  const allowed = !hardDenied && !(quotaLimits > 0 && quotaOver === quotaLimits);
  const counted = statuses.filter((status) => status.limit > 0 && !status.shadowMode);
  const denied = statuses.filter((status) => !status.allowed);
  const worst =
    denied.sort((a, b) => b.retryAfterMs - a.retryAfterMs)[0] ??
    counted.sort((a, b) => a.remaining - b.remaining || b.resetAfterMs - a.resetAfterMs)[0];
  return {
    allowed,
    statuses,
    limit: worst?.limit ?? 0,
    remaining: worst?.remaining ?? 0,
    resetAfterMs: worst?.resetAfterMs ?? 0,
    retryAfterMs: allowed ? 0 : (worst?.retryAfterMs ?? 0),
    anomalyScore: Math.max(0, ...statuses.map((status) => status.anomalyScore)),
  };
}
