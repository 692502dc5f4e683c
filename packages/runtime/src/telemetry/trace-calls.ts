import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type ProxyTracerProvider,
  type Span,
} from '@opentelemetry/api';
import { metadataGetter } from './caller-trace-context';

/** Long-lived streams (health Watch) would make spans as long as a connection: not traced. */
const untracedMethods = /\/Watch$/;

/** True once a tracer provider is registered (the process started telemetry). */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider() as Partial<ProxyTracerProvider>;
  return provider.getDelegateTracer?.('@gatehouse/runtime') !== undefined;
}

/**
 * The gRPC SERVER span of every call, opened before any other interceptor runs.
 *
 * The grpc-js instrumentation opens its server span only when the handler starts, after the
 * interceptors, so the calls an `authenticate` or `rateLimit` interceptor makes would start traces
 * of their own. Here the span (named and attributed as the instrumentation does) wraps the
 * interceptors and the handler, so every client call made for the call is its child; telemetry
 * leaves server spans to this interceptor.
 */
export function traceCalls(): ServerInterceptor {
  const tracer = trace.getTracer('@gatehouse/runtime');
  return (descriptor, call) => {
    if (untracedMethods.test(descriptor.path)) return new ServerInterceptingCall(call);
    const [, service = '', method = ''] = descriptor.path.split('/');
    let span: Span | undefined;
    let spanContext: Context = ROOT_CONTEXT;
    const inSpan = (work: () => void) => context.with(spanContext, work);
    const end = (code: status, details: string) => {
      if (span === undefined) return;
      span.setAttribute('rpc.grpc.status_code', code);
      if (code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: details });
      span.end();
      span = undefined;
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
            span = tracer.startSpan(
              `grpc.${service}/${method}`,
              {
                kind: SpanKind.SERVER,
                attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method },
              },
              parent,
            );
            spanContext = trace.setSpan(parent, span);
            inSpan(() => nextMetadata(metadata));
          },
          onReceiveMessage(message, nextMessage) {
            inSpan(() => nextMessage(message));
          },
          onReceiveHalfClose(nextHalfClose) {
            inSpan(nextHalfClose);
          },
          // grpc-js forwards the cancellation to the next listener itself.
          onCancel() {
            end(status.CANCELLED, 'cancelled by the client');
          },
        });
      },
      sendStatus(callStatus, next) {
        end(callStatus.code, callStatus.details);
        next(callStatus);
      },
    });
  };
}
