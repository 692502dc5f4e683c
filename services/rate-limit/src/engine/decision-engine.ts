import { GatehouseError, type Clock, type Logger } from '@gatehouse/runtime';
import type { AnomalyDetector } from '../limiter/anomaly-detector';
import type { Demand, Evaluation } from '../limiter/limit-spec';
import type { OverLimitCache } from '../limiter/over-limit-cache';
import type { FailurePolicy, RuleSet } from '../rules/rule';
import type { LimitStore, StoreCheck } from '../store/limit-store';
import type { Decision, DecisionRequest, DescriptorInput } from './decision-types';
import { StoreUnavailableError, type GuardedStore } from './guarded-store';
import { decodeLeaseId, encodeLeaseId, planChecks, type PlannedDescriptor } from './plan-checks';
import type { RateLimitMetrics } from './rate-limit-metrics';
import { countDecisions } from './count-decisions';
import { scoreAnomalies } from './score-anomalies';
import { cachedDenial, rememberDenials } from './over-limit-shortcut';
import { bannedAhead, bannedOutcome, quotaKeysOf } from './limit-modes';
import { groupSameCounters } from './same-counter-checks';
import { summarize, type LimitOutcome } from './summarize';

export interface DecisionEngineOptions {
  /** The rules in force (read once per decision, so a reload never splits one). */
  rules: () => RuleSet;
  store: GuardedStore;
  /** The in-process limiter of the `local` failure policy. */
  localStore: LimitStore;
  overLimitCache?: OverLimitCache;
  anomaly: AnomalyDetector;
  metrics: RateLimitMetrics;
  clock: Clock;
  logger: Logger;
  /** For domains without `failure_policy`. */
  failurePolicy: FailurePolicy;
  nearLimitRatio: number;
  /** retry_after of fail_closed denials. */
  closedRetryAfterMs: number;
}

/** Decides requests against the rules: one store round trip, all-or-nothing, with failure policies. */
export class DecisionEngine {
  constructor(private readonly options: DecisionEngineOptions) {}

  async decide(request: DecisionRequest): Promise<Decision> {
    const { clock, metrics } = this.options;
    const started = performance.now();
    const now = clock.now();
    const domain = this.options.rules().domains.get(request.domain);
    const demand: Demand = { hits: Math.max(1, request.hits), consume: request.hits > 0 };
    const planned = planChecks(request.domain, domain, request.descriptors, demand.consume);
    const checks = checksOf(planned);
    const anomalies = scoreAnomalies(this.options, request.domain, planned, demand);
    // Denied whatever the store says (an anomaly, or a limit of 0): the store only peeks.
    let deniedAhead = bannedAhead(planned);
    for (const anomaly of anomalies.values()) if (anomaly.denied) deniedAhead = true;

    let results: Evaluation[] = [];
    let fallback = false;
    let path = 'store';
    const cached = deniedAhead ? undefined : cachedDenial(this.options.overLimitCache, checks, now);
    if (checks.length === 0) {
      path = 'no_store';
    } else if (cached !== undefined) {
      path = 'cache';
      metrics.overLimitCacheHits.inc({ domain: request.domain });
      results = checks.map((check) => cached.get(check) ?? notEvaluated(check));
    } else {
      const storeDemand = deniedAhead ? { ...demand, consume: false } : demand;
      const counters = groupSameCounters(checks, storeDemand);
      const sent = counters?.checks ?? checks;
      try {
        const answers = await this.options.store.decide(sent, storeDemand, now);
        rememberDenials(this.options.overLimitCache, sent, answers, demand, now);
        results = counters === undefined ? answers : counters.spread(answers);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        fallback = true;
        path = 'fallback';
        metrics.storeErrors.inc({ domain: request.domain, reason: error.reason });
        const policy = domain?.failurePolicy ?? this.options.failurePolicy;
        const answers = await this.fallback(policy, sent, storeDemand, now, quotaKeysOf(planned));
        results = counters === undefined ? answers : counters.spread(answers);
        for (const check of checks) {
          metrics.fallback.inc({ domain: request.domain, rule: ruleOf(check), policy });
        }
      }
    }

    // `results` follows `checks`, which follows the planned limits that have a check.
    let at = 0;
    const outcomes = planned.map((d) =>
      d.limits.map((l): LimitOutcome => {
        if (l.banned === true) return bannedOutcome(l.rule.windowMs, now);
        if (l.check === undefined) return unchecked;
        const anomaly = anomalies.get(l.check);
        return {
          evaluation: results[at++],
          anomalyScore: anomaly?.score ?? 0,
          anomalyDenied: anomaly?.denied ?? false,
        };
      }),
    );
    const summary = summarize(planned, outcomes, this.options.nearLimitRatio);
    if (summary.allowed && demand.consume) this.attachLeases(planned, summary.statuses);
    countDecisions(this.options.metrics, request.domain, planned, outcomes, summary.statuses);
    metrics.decisionSeconds.observe({ domain: request.domain, path }, (performance.now() - started) / 1000);
    return { ...summary, fallback };
  }

  /** Forgets the counters of one descriptor; resolves how many existed. */
  async reset(domainName: string, descriptor: DescriptorInput): Promise<number> {
    const domain = this.options.rules().domains.get(domainName);
    const checks = checksOf(planChecks(domainName, domain, [descriptor], false));
    for (const check of checks) this.options.overLimitCache?.forget(check.key);
    if (checks.length === 0) return 0;
    const now = this.options.clock.now();
    const removed = await this.unavailableAsError(() => this.options.store.reset(checks, now));
    await this.options.localStore.reset(checks, now);
    return removed;
  }

  /** Ends a concurrency lease; false when it had already ended or expired. */
  async release(leaseId: string): Promise<boolean> {
    const lease = decodeLeaseId(leaseId);
    if (lease === undefined)
      throw GatehouseError.invalidArgument('lease_id', 'is not a lease id from CheckLimit');
    const now = this.options.clock.now();
    const local = await this.options.localStore.release(lease.key, lease.lease, now);
    const remote = await this.unavailableAsError(() =>
      this.options.store.release(lease.key, lease.lease, now),
    );
    return remote || local;
  }

  private async unavailableAsError<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      throw new GatehouseError('UNAVAILABLE', `rate-limit store unavailable: ${error.message}`, {
        reason: 'STORE_UNAVAILABLE',
        retryAfterMs: 1000,
        cause: error,
      });
    }
  }

  private async fallback(
    policy: FailurePolicy,
    checks: readonly StoreCheck[],
    demand: Demand,
    now: number,
    quotaKeys: ReadonlySet<string>,
  ) {
    if (policy === 'local') return this.options.localStore.decide(checks, demand, now);
    const open = policy === 'fail_open';
    return checks.map((check): Evaluation => ({
      // fail_closed: a quota-mode check is over too (it is `shadow` only to the store).
      allowed: open || (check.shadow && !quotaKeys.has(check.key)),
      remaining: open ? check.spec.limit : 0,
      resetAfterMs: 0,
      retryAfterMs: open ? 0 : this.options.closedRetryAfterMs,
    }));
  }

  private attachLeases(planned: PlannedDescriptor[], statuses: Decision['statuses']): void {
    planned.forEach((d, i) => {
      const lease = d.limits.find((l) => l.check?.leaseId !== undefined)?.check;
      const status = statuses[i];
      if (lease !== undefined && status !== undefined) status.leaseId = encodeLeaseId(lease);
    });
  }
}

const unchecked: LimitOutcome = { evaluation: undefined, anomalyScore: 0, anomalyDenied: false };

/** The store checks of planned descriptors, in order (unlimited and replaced rules have none). */
function checksOf(planned: readonly PlannedDescriptor[]): StoreCheck[] {
  const checks: StoreCheck[] = [];
  for (const descriptor of planned) {
    for (const limit of descriptor.limits) if (limit.check !== undefined) checks.push(limit.check);
  }
  return checks;
}

function notEvaluated(check: StoreCheck): Evaluation {
  return { allowed: true, remaining: check.spec.limit, resetAfterMs: 0, retryAfterMs: 0 };
}

function ruleOf(check: StoreCheck): string {
  return check.key.slice(check.key.indexOf('}:') + 2, check.key.lastIndexOf(':'));
}
