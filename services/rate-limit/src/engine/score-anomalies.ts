import { createHash } from 'node:crypto';
import type { Logger } from '@gatehouse/runtime';
import type { AnomalyDetector } from '../limiter/anomaly-detector';
import type { Demand } from '../limiter/limit-spec';
import { demandOf, type StoreCheck } from '../store/limit-store';
import type { PlannedDescriptor } from './plan-checks';
import type { RateLimitMetrics } from './rate-limit-metrics';

export interface AnomalyScore {
  score: number;
  /** The rule opted in to deny on anomaly, and this key's rate is anomalous. */
  denied: boolean;
}

/**
 * Feeds each consumed check to the anomaly detector; anomalous keys are counted and logged (the
 * key hashed, never raw: it may hold a user id or an address). Peeks are not observed.
 */
export function scoreAnomalies(
  deps: { anomaly: AnomalyDetector; metrics: RateLimitMetrics; logger: Logger },
  domain: string,
  planned: readonly PlannedDescriptor[],
  demand: Demand,
): Map<StoreCheck, AnomalyScore> {
  const scores = new Map<StoreCheck, AnomalyScore>();
  if (!demand.consume) return scores;
  const { anomaly, metrics, logger } = deps;
  for (const descriptor of planned) {
    for (const { rule, check } of descriptor.limits) {
      if (check === undefined) continue;
      const own = demandOf(check, demand);
      if (!own.consume) continue;
      const score = anomaly.observe(check.key, own.hits);
      const anomalous = score >= anomaly.threshold;
      scores.set(check, {
        score,
        denied: anomalous && rule.denyOnAnomaly && !rule.shadowMode && !rule.quotaMode,
      });
      if (!anomalous) continue;
      metrics.anomalies.inc({ domain, rule: rule.name });
      logger.warn(
        { domain, rule: rule.name, key_hash: hashKey(check.key), anomaly_score: score },
        `anomalous request rate on rule ${rule.name}`,
      );
    }
  }
  return scores;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}
