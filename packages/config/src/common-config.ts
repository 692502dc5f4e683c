import type { EnvReader } from './env-reader';
import { readRedisSettings, type RedisClusterSetting } from './redis-urls';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export const otlpProtocols = ['grpc', 'http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof otlpProtocols)[number];

/** Tracing settings, from the standard OTEL_* variables. */
export interface TelemetryConfig {
  /** OTEL_SERVICE_NAME, default `gatehouse-<service>`. */
  serviceName: string;
  /** OTEL_SDK_DISABLED: no tracing at all. */
  disabled: boolean;
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; spans are exported only when set. */
  otlpEndpoint?: string;
  /** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL, default http/protobuf. */
  otlpProtocol: OtlpProtocol;
  /** True when the endpoint came from the traces-specific variable and is used as the full URL. */
  otlpEndpointIsSignalSpecific: boolean;
}

/** What every Gatehouse service reads. Each service extends it with its own keys. */
export interface CommonConfig {
  /** Short service name: auth, rate-limit, cost-budget, health. */
  service: string;
  /** GRPC_HOST, default 0.0.0.0. */
  grpcHost: string;
  /** GRPC_PORT; 0 picks a free port. */
  grpcPort: number;
  /** OPS_HOST, default 0.0.0.0: /metrics, /livez, /readyz. */
  opsHost: string;
  /** OPS_PORT; 0 picks a free port. */
  opsPort: number;
  /** DATABASE_URL: PostgreSQL; embedded PGlite under dataDir when unset. */
  databaseUrl?: string;
  /** DATABASE_SCHEMA: PostgreSQL schema for this service's tables, default gatehouse_<service>. */
  databaseSchema: string;
  /**
   * REDIS_URL: one Redis, or the comma-separated seed nodes of a Redis Cluster; an in-process store
   * when unset.
   */
  redisUrl?: string;
  /** REDIS_CLUSTER, default auto: true for ioredis Cluster, false for one server, auto asks the server. */
  redisCluster: RedisClusterSetting;
  /** REDIS_KEY_PREFIX, default `gh:<service>:`. */
  redisKeyPrefix: string;
  /** GATEHOUSE_DATA_DIR, default ./.gatehouse; embedded data lives in <dataDir>/<service>. */
  dataDir: string;
  /** LOG_LEVEL, default info. */
  logLevel: LogLevel;
  /** SHUTDOWN_GRACE_MS, default 10000: how long in-flight calls may run after SIGTERM. */
  shutdownGraceMs: number;
  /** GRPC_MAX_MESSAGE_BYTES, default 4 MiB, for requests and responses. */
  grpcMaxMessageBytes: number;
  /** GRPC_KEEPALIVE_TIME_MS, default 30000: server pings idle connections this often. */
  grpcKeepaliveTimeMs: number;
  telemetry: TelemetryConfig;
}

export interface CommonDefaults {
  service: string;
  grpcPort: number;
  opsPort: number;
}

export function readCommonConfig(env: EnvReader, defaults: CommonDefaults): CommonConfig {
  const service = defaults.service;
  const tracesEndpoint = env.optionalUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']);
  const endpoint = env.optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  const protocol = env.oneOf(
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    otlpProtocols,
    env.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', otlpProtocols, 'http/protobuf'),
  );
  return {
    service,
    grpcHost: env.string('GRPC_HOST', '0.0.0.0'),
    grpcPort: env.port('GRPC_PORT', defaults.grpcPort),
    opsHost: env.string('OPS_HOST', '0.0.0.0'),
    opsPort: env.port('OPS_PORT', defaults.opsPort),
    databaseUrl: env.optionalUrl('DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseSchema: readIdentifier(env, 'DATABASE_SCHEMA', `gatehouse_${service.replace(/-/g, '_')}`),
    // Read in place so problems stay in the order of the variables.
    ...readRedisSettings(env),
    redisKeyPrefix: env.string('REDIS_KEY_PREFIX', `gh:${service}:`),
    dataDir: env.string('GATEHOUSE_DATA_DIR', './.gatehouse'),
    logLevel: env.oneOf('LOG_LEVEL', logLevels, 'info'),
    shutdownGraceMs: env.integer('SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 3_600_000 }),
    grpcMaxMessageBytes: env.integer('GRPC_MAX_MESSAGE_BYTES', 4 * 1024 * 1024, {
      min: 1024,
      max: 64 * 1024 * 1024,
    }),
    grpcKeepaliveTimeMs: env.integer('GRPC_KEEPALIVE_TIME_MS', 30_000, { min: 1000, max: 3_600_000 }),
    telemetry: {
      serviceName: env.string('OTEL_SERVICE_NAME', `gatehouse-${service}`),
      disabled: env.boolean('OTEL_SDK_DISABLED', false),
      otlpEndpoint: tracesEndpoint ?? endpoint,
      otlpEndpointIsSignalSpecific: tracesEndpoint !== undefined,
      otlpProtocol: protocol,
    },
  };
}

function readIdentifier(env: EnvReader, name: string, fallback: string): string {
  const value = env.string(name, fallback);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    env.fail(name, `must be a lower-case SQL identifier (a-z, 0-9, _), got ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}
