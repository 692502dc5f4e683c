export { systemClock, createManualClock, type Clock, type ManualClock } from './clock';

export { errorCodes, errorCodeOf, grpcStatusOf, type ErrorCode } from './errors/error-code';
export { GatehouseError, type GatehouseErrorOptions } from './errors/gatehouse-error';
export {
  toStatusObject,
  readErrorDetails,
  statusDetailsKey,
  errorDomain,
  type ErrorDetails,
} from './errors/status-details';

export { createLogger, type Logger, type LoggerOptions } from './logging/logger';
export { redactSecrets, redactedValue } from './logging/redact';

export {
  createServiceMetrics,
  type ServiceMetrics,
  type ServiceMetricsOptions,
} from './metrics/service-metrics';
export {
  deferredCount,
  DeferredCounter,
  flushDeferredCounts,
  type DeferredCount,
} from './metrics/deferred-counts';

export { HealthState, ServingStatus } from './health/health-state';
export { healthServiceImplementation } from './health/health-service';
export {
  Readiness,
  type ReadinessCheck,
  type ReadinessOptions,
  type ReadinessSnapshot,
  type CheckResult,
} from './health/readiness';

export { startOpsServer, type OpsRoute, type OpsServer, type OpsServerOptions } from './ops/ops-server';

export { annotateCall, annotationsOf, type CallAnnotations } from './server/call-annotations';
export { requestIdKey, type CallContext } from './server/call-context';
export { hostedService, type HostedService } from './server/hosted-service';
export { observeCalls } from './server/observe-calls';
export { CallObserver, type CallObserverOptions } from './server/call-observer';
export { addReflection } from './server/reflection/add-reflection';
export { runUntilSignalled, type Stoppable } from './server/run-until-signalled';
export { stopSignalListener, stopSignalWindowMs, type StopSignalsOptions } from './server/stop-signals';
export {
  startServiceHost,
  type Closeable,
  type ServiceHost,
  type ServiceHostOptions,
} from './server/service-host';
export {
  toGrpcImplementation,
  type ServerStreamHandler,
  type ServiceImplementation,
  type UnaryHandler,
} from './server/service-implementation';
export type { ServiceDefinitionShape } from './server/service-definition-shape';
export { admit, refuse, type Admission, type Admitted, type Guard, type Refused } from './guards/admission';
export {
  guardInterceptor,
  type CallEnd,
  type GuardedCall,
  type GuardInterceptorOptions,
  type ServerGuard,
} from './guards/guard-interceptor';
export { runGuarded, type WorkEnd } from './guards/guarded-work';
export { withEncoding } from './server/encoded-responses';
export { runService, type RunServiceOptions } from './server/run-service';
export { openServiceStores, type ServiceStores, type ServiceStoresOptions } from './stores/service-stores';

export type { SqlRow, SqlResult, SqlExecutor, SqlStore } from './stores/sql/sql-store';
export { openSqlStore, type OpenSqlStoreOptions } from './stores/sql/open-sql-store';
export {
  createPostgresSqlStore,
  quoteIdentifier,
  type PostgresSqlStoreOptions,
} from './stores/sql/postgres-sql-store';
export { createPgliteSqlStore, type PgliteSqlStoreOptions } from './stores/sql/pglite-sql-store';
export {
  readMigrationsDir,
  runMigrations,
  runMigrationsDir,
  migrationChecksum,
  type Migration,
  type Routine,
  type RunMigrationsOptions,
  type RunMigrationsResult,
} from './stores/sql/migrations';
export type { KeyValueStore, SetOptions, IncrementOptions } from './stores/kv/key-value-store';
export { openKeyValueStore, type OpenKeyValueStoreOptions } from './stores/kv/open-key-value-store';
export {
  createMemoryKeyValueStore,
  type MemoryKeyValueStoreOptions,
} from './stores/kv/memory-key-value-store';
export { createRedisKeyValueStore, type RedisKeyValueStoreOptions } from './stores/kv/redis-key-value-store';
export {
  connectRedis,
  RedisTopologyError,
  type ConnectRedisOptions,
  type RedisClient,
  type RedisConnection,
} from './stores/redis/connect-redis';
export {
  StoreRefusals,
  StoreRefusingError,
  type StoreRefusal,
  type StoreRefusalsOptions,
} from './stores/redis/store-refusals';
export { logRefusal } from './stores/redis/log-refusal';
export {
  storeErrorReason,
  storeErrorReasons,
  redisReplyOf,
  type StoreErrorReason,
} from './stores/store-error-reason';
export { storeErrorsCounter } from './stores/metered-stores';

export { currentTraceId } from './telemetry/current-trace-id';
export { setSpanAttributes } from './telemetry/span-attributes';
export { bindToCallContext, inCallerTraceContext } from './telemetry/caller-trace-context';
export { traceCalls, tracingEnabled } from './telemetry/trace-calls';
