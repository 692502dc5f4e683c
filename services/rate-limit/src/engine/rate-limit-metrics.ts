import { DeferredCounter, flushDeferredCounts } from '@gatehouse/runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The rate-limit service's own series, on the service's registry (next to the RPC metrics). */
export interface RateLimitMetrics {
  /**
   * Per rule: decisions by outcome (allowed, over_limit, shadow_over_limit, unmatched). Counted in
   * plain numbers and added at scrape time: prom-client hashes the labels on every inc.
   */
  readonly decisions: DeferredCounter<'domain' | 'rule' | 'outcome'>;
  readonly nearLimit: DeferredCounter<'domain' | 'rule'>;
  /**
   * Per descriptor, Envoy's stats key (`key1_value1.subkey1`): only for rules whose nodes set
   * `detailed_metric` or `value_to_metric`, since request values make it a series per value.
   */
  readonly descriptorDecisions: DeferredCounter<'domain' | 'descriptor' | 'outcome'>;
  /** Per rule: decisions made by a failure policy while the store was unavailable. */
  readonly fallback: Counter<'domain' | 'rule' | 'policy'>;
  readonly storeErrors: Counter<'domain' | 'reason'>;
  readonly decisionSeconds: Histogram<'domain' | 'path'>;
  readonly anomalies: Counter<'domain' | 'rule'>;
  readonly overLimitCacheHits: Counter<'domain'>;
  readonly circuitOpen: Gauge;
  readonly configReloads: Counter<'result'>;
  readonly rulesLoaded: Gauge;
}

export function createRateLimitMetrics(registry: Registry): RateLimitMetrics {
  const registers = [registry];
  return {
    decisions: new DeferredCounter(
      new Counter({
        name: 'ratelimit_decisions_total',
        help: 'Limit decisions per rule, by outcome.',
        labelNames: ['domain', 'rule', 'outcome'],
        registers,
        collect() {
          flushDeferredCounts(this);
        },
      }),
      ['domain', 'rule', 'outcome'],
    ),
    nearLimit: new DeferredCounter(
      new Counter({
        name: 'ratelimit_near_limit_total',
        help: 'Decisions that left a rule at or above the near-limit ratio.',
        labelNames: ['domain', 'rule'],
        registers,
        collect() {
          flushDeferredCounts(this);
        },
      }),
      ['domain', 'rule'],
    ),
    descriptorDecisions: new DeferredCounter(
      new Counter({
        name: 'ratelimit_descriptor_decisions_total',
        help: 'Limit decisions per descriptor (rules with detailed_metric or value_to_metric), by outcome.',
        labelNames: ['domain', 'descriptor', 'outcome'],
        registers,
        collect() {
          flushDeferredCounts(this);
        },
      }),
      ['domain', 'descriptor', 'outcome'],
    ),
    fallback: new Counter({
      name: 'ratelimit_fallback_total',
      help: 'Decisions made by the failure policy because the store was unavailable.',
      labelNames: ['domain', 'rule', 'policy'],
      registers,
    }),
    storeErrors: new Counter({
      name: 'ratelimit_store_errors_total',
      help: 'Store calls that failed, timed out or were skipped by the open circuit.',
      labelNames: ['domain', 'reason'],
      registers,
    }),
    decisionSeconds: new Histogram({
      name: 'ratelimit_decision_seconds',
      help: 'Time to decide one request, by path (store, cache, fallback, no_store).',
      labelNames: ['domain', 'path'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    }),
    anomalies: new Counter({
      name: 'ratelimit_anomalies_total',
      help: 'Decisions whose key scored at or above the anomaly threshold.',
      labelNames: ['domain', 'rule'],
      registers,
    }),
    overLimitCacheHits: new Counter({
      name: 'ratelimit_over_limit_cache_hits_total',
      help: 'Requests denied from the local over-limit cache without a store round trip.',
      labelNames: ['domain'],
      registers,
    }),
    circuitOpen: new Gauge({
      name: 'ratelimit_store_circuit_open',
      help: 'Store circuits open or probing: 0 or 1 for one Redis, up to the number of masters on a cluster.',
      registers,
    }),
    configReloads: new Counter({
      name: 'ratelimit_config_reloads_total',
      help: 'Rules reloads, by result (applied, rejected).',
      labelNames: ['result'],
      registers,
    }),
    rulesLoaded: new Gauge({
      name: 'ratelimit_rules_loaded',
      help: 'Rules in force.',
      registers,
    }),
  };
}
