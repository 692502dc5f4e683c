import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { grpcHealthV1 } from '@gatehouse/contracts';
import { healthCheckCaller } from '../health-check-client';
import type { Scenario } from '../scenario';

/**
 * The baseline: grpc.health.v1 Check against a bare grpc-js server whose handler answers at once,
 * with no interceptors, metrics or logs. Every other scenario is reported as a ratio to it.
 */
export const emptyGrpcCall: Scenario = {
  name: 'grpc-js-empty-unary',
  summary: 'bare @grpc/grpc-js server, Check handler answers SERVING at once',
  concurrencies: [1, 32],
  async setup() {
    const server = new Server();
    const implementation: grpcHealthV1.HealthServer = {
      check: (_call, callback) =>
        callback(null, { status: grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING }),
      list: (_call, callback) => callback(null, { statuses: {} }),
      watch: (call) => call.end(),
    };
    server.addService(grpcHealthV1.HealthService as unknown as ServiceDefinition, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const caller = healthCheckCaller(`127.0.0.1:${port}`);
    return {
      call: caller.check,
      async teardown() {
        caller.close();
        await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      },
    };
  },
};
