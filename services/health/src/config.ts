import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';

/** One Gatehouse service the health service watches. */
export interface WatchedService {
  /** Component name in the cluster view, e.g. "auth". */
  name: string;
  /** Fully-qualified gRPC service name whose readiness is asked. */
  grpcService: string;
  /** host:port of its gRPC server. */
  grpcAddress: string;
  /** Base URL of its ops port; its /readyz tells degraded from serving. */
  opsUrl: string;
}

export interface HealthConfig extends CommonConfig {
  /** HEALTH_POLL_INTERVAL_MS, default 2000: how often every target is probed. */
  pollIntervalMs: number;
  /** HEALTH_PROBE_TIMEOUT_MS, default 1000: one probe's time limit. */
  probeTimeoutMs: number;
  /** HEALTH_HEARTBEAT_MS, default 15000: WatchClusterHealth heartbeat when nothing changes. */
  heartbeatMs: number;
  /**
   * HEALTH_STARTUP_GRACE_MS, default 60000 (gatehouse up's start timeout): how long after start-up a
   * service that has never served is taken to be still starting and kept out of the log's warnings.
   */
  startupGraceMs: number;
  /** HEALTH_<SERVICE>_ADDR / HEALTH_<SERVICE>_OPS_URL; a service whose address is "off" is not watched. */
  services: WatchedService[];
}

const defaults = [
  {
    name: 'auth',
    variable: 'AUTH',
    grpcService: 'gatehouse.auth.v1.AuthService',
    grpcPort: 50051,
    opsPort: 8081,
  },
  {
    name: 'rate-limit',
    variable: 'RATE_LIMIT',
    grpcService: 'gatehouse.ratelimit.v1.RateLimitService',
    grpcPort: 50052,
    opsPort: 8082,
  },
  {
    name: 'cost-budget',
    variable: 'COST_BUDGET',
    grpcService: 'gatehouse.budget.v1.CostBudgetService',
    grpcPort: 50053,
    opsPort: 8083,
  },
];

/** Configuration of the health service. DATABASE_URL and REDIS_URL, when set, are probed too. */
export function readHealthConfig(env: Env): Readonly<HealthConfig> {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader, { service: 'health', grpcPort: 50054, opsPort: 8084 });
  const services: WatchedService[] = [];
  for (const service of defaults) {
    const addressVariable = `HEALTH_${service.variable}_ADDR`;
    const grpcAddress = reader.string(addressVariable, `127.0.0.1:${service.grpcPort}`);
    const opsUrl = reader.optionalUrl(`HEALTH_${service.variable}_OPS_URL`, ['http:', 'https:']);
    if (grpcAddress === 'off') continue;
    if (!/^[^\s/:]+:\d{1,5}$/.test(grpcAddress) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(grpcAddress)) {
      reader.fail(addressVariable, `must be host:port or "off", got ${JSON.stringify(grpcAddress)}`);
      continue;
    }
    services.push({
      name: service.name,
      grpcService: service.grpcService,
      grpcAddress,
      opsUrl: (opsUrl ?? `http://127.0.0.1:${service.opsPort}`).replace(/\/+$/, ''),
    });
  }
  return reader.finish({
    ...common,
    pollIntervalMs: reader.integer('HEALTH_POLL_INTERVAL_MS', 2000, { min: 100, max: 600_000 }),
    probeTimeoutMs: reader.integer('HEALTH_PROBE_TIMEOUT_MS', 1000, { min: 10, max: 60_000 }),
    heartbeatMs: reader.integer('HEALTH_HEARTBEAT_MS', 15_000, { min: 100, max: 3_600_000 }),
    startupGraceMs: reader.integer('HEALTH_STARTUP_GRACE_MS', 60_000, { min: 0, max: 3_600_000 }),
    services,
  });
}
