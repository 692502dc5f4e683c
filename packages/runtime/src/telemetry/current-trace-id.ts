import { context, trace } from '@opentelemetry/api';

/** The trace id of the active span (e.g. the gRPC server span of the current call), or ''. */
export function currentTraceId(): string {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? spanContext.traceId : '';
}
