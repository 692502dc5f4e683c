export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry';
export { createTraceExporter } from './trace-exporter';
