import { healthV1, serviceNames } from '@gatehouse/contracts';
import {
  createServiceMetrics,
  hostedService,
  startServiceHost,
  systemClock,
  type Logger,
  type ServiceHost,
} from '@gatehouse/runtime';
import { ClusterLog } from './cluster/cluster-log';
import { ClusterMonitor } from './cluster/cluster-monitor';
import { healthServiceHandlers } from './cluster/health-service-handlers';
import type { HealthConfig } from './config';
import { createHealthMetrics } from './health-metrics';
import { statusRoutes } from './status-page/status-routes';
import { serviceTarget } from './targets/service-target';
import { postgresTarget, redisTarget } from './targets/store-targets';
import type { Target } from './targets/target';

/**
 * The composition root of the health service: polls the cluster's services and stores and serves
 * the cluster view over gRPC and as a status page on its ops port. It owns no stores.
 */
export async function startHealthApp(config: HealthConfig, logger: Logger): Promise<ServiceHost> {
  const targets: Target[] = config.services.map((service) =>
    serviceTarget(service, { maxReconnectBackoffMs: config.pollIntervalMs }),
  );
  if (config.databaseUrl !== undefined) targets.push(postgresTarget(config.databaseUrl));
  if (config.redisUrl !== undefined) targets.push(redisTarget(config.redisUrl, config.redisCluster));
  const monitor = new ClusterMonitor({
    targets,
    clock: systemClock,
    intervalMs: config.pollIntervalMs,
    probeTimeoutMs: config.probeTimeoutMs,
  });
  const metrics = createServiceMetrics({ service: config.service });
  const healthMetrics = createHealthMetrics(metrics);
  const clusterLog = new ClusterLog({
    logger,
    clock: systemClock,
    startupGraceMs: config.startupGraceMs,
    snapshot: () => monitor.snapshot(),
  });
  monitor.subscribe((snapshot) => {
    healthMetrics.record(snapshot);
    clusterLog.record(snapshot);
  });
  clusterLog.start();
  await monitor.start();
  healthMetrics.record(monitor.snapshot());
  return startServiceHost({
    config,
    logger,
    metrics,
    services: [
      hostedService(
        serviceNames.health,
        healthV1.HealthServiceService,
        healthServiceHandlers({ monitor, defaultHeartbeatMs: config.heartbeatMs }),
      ),
    ],
    opsRoutes: statusRoutes(monitor, Math.max(config.pollIntervalMs, 1000)),
    onDrainStart: () => monitor.endWatches(),
    resources: [
      {
        name: 'cluster monitor',
        close: () => {
          clusterLog.stop();
          return monitor.stop();
        },
      },
    ],
  });
}
