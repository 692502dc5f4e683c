import type { CommonConfig } from '@gatehouse/config';
import { createAuthServiceIdentity, type CallerIdentity } from '@gatehouse/interceptors';
import {
  createServiceMetrics,
  logRefusal,
  startServiceHost,
  storeErrorsCounter,
  systemClock,
  type Clock,
  type Logger,
  type ReadinessCheck,
  type ServiceHost,
} from '@gatehouse/runtime';
import { envoyRateLimitService } from './api/envoy-rate-limit-service';
import { rateLimitService } from './api/rate-limit-service';
import { defaultRateLimitSettings, type RateLimitSettings } from './config';
import { DecisionEngine } from './engine/decision-engine';
import { GuardedStore } from './engine/guarded-store';
import { createRateLimitMetrics, type RateLimitMetrics } from './engine/rate-limit-metrics';
import { AnomalyDetector } from './limiter/anomaly-detector';
import { CircuitBreakers } from './limiter/circuit-breakers';
import { OverLimitCache } from './limiter/over-limit-cache';
import type { RuleSet } from './rules/rule';
import { RulesSource } from './rules/rules-source';
import type { LimitStore } from './store/limit-store';
import { createMemoryLimitStore } from './store/memory-limit-store';
import { createRedisLimitStore } from './store/redis-limit-store';

export interface RateLimitAppOptions {
  /** Time source of every decision (tests pass a manual clock). Default: the system clock. */
  clock?: Clock;
  /** Who calls the admin RPC ResetLimit; default the auth service at RATELIMIT_AUTH_ADDR. */
  callerIdentity?: CallerIdentity;
}

/**
 * The composition root of the rate-limit service: the one place its dependencies are created and
 * wired, and where the counter store is chosen (Redis when REDIS_URL is set, else in-process).
 * A config without `rateLimit` settings gets the documented defaults.
 */
export async function startRateLimitApp(
  config: CommonConfig & { rateLimit?: RateLimitSettings },
  logger: Logger,
  options: RateLimitAppOptions = {},
): Promise<ServiceHost> {
  const settings = config.rateLimit ?? defaultRateLimitSettings();
  const clock = options.clock ?? systemClock;
  const metrics = createServiceMetrics({ service: config.service });
  const rateLimitMetrics = createRateLimitMetrics(metrics.registry);

  const countRules = (rules: RuleSet) =>
    [...rules.domains.values()].reduce((total, domain) => total + domain.rules.length, 0);
  // Envoy loads these silently; the operator hears of them once per load.
  const warn = (loaded: RuleSet) => {
    for (const warning of loaded.warnings)
      logger.warn({ version: loaded.version }, `rate-limit rules: ${warning}`);
  };
  const rules = await RulesSource.open({
    path: settings.rulesPath,
    debounceMs: settings.reloadDebounceMs,
    load: { mergeDomains: settings.mergeDomains, defaultAlgorithm: settings.defaultAlgorithm },
    onReloaded: (next) => {
      rateLimitMetrics.configReloads.inc({ result: 'applied' });
      rateLimitMetrics.rulesLoaded.set(countRules(next));
      logger.info(
        { version: next.version, rules: countRules(next), files: next.sources },
        'rate-limit rules reloaded',
      );
      warn(next);
    },
    onRejected: (error) => {
      rateLimitMetrics.configReloads.inc({ result: 'rejected' });
      logger.error(
        { err: error, version: rules.current().version },
        `rate-limit rules rejected, previous rules stay in force: ${error instanceof Error ? error.message : String(error)}`,
      );
    },
  });
  rateLimitMetrics.rulesLoaded.set(countRules(rules.current()));
  logger.info(
    { version: rules.current().version, rules: countRules(rules.current()), files: rules.current().sources },
    'rate-limit rules loaded',
  );
  warn(rules.current());

  const storeErrors = storeErrorsCounter(metrics.registry);
  let store: LimitStore;
  try {
    store = config.redisUrl
      ? await createRedisLimitStore({
          redisUrl: config.redisUrl,
          cluster: config.redisCluster,
          keyPrefix: config.redisKeyPrefix,
          commandTimeoutMs: settings.storeTimeoutMs,
          maxBatch: settings.redisMaxBatch,
          clock,
          onError: (error) => logger.debug({ err: error }, 'redis connection error'),
          onRefusal: (refusal) => logRefusal(logger, refusal),
          onFailure: (operation, reason) => storeErrors.inc({ store: 'redis', operation, reason }),
        })
      : createMemoryLimitStore({ maxKeys: settings.memoryMaxKeys });
    await rules.watch();
  } catch (error) {
    rules.close();
    throw error;
  }
  const localStore = createMemoryLimitStore({ maxKeys: settings.memoryMaxKeys });
  const breakers = new CircuitBreakers({
    clock,
    failureThreshold: settings.breakerFailures,
    openMs: settings.breakerOpenMs,
    onStateChange: (node, state) => {
      rateLimitMetrics.circuitOpen.set(breakers.notClosed().length);
      const where = node === '' ? '' : ` for ${node}`;
      if (state === 'open') {
        const cause = guardedStore.lastFailureMessage(node);
        logger.warn(
          { cause, node },
          `rate-limit store circuit open${where} after "${cause}": failure policies decide for ${settings.breakerOpenMs} ms`,
        );
      } else if (state === 'closed') {
        logger.info({ node }, `rate-limit store circuit closed${where}: store answering again`);
      }
    },
  });
  const guardedStore = new GuardedStore({ store, breakers, timeoutMs: settings.storeTimeoutMs });
  const engine = new DecisionEngine({
    rules: () => rules.current(),
    store: guardedStore,
    localStore,
    overLimitCache: settings.overLimitCache ? new OverLimitCache() : undefined,
    anomaly: new AnomalyDetector({
      clock,
      spikeRatio: settings.anomalySpikeRatio,
      threshold: settings.anomalyThreshold,
      minSamples: settings.anomalyMinSamples,
      maxKeys: settings.anomalyMaxKeys,
    }),
    metrics: rateLimitMetrics,
    clock,
    logger,
    failurePolicy: settings.failurePolicy,
    nearLimitRatio: settings.nearLimitRatio,
    closedRetryAfterMs: settings.breakerOpenMs,
  });
  const limits = settings;
  const identity =
    options.callerIdentity ??
    createAuthServiceIdentity({
      address: settings.authAddress,
      timeoutMs: settings.authTimeoutMs,
      addressSetting: 'RATELIMIT_AUTH_ADDR',
    });
  return startServiceHost({
    config,
    logger,
    clock,
    metrics,
    services: [
      rateLimitService({
        engine,
        rules: () => rules.current(),
        limits,
        identity,
        adminRole: settings.adminRole,
      }),
      envoyRateLimitService({ engine, limits }),
    ],
    readinessChecks: storeReadiness(
      store,
      breakers,
      guardedStore,
      rateLimitMetrics,
      settings.failurePolicy === 'fail_closed',
    ),
    resources: [
      { name: 'rules watcher', close: async () => rules.close() },
      { name: 'limit store', close: () => store.close() },
      { name: 'local limit store', close: () => localStore.close() },
      { name: 'auth client', close: async () => identity.close() },
    ],
    storesInUse: {
      kv:
        store.kind === 'redis'
          ? `${store.cluster === true ? 'redis cluster' : 'redis'} (prefix ${config.redisKeyPrefix})`
          : 'memory',
    },
  });
}

/**
 * What readiness says of the counter store. `redis`: it answers, and decisions are not falling back
 * behind an open circuit; under fail_open or local the service keeps answering while its store is
 * down, so it reports itself degraded (and stays in rotation) rather than not ready. `redis-config`:
 * Redis does not refuse commands as configured (MOVED, NOAUTH, WRONGTYPE, READONLY...) — every
 * replica is misconfigured alike, so waiting does not help: not ready whatever the policy.
 */
function storeReadiness(
  store: LimitStore,
  breakers: CircuitBreakers,
  guarded: GuardedStore,
  rateLimitMetrics: RateLimitMetrics,
  critical: boolean,
): ReadinessCheck[] {
  const reachable: ReadinessCheck = {
    name: store.kind,
    critical,
    check: async () => {
      await store.ping();
      const open = breakers.notClosed();
      rateLimitMetrics.circuitOpen.set(open.length);
      if (open.length === 0) return;
      const circuits = open.map(({ node, state }) => {
        const where = node === '' ? '' : ` for ${node}`;
        return `store circuit ${state}${where} (${guarded.lastFailureMessage(node)})`;
      });
      throw new Error(`${circuits.join('; ')}: failure policies decide`);
    },
  };
  const { checkConfiguration } = store;
  if (checkConfiguration === undefined) return [reachable];
  return [reachable, { name: `${store.kind}-config`, check: () => checkConfiguration.call(store) }];
}
