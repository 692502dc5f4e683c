import {
  status,
  type ServerUnaryCall,
  type StatusObject,
  type ServerWritableStream,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { GatehouseError } from '../errors/gatehouse-error';
import { toStatusObject } from '../errors/status-details';
import type { Logger } from '../logging/logger';
import { createCallContext, type CallContext } from './call-context';
import {
  observeHandlerCall,
  sendRequestIdHeader,
  type CallObservation,
  type CallObserver,
  type ObservableCall,
} from './call-observer';
import type { MethodShape, ServiceDefinitionShape } from './service-definition-shape';
import { refusalOfUndecodable } from './undecodable-requests';

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;
export type ServerStreamHandler<Req, Res> = (
  request: Req,
  context: CallContext,
  send: (message: Res) => void,
) => Promise<void>;

/**
 * Handlers for a generated service definition, as plain async functions: return the response or
 * throw a GatehouseError. Methods left out answer UNIMPLEMENTED.
 */
export type ServiceImplementation<D extends ServiceDefinitionShape> = {
  [K in keyof D]?: D[K] extends {
    requestStream: false;
    responseStream: false;
    requestDeserialize: (bytes: Buffer) => infer Req;
    responseSerialize: (value: infer Res) => Buffer;
  }
    ? UnaryHandler<Req, Res>
    : D[K] extends {
          requestStream: false;
          responseStream: true;
          requestDeserialize: (bytes: Buffer) => infer Req;
          responseSerialize: (value: infer Res) => Buffer;
        }
      ? ServerStreamHandler<Req, Res>
      : never;
};

/**
 * Adapts async handlers to grpc-js. This is the error boundary: whatever a handler throws becomes
 * a gRPC status here, once; unexpected errors are logged with their stack and sent as a bare INTERNAL.
 * Given an observer, the adapters also observe each call (request id, metrics, log line): the host
 * does that when it has no interceptors, because a grpc-js server interceptor costs more per call
 * than a handler that does the same bookkeeping.
 */
export function toGrpcImplementation<D extends ServiceDefinitionShape>(
  definition: D,
  implementation: ServiceImplementation<D>,
  logger: Logger,
  observer?: CallObserver,
): UntypedServiceImplementation {
  const result: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = (implementation as Record<string, unknown>)[name];
    const adapter = { method, logger, observer };
    if (typeof handler !== 'function') {
      result[name] = unimplemented(adapter);
    } else if (!method.requestStream && !method.responseStream) {
      result[name] = adaptUnary(adapter, handler as UnaryHandler<unknown, unknown>);
    } else if (!method.requestStream && method.responseStream) {
      result[name] = adaptServerStream(adapter, handler as ServerStreamHandler<unknown, unknown>);
    } else {
      throw new Error(`${method.path}: client and bidirectional streaming are not supported`);
    }
  }
  return result;
}

interface Adapter {
  method: MethodShape;
  logger: Logger;
  observer: CallObserver | undefined;
}

function observe({ method, observer }: Adapter, call: ObservableCall): CallObservation | undefined {
  if (observer === undefined) return undefined;
  return observeHandlerCall(observer, method.path, method.requestStream, method.responseStream, call);
}

function answerObserved(
  adapter: Adapter,
  call: ObservableCall,
  answer: Pick<StatusObject, 'code' | 'details'>,
): void {
  const observation = observe(adapter, call);
  if (observation === undefined) return;
  observation.end(answer.code, answer.details);
  sendRequestIdHeader(call, observation);
}

function adaptUnary(adapter: Adapter, handler: UnaryHandler<unknown, unknown>) {
  const { path } = adapter.method;
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const observation = observe(adapter, call);
    const answer =
      observation === undefined
        ? callback
        : (error: StatusObject | null, response?: unknown) => {
            observation.end(error === null ? status.OK : error.code, error?.details ?? '');
            sendRequestIdHeader(call, observation);
            callback(error, response);
          };
    const undecodable = refusalOfUndecodable(call.request);
    if (undecodable !== undefined) return answer(toStatusObject(undecodable));
    const context = createCallContext(call, path);
    handler(call.request, context).then(
      (response) => answer(null, response),
      (error: unknown) => answer(toCallerStatus(error, path, adapter.logger)),
    );
  };
}

function adaptServerStream(adapter: Adapter, handler: ServerStreamHandler<unknown, unknown>) {
  const { path } = adapter.method;
  return (call: ServerWritableStream<unknown, unknown>) => {
    const observation = observe(adapter, call);
    if (observation !== undefined) sendRequestIdHeader(call, observation);
    const fail = (failure: StatusObject) => {
      observation?.end(failure.code, failure.details);
      call.emit('error', failure);
    };
    const undecodable = refusalOfUndecodable(call.request);
    if (undecodable !== undefined) return fail(toStatusObject(undecodable));
    const context = createCallContext(call, path);
    const send = (message: unknown) => {
      if (!call.cancelled) call.write(message);
    };
    handler(call.request, context, send).then(
      () => {
        observation?.end(status.OK, '');
        call.end();
      },
      (error: unknown) => fail(toCallerStatus(error, path, adapter.logger)),
    );
  };
}

function toCallerStatus(error: unknown, path: string, logger: Logger) {
  const failure = GatehouseError.from(error);
  if (failure.code === 'INTERNAL') logger.error({ err: error, method: path }, 'unexpected error in handler');
  return toStatusObject(failure);
}

function unimplemented(adapter: Adapter) {
  const { method } = adapter;
  const refusal = { code: status.UNIMPLEMENTED, details: `${method.path} is not implemented yet` };
  if (method.responseStream) {
    return (call: ServerWritableStream<unknown, unknown>) => {
      answerObserved(adapter, call, refusal);
      call.emit('error', refusal);
    };
  }
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    answerObserved(adapter, call, refusal);
    callback(refusal);
  };
}
