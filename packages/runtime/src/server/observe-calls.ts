import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { requestIdKey } from './call-context';
import type { CallObserver } from './call-observer';

/**
 * The call observer as a server interceptor: for hosts with interceptors of their own (an
 * `authenticate` or `rateLimit` guard, tracing), so calls those refuse are counted and logged too.
 * Placed before them, it sees every call from its arrival to its status.
 */
export function observeCalls(observer: CallObserver): ServerInterceptor {
  return (descriptor, call) => {
    const observation = observer.begin(
      descriptor.path,
      descriptor.requestStream,
      descriptor.responseStream,
      call,
    );
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            observation.receive(metadata);
            nextMetadata(metadata);
          },
          onCancel() {
            observation.end(status.CANCELLED, 'cancelled by the client');
          },
        });
      },
      sendMetadata(metadata, next) {
        if (observation.requestId !== '') metadata.set(requestIdKey, observation.requestId);
        next(metadata);
      },
      sendStatus(callStatus, next) {
        observation.end(callStatus.code, callStatus.details);
        next(callStatus);
      },
    });
  };
}
