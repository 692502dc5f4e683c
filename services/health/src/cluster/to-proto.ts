import { healthV1 } from '@gatehouse/contracts';
import type { ComponentStatus } from '../targets/target';
import type { ClusterSnapshot } from './component-state';

const statusToProto: Record<ComponentStatus, healthV1.HealthStatus> = {
  SERVING: healthV1.HealthStatus.HEALTH_STATUS_SERVING,
  DEGRADED: healthV1.HealthStatus.HEALTH_STATUS_DEGRADED,
  NOT_SERVING: healthV1.HealthStatus.HEALTH_STATUS_NOT_SERVING,
};

/** The cluster snapshot as the HealthService contract sends it. */
export function snapshotToProto(snapshot: ClusterSnapshot): healthV1.GetClusterHealthResponse {
  return {
    status: statusToProto[snapshot.status],
    checkedAt: new Date(snapshot.checkedAt),
    components: snapshot.components.map((component) => ({
      name: component.name,
      kind: component.kind,
      status: statusToProto[component.status],
      latencyMs: component.latencyMs,
      detail: component.detail,
      checkedAt: component.checkedAt === 0 ? undefined : new Date(component.checkedAt),
      since: new Date(component.since),
      critical: component.critical,
    })),
  };
}
