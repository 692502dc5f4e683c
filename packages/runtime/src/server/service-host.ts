import { Server, ServerCredentials, type ServerInterceptor, type ServiceDefinition } from '@grpc/grpc-js';
import type { CommonConfig } from '@gatehouse/config';
import { grpcHealthV1 } from '@gatehouse/contracts';
import { systemClock, type Clock } from '../clock';
import { healthServiceImplementation } from '../health/health-service';
import { HealthState, ServingStatus } from '../health/health-state';
import { Readiness, type ReadinessCheck } from '../health/readiness';
import type { Logger } from '../logging/logger';
import { createServiceMetrics, type ServiceMetrics } from '../metrics/service-metrics';
import { startOpsServer, type OpsRoute } from '../ops/ops-server';
import { reusingEncodings } from './encoded-responses';
import type { HostedService } from './hosted-service';
import { traceCalls, tracingEnabled } from '../telemetry/trace-calls';
import { CallObserver } from './call-observer';
import { observeCalls } from './observe-calls';
import { decodingSafely } from './undecodable-requests';
import { addReflection } from './reflection/add-reflection';
import { toGrpcImplementation } from './service-implementation';

/** Something closed after the servers stop, e.g. a store. */
export interface Closeable {
  readonly name: string;
  close(): Promise<void>;
}

export interface ServiceHostOptions {
  config: CommonConfig;
  logger: Logger;
  services: readonly HostedService[];
  /** Dependencies that decide readiness (/readyz and each service's grpc.health.v1 status). */
  readinessChecks?: readonly ReadinessCheck[];
  /** How often readiness is re-checked; default 5000 ms. */
  readinessIntervalMs?: number;
  /** Extra routes on the ops port. */
  opsRoutes?: readonly OpsRoute[];
  /**
   * Server interceptors run after the host's own (request id, metrics, log line), in order — e.g.
   * the Gatehouse authenticate and rateLimit interceptors, so their refusals are logged and counted.
   */
  interceptors?: readonly ServerInterceptor[];
  /** Supply to add domain metrics to the same registry; created when absent. */
  metrics?: ServiceMetrics;
  /** Closed in order once the servers have stopped. */
  resources?: readonly Closeable[];
  /**
   * Called when draining starts, before waiting for calls: end long-lived streams here (watches),
   * or they hold the drain open until the grace period runs out.
   */
  onDrainStart?: () => void;
  /** Which stores the service uses, for start-up output, e.g. { sql: "pglite ..." }. */
  storesInUse?: Readonly<Record<string, string>>;
  clock?: Clock;
}

export interface ServiceHost {
  readonly grpcPort: number;
  readonly opsPort: number;
  readonly health: HealthState;
  readonly metrics: ServiceMetrics;
  readonly readiness: Readiness;
  readonly storesInUse: Readonly<Record<string, string>>;
  /** Graceful stop; safe to call more than once (later calls wait for the first). */
  shutdown(): Promise<void>;
}

const healthServiceName = 'grpc.health.v1.Health';

/**
 * Runs one Gatehouse service: a grpc-js server with health, reflection, request ids, metrics and
 * logs, plus the HTTP ops port. Stops gracefully: health goes NOT_SERVING first, in-flight calls
 * get up to SHUTDOWN_GRACE_MS to finish, then the rest is cancelled and resources are closed.
 */
export async function startServiceHost(options: ServiceHostOptions): Promise<ServiceHost> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? createServiceMetrics({ service: config.service });
  const names = options.services.map((service) => service.name);

  const health = new HealthState({ '': ServingStatus.SERVING });
  for (const name of names) health.set(name, ServingStatus.NOT_SERVING);

  const observer = new CallObserver({ logger, metrics });
  // Outermost, so the call's server span wraps the other interceptors' work (see traceCalls).
  const tracing = tracingEnabled() ? [traceCalls()] : [];
  const guards = options.interceptors ?? [];
  // Calls refused by an interceptor never reach a handler, so with interceptors the observer runs as
  // one, before the guards. Without, the handler adapters observe: a grpc-js server interceptor
  // costs about 6% of an empty call here even when it only passes the call through.
  const observeInHandlers = tracing.length === 0 && guards.length === 0;
  const interceptors = observeInHandlers ? [] : [...tracing, observeCalls(observer), ...guards];
  const handlerObserver = observeInHandlers ? observer : undefined;
  const server = new Server({
    'grpc.max_receive_message_length': config.grpcMaxMessageBytes,
    'grpc.max_send_message_length': config.grpcMaxMessageBytes,
    'grpc.keepalive_time_ms': config.grpcKeepaliveTimeMs,
    'grpc.keepalive_timeout_ms': 20_000,
    // Gatehouse serves no channelz service, so grpc-js's per-call channelz bookkeeping is waste.
    'grpc.enable_channelz': 0,
    interceptors,
  });
  const healthDefinition = grpcHealthV1.HealthService;
  server.addService(
    decodingSafely(healthDefinition) as unknown as ServiceDefinition,
    toGrpcImplementation(healthDefinition, healthServiceImplementation(health), logger, handlerObserver),
  );
  for (const service of options.services) {
    server.addService(
      decodingSafely(reusingEncodings(service.definition)) as unknown as ServiceDefinition,
      toGrpcImplementation(service.definition, service.implementation, logger, handlerObserver),
    );
  }
  addReflection(server, [...names, healthServiceName], handlerObserver);
  const grpcPort = await bind(server, config.grpcHost, config.grpcPort);

  const readiness = new Readiness({
    checks: options.readinessChecks ?? [],
    clock,
    intervalMs: options.readinessIntervalMs,
    onChange: (snapshot) => {
      const status = snapshot.ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
      for (const name of names) health.set(name, status);
      const failing = snapshot.checks.filter((check) => !check.ok).map((c) => `${c.name}: ${c.detail}`);
      if (!snapshot.ready) logger.warn({ failing }, 'not ready');
      else if (snapshot.degraded) logger.warn({ failing }, 'ready, degraded');
      else logger.info('ready');
    },
  });
  let alive = true;
  const ops = await startOpsServer({
    host: config.opsHost,
    port: config.opsPort,
    registry: metrics.registry,
    readiness,
    isAlive: () => alive,
    routes: options.opsRoutes,
  });
  await readiness.start();

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      logger.info(
        { grace_ms: config.shutdownGraceMs, in_flight: observer.openCalls },
        'shutting down: NOT_SERVING, draining calls',
      );
      readiness.stop();
      health.setAllNotServing();
      health.close();
      options.onDrainStart?.();
      const inFlight = observer.openCalls;
      const drainStarted = clock.now();
      const cancelled = await drain(server, config.shutdownGraceMs, logger, observer);
      const drained = { in_flight: inFlight, drained: inFlight - cancelled, cancelled };
      const drainMs = clock.now() - drainStarted;
      alive = false;
      await ops.close();
      for (const resource of options.resources ?? []) {
        await resource
          .close()
          .catch((error: unknown) => logger.error({ err: error }, `closing ${resource.name} failed`));
      }
      // Read by `gatehouse up` to say how each service stopped.
      logger.info({ ...drained, drain_ms: drainMs }, 'stopped');
    })();
    return stopping;
  };

  const storesInUse = options.storesInUse ?? {};
  return { grpcPort, opsPort: ops.port, health, metrics, readiness, storesInUse, shutdown };
}

function bind(server: Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) => {
      if (error) reject(new Error(`cannot listen for gRPC on ${address}: ${error.message}`));
      else resolve(boundPort);
    });
  });
}

/**
 * Stops accepting calls and waits for in-flight ones, cancelling whatever is left after graceMs;
 * resolves to the number of calls it cancelled.
 */
function drain(server: Server, graceMs: number, logger: Logger, observer: CallObserver): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      const left = observer.openCalls;
      logger.warn({ grace_ms: graceMs, cancelled: left }, 'grace period over: cancelling remaining calls');
      server.forceShutdown();
      resolve(left);
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve(0);
    });
  });
}
