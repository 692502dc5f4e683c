import {
  ServerInterceptingCall,
  type Metadata,
  type ServerInterceptor,
  type StatusObject,
} from '@grpc/grpc-js';
import { GatehouseError } from '../errors/gatehouse-error';
import { toStatusObject } from '../errors/status-details';
import { bindToCallContext, inCallerTraceContext } from '../telemetry/caller-trace-context';
import { isPending, refuse, type Admission, type Admitted, type Guard, type Refused } from './admission';

/** What a server guard sees of a call, before its handler runs. */
export interface GuardedCall {
  /** Full method path, "/pkg.Service/Method". */
  readonly method: string;
  /** The caller's address as grpc-js reports it, e.g. "127.0.0.1:53412" (read while deciding). */
  readonly peer: string;
  /** The request metadata: the very object the handler sees, so a guard may attach to it. */
  readonly metadata: Metadata;
}

/** How an admitted call ended: with the status it sent, or cancelled by its caller. */
export type CallEnd =
  { readonly status: Pick<StatusObject, 'code' | 'details'> } | { readonly cancelled: true };

/** A guard for `guardInterceptor`. */
export type ServerGuard = Guard<GuardedCall, CallEnd>;

export interface GuardInterceptorOptions {
  /** Methods the guard never sees (by full path), e.g. health and reflection. */
  readonly skip?: (method: string) => boolean;
}

const cancelledEnd: CallEnd = Object.freeze({ cancelled: true as const });

/**
 * The guard as a grpc-js server interceptor. It is asked once the request metadata arrives (inside
 * the caller's trace context, so the calls it makes join the caller's trace); a refusal is sent as
 * the call's status (errors become gRPC statuses here, once); an admitted call goes on with the
 * guard's response headers, and its `onEnd` runs once when the call ends or is cancelled, also
 * when the cancellation came while the guard was still deciding.
 */
export function guardInterceptor(
  guard: ServerGuard,
  options: GuardInterceptorOptions = {},
): ServerInterceptor {
  const { skip } = options;
  return (descriptor, call) => {
    if (skip?.(descriptor.path)) return new ServerInterceptingCall(call);
    let admitted: Admitted<CallEnd> | undefined;
    let cancelled = false;
    let ended = false;
    const end = (how: CallEnd) => {
      if (ended || admitted?.onEnd === undefined) return;
      ended = true;
      admitted.onEnd(how);
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onCancel() {
            cancelled = true;
            end(cancelledEnd);
          },
          onReceiveMetadata(metadata, nextMetadata) {
            const proceed = (admission: Admission<CallEnd>) => {
              if (!admission.admitted) return call.sendStatus(statusOf(admission));
              admitted = admission;
              // The caller left while the guard decided: give back at once what it took.
              if (cancelled) return end(cancelledEnd);
              nextMetadata(metadata);
            };
            const guarded: GuardedCall = {
              method: descriptor.path,
              metadata,
              get peer() {
                return call.getPeer();
              },
            };
            let answer: Admission<CallEnd> | Promise<Admission<CallEnd>>;
            try {
              answer = inCallerTraceContext(metadata, () => guard(guarded));
            } catch (error) {
              return proceed(refuse(GatehouseError.from(error)));
            }
            if (!isPending(answer)) return proceed(answer);
            // Resumed in the call's own trace context, not in that of a client call the guard made.
            answer.then(
              bindToCallContext(proceed),
              bindToCallContext((error: unknown) => proceed(refuse(GatehouseError.from(error)))),
            );
          },
        });
      },
      sendMetadata(metadata, next) {
        if (admitted?.headers !== undefined) metadata.merge(admitted.headers);
        next(metadata);
      },
      sendStatus(status, next) {
        next(status);
        end({ status });
      },
    });
  };
}

function statusOf(refusal: Refused): StatusObject {
  const status = toStatusObject(refusal.error);
  if (refusal.trailers !== undefined) status.metadata.merge(refusal.trailers);
  return status;
}
