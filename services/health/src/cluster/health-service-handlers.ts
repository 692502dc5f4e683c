import type { healthV1 } from '@gatehouse/contracts';
import type { ServiceImplementation } from '@gatehouse/runtime';
import type { ClusterMonitor } from './cluster-monitor';
import { snapshotToProto } from './to-proto';

export interface HealthServiceHandlersOptions {
  monitor: ClusterMonitor;
  /** Heartbeat interval when a watcher asks for none. */
  defaultHeartbeatMs: number;
}

/** gatehouse.health.v1.HealthService over the cluster monitor. */
export function healthServiceHandlers(
  options: HealthServiceHandlersOptions,
): ServiceImplementation<typeof healthV1.HealthServiceService> {
  const { monitor } = options;
  return {
    getClusterHealth: async () => snapshotToProto(monitor.snapshot()),
    watchClusterHealth: async (request, context, send) => {
      const heartbeatMs =
        request.heartbeatMs > 0 ? Math.max(request.heartbeatMs, 100) : options.defaultHeartbeatMs;
      send({ ...snapshotToProto(monitor.snapshot()), heartbeat: false });
      await new Promise<void>((resolve) => {
        const stop = monitor.subscribe((snapshot) =>
          send({ ...snapshotToProto(snapshot), heartbeat: false }),
        );
        const beat = setInterval(
          () => send({ ...snapshotToProto(monitor.snapshot()), heartbeat: true }),
          heartbeatMs,
        );
        const finish = () => {
          stop();
          clearInterval(beat);
          resolve();
        };
        if (monitor.watchesEnded.aborted) return finish();
        context.signal.addEventListener('abort', finish, { once: true });
        monitor.watchesEnded.addEventListener('abort', finish, { once: true });
      });
    },
  };
}
