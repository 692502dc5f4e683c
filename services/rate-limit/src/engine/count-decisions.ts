import type { Decision } from './decision-types';
import type { PlannedDescriptor } from './plan-checks';
import type { RateLimitMetrics } from './rate-limit-metrics';
import type { LimitOutcome } from './summarize';

/**
 * Counts one decision per rule: allowed, over_limit, shadow_over_limit, quota_over_limit,
 * unmatched, near limit; and per descriptor when the rules ask for it (detailed_metric, value_to_metric).
 */
export function countDecisions(
  metrics: RateLimitMetrics,
  domain: string,
  planned: readonly PlannedDescriptor[],
  outcomes: readonly LimitOutcome[][],
  statuses: Decision['statuses'],
): void {
  planned.forEach((d, i) => {
    if (d.limits.length === 0) metrics.decisions.inc({ domain, rule: '', outcome: 'unmatched' });
    d.limits.forEach((l, j) => {
      const evaluation = outcomes[i]?.[j]?.evaluation;
      if (evaluation === undefined) return;
      const over = !evaluation.allowed || outcomes[i]?.[j]?.anomalyDenied === true;
      const outcome = !over
        ? 'allowed'
        : l.rule.shadowMode
          ? 'shadow_over_limit'
          : l.rule.quotaMode
            ? 'quota_over_limit'
            : 'over_limit';
      metrics.decisions.inc({ domain, rule: l.rule.name, outcome });
      if (d.metricKey !== undefined) {
        metrics.descriptorDecisions.inc({ domain, descriptor: d.metricKey, outcome });
      }
    });
    if (statuses[i]?.nearLimit) metrics.nearLimit.inc({ domain, rule: statuses[i]?.rule ?? '' });
  });
}
