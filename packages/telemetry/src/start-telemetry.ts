import type { TelemetryConfig } from '@gatehouse/config';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ClientSpansOnlyGrpcInstrumentation } from './client-spans-only-grpc-instrumentation';
import { createTraceExporter } from './trace-exporter';

export interface TelemetryOptions {
  /** Replaces the exporter chosen from config (tests pass an in-memory exporter's processor). */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** Flushes pending spans and stops tracing. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing for a service process. Must run before grpc-js, pg and ioredis are
 * first required: their instrumentations patch the modules as they load.
 *
 * Spans are always created (so logs carry trace ids and trace context propagates), and exported
 * over OTLP only when an endpoint is configured.
 */
export function startTelemetry(config: TelemetryConfig, options: TelemetryOptions = {}): Telemetry {
  if (config.disabled) return { shutdown: async () => undefined };

  // Constructing an instrumentation installs its module hooks, so this comes before anything
  // below can load grpc-js (the OTLP gRPC exporter does).
  const instrumentations: Instrumentation[] = [
    // Server spans come from the service host (see ClientSpansOnlyGrpcInstrumentation).
    new ClientSpansOnlyGrpcInstrumentation({ ignoreGrpcMethods: ['Watch'] }),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];

  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const exporter = options.spanProcessors ? undefined : createTraceExporter(config);
  const spanProcessors = options.spanProcessors ?? [
    exporter ? new BatchSpanProcessor(exporter) : new NoopSpanProcessor(),
  ];
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    instrumentations,
    spanProcessors,
    // Metrics are served by each service's /metrics endpoint, logs go to stdout as JSON.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
