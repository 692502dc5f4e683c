import type { TelemetryConfig } from '@gatehouse/config';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * The OTLP span exporter for the configured protocol, or undefined when no endpoint is set.
 * Headers, timeouts and TLS follow the standard OTEL_EXPORTER_OTLP_* variables, read by the exporter.
 */
export function createTraceExporter(config: TelemetryConfig): SpanExporter | undefined {
  const endpoint = config.otlpEndpoint;
  if (endpoint === undefined) return undefined;
  // The generic endpoint is a base URL; the traces-specific one is used as it is (OTLP spec).
  const httpUrl = config.otlpEndpointIsSignalSpecific
    ? endpoint
    : `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  switch (config.otlpProtocol) {
    case 'grpc': {
      const { OTLPTraceExporter } =
        require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      return new OTLPTraceExporter({ url: endpoint });
    }
    case 'http/json': {
      const { OTLPTraceExporter } =
        require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter({ url: httpUrl });
    }
    case 'http/protobuf': {
      const { OTLPTraceExporter } =
        require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter({ url: httpUrl });
    }
  }
}
