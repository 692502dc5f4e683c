import {
  status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { GatehouseError } from '../errors/gatehouse-error';
import { toStatusObject } from '../errors/status-details';
import type { Logger } from '../logging/logger';
import { createCallContext, type CallContext } from './call-context';
import { refusalOfUndecodable } from './undecodable-requests';

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;
export type ServerStreamHandler<Req, Res> = (
  request: Req,
  context: CallContext,
  send: (message: Res) => void,
) => Promise<void>;

interface MethodShape {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
}

/** A generated service definition (ts-proto, outputServices=grpc-js). */
export type ServiceDefinitionShape = Record<string, MethodShape>;

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
 */
export function toGrpcImplementation<D extends ServiceDefinitionShape>(
  definition: D,
  implementation: ServiceImplementation<D>,
  logger: Logger,
): UntypedServiceImplementation {
  const result: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = (implementation as Record<string, unknown>)[name];
    if (typeof handler !== 'function') {
      result[name] = unimplemented(method);
    } else if (!method.requestStream && !method.responseStream) {
      result[name] = adaptUnary(method.path, handler as UnaryHandler<unknown, unknown>, logger);
    } else if (!method.requestStream && method.responseStream) {
      result[name] = adaptServerStream(method.path, handler as ServerStreamHandler<unknown, unknown>, logger);
    } else {
      throw new Error(`${method.path}: client and bidirectional streaming are not supported`);
    }
  }
  return result;
}

function adaptUnary(path: string, handler: UnaryHandler<unknown, unknown>, logger: Logger) {
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const undecodable = refusalOfUndecodable(call.request);
    if (undecodable !== undefined) return callback(toStatusObject(undecodable));
    const context = createCallContext(call, path);
    handler(call.request, context).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toCallerStatus(error, path, logger)),
    );
  };
}

function adaptServerStream(path: string, handler: ServerStreamHandler<unknown, unknown>, logger: Logger) {
  return (call: ServerWritableStream<unknown, unknown>) => {
    const undecodable = refusalOfUndecodable(call.request);
    if (undecodable !== undefined) return void call.emit('error', toStatusObject(undecodable));
    const context = createCallContext(call, path);
    const send = (message: unknown) => {
      if (!call.cancelled) call.write(message);
    };
    handler(call.request, context, send).then(
      () => call.end(),
      (error: unknown) => call.emit('error', toCallerStatus(error, path, logger)),
    );
  };
}

function toCallerStatus(error: unknown, path: string, logger: Logger) {
  const failure = GatehouseError.from(error);
  if (failure.code === 'INTERNAL') logger.error({ err: error, method: path }, 'unexpected error in handler');
  return toStatusObject(failure);
}

function unimplemented(method: MethodShape) {
  const details = `${method.path} is not implemented yet`;
  if (method.responseStream) {
    return (call: ServerWritableStream<unknown, unknown>) =>
      call.emit('error', { code: status.UNIMPLEMENTED, details });
  }
  return (_call: unknown, callback: sendUnaryData<unknown>) =>
    callback({ code: status.UNIMPLEMENTED, details });
}
