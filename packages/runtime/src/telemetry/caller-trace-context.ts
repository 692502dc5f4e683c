import type { Metadata } from '@grpc/grpc-js';
import { context, propagation, trace, type TextMapGetter } from '@opentelemetry/api';

/** Reads W3C trace context headers (traceparent, tracestate, baggage) out of grpc-js Metadata. */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key);
    if (values.length === 0) return undefined;
    return values.length === 1 ? String(values[0]) : values.map(String);
  },
};

/**
 * Runs `work` inside the trace context the caller sent (W3C `traceparent` in the request metadata).
 *
 * grpc-js server interceptors run before the instrumentation opens the call's server span, so a
 * client call an interceptor makes (Authenticate, CheckLimit) would otherwise start a trace of its
 * own. Inside the caller's context it joins the caller's trace instead. When a span is already active,
 * or no propagator is registered (telemetry off), `work` simply runs.
 */
export function inCallerTraceContext<T>(metadata: Metadata, work: () => T): T {
  const active = context.active();
  if (trace.getSpan(active) !== undefined) return work();
  const extracted = propagation.extract(active, metadata, metadataGetter);
  return extracted === active ? work() : context.with(extracted, work);
}

/**
 * `callback` bound to the trace context active now (the call's server span). An interceptor resumes
 * its call from a client call's callback, where that client span is active: without this, the next
 * interceptor's client calls would become children of the previous one's client span.
 */
export function bindToCallContext<F extends (...args: never[]) => unknown>(callback: F): F {
  return context.bind(context.active(), callback);
}
