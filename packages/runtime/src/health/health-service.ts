import { grpcHealthV1 } from '@gatehouse/contracts';
import { GatehouseError } from '../errors/gatehouse-error';
import type { ServiceImplementation } from '../server/service-implementation';
import { HealthState, ServingStatus } from './health-state';

/** grpc.health.v1.Health (Check, List, Watch) over a HealthState. */
export function healthServiceImplementation(
  state: HealthState,
): ServiceImplementation<typeof grpcHealthV1.HealthService> {
  return {
    check: async ({ service }) => {
      const status = state.get(service);
      if (status === undefined) {
        throw new GatehouseError('NOT_FOUND', `unknown service ${JSON.stringify(service)}`, {
          field: 'service',
          reason: 'UNKNOWN_SERVICE',
        });
      }
      return { status };
    },
    list: async () => {
      const statuses: Record<string, grpcHealthV1.HealthCheckResponse> = {};
      for (const [service, status] of state.list()) statuses[service] = { status };
      return { statuses };
    },
    watch: async ({ service }, context, send) => {
      send({ status: state.get(service) ?? ServingStatus.SERVICE_UNKNOWN });
      await new Promise<void>((resolve) => {
        const stopWatching = state.watch(service, (status) => send({ status }));
        const stopOnClose = state.onClose(finish);
        context.signal.addEventListener('abort', finish, { once: true });
        function finish() {
          stopWatching();
          stopOnClose();
          resolve();
        }
      });
    },
  };
}
