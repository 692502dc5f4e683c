import { GrpcInstrumentation, type GrpcInstrumentationConfig } from '@opentelemetry/instrumentation-grpc';

/**
 * The grpc-js instrumentation for client spans (and trace-context propagation) only.
 *
 * Its server spans start when the handler starts, after the server interceptors, so the calls that
 * an auth or rate-limit interceptor makes would land in traces of their own. The service host opens
 * each call's server span itself before any interceptor runs (`traceCalls` in @gatehouse/runtime),
 * so here the server side is left unpatched. The cross-service trace test fails if a new release
 * of the instrumentation renames the hook this relies on.
 */
export class ClientSpansOnlyGrpcInstrumentation extends GrpcInstrumentation {
  constructor(config: GrpcInstrumentationConfig = {}) {
    super(config);
  }
}

// `_patchServer` is the instrumentation's (non-public) wrapper factory for `Server.prototype.register`;
// answering with the original `register` leaves servers untouched.
Object.defineProperty(ClientSpansOnlyGrpcInstrumentation.prototype, '_patchServer', {
  value: () => (originalRegister: unknown) => originalRegister,
});
