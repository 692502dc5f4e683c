import type { ServiceMetrics } from '@gatehouse/runtime';
import { Gauge } from 'prom-client';
import type { ClusterSnapshot } from './cluster/component-state';

const statuses = ['SERVING', 'DEGRADED', 'NOT_SERVING'] as const;

/**
 * The cluster view as gauges, so alerts need no gRPC: `health_cluster_status{status}` and
 * `health_component_status{component,kind,status}` are 1 for the current status and 0 for the others.
 */
export function createHealthMetrics(metrics: ServiceMetrics): { record(snapshot: ClusterSnapshot): void } {
  const cluster = new Gauge({
    name: 'health_cluster_status',
    help: 'Overall cluster status: 1 for the current one of SERVING, DEGRADED, NOT_SERVING.',
    labelNames: ['status'],
    registers: [metrics.registry],
  });
  const component = new Gauge({
    name: 'health_component_status',
    help: 'Status of each watched component: 1 for its current status, 0 for the others.',
    labelNames: ['component', 'kind', 'status'],
    registers: [metrics.registry],
  });
  return {
    record(snapshot) {
      for (const status of statuses) cluster.set({ status }, snapshot.status === status ? 1 : 0);
      for (const c of snapshot.components) {
        for (const status of statuses) {
          component.set({ component: c.name, kind: c.kind, status }, c.status === status ? 1 : 0);
        }
      }
    },
  };
}
