import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { flushDeferredCounts } from './deferred-counts';

/**
 * The Prometheus registry of one service, with RED metrics per RPC method. Each service (and each
 * in-process test server) gets its own registry, so nothing is shared through globals.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly rpcStarted: Counter<'grpc_service' | 'grpc_method' | 'grpc_type'>;
  readonly rpcHandled: Counter<'grpc_service' | 'grpc_method' | 'grpc_type' | 'grpc_code'>;
  readonly rpcDuration: Histogram<'grpc_service' | 'grpc_method' | 'grpc_type' | 'grpc_code'>;
}

export interface ServiceMetricsOptions {
  /** Short service name, a constant `service` label on every series. */
  service: string;
  /** Also export Node process metrics (CPU, memory, event loop lag); default true. */
  processMetrics?: boolean;
}

export function createServiceMetrics(options: ServiceMetricsOptions): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const labelNames = ['grpc_service', 'grpc_method', 'grpc_type'] as const;
  return {
    registry,
    rpcStarted: new Counter({
      name: 'grpc_server_started_total',
      help: 'RPCs started on the server.',
      labelNames,
      registers: [registry],
      collect() {
        flushDeferredCounts(this);
      },
    }),
    rpcHandled: new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by status code.',
      labelNames: [...labelNames, 'grpc_code'],
      registers: [registry],
      collect() {
        flushDeferredCounts(this);
      },
    }),
    rpcDuration: new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time from the start of an RPC to its status, in seconds.',
      labelNames: [...labelNames, 'grpc_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
