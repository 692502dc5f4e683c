import type { ComponentStatus } from '../targets/target';

/** What the cluster view shows of one component. */
export interface ComponentState {
  name: string;
  kind: string;
  critical: boolean;
  status: ComponentStatus;
  latencyMs: number;
  detail: string;
  /** Epoch ms of the last probe. */
  checkedAt: number;
  /** Epoch ms of the last status change. */
  since: number;
}

export interface ClusterSnapshot {
  status: ComponentStatus;
  components: ComponentState[];
  /** Epoch ms of the latest probe round. */
  checkedAt: number;
}

/**
 * SERVING when every component serves; NOT_SERVING when a critical one does not serve at all;
 * DEGRADED otherwise (a critical one degraded, or a non-critical one down).
 */
export function overallStatus(components: readonly ComponentState[]): ComponentStatus {
  if (components.some((c) => c.critical && c.status === 'NOT_SERVING')) return 'NOT_SERVING';
  if (components.some((c) => c.status !== 'SERVING')) return 'DEGRADED';
  return 'SERVING';
}
