import type { Metadata, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';

type ServerCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

export const requestIdKey = 'x-request-id';

/** What a handler knows about the call besides its request message. */
export interface CallContext {
  /** Full method path, e.g. "/gatehouse.auth.v1.AuthService/Login". */
  readonly method: string;
  /** Request metadata (headers). Credentials live here: never log it whole. */
  readonly metadata: Metadata;
  /** The caller's address, e.g. "ipv4:127.0.0.1:53412". */
  readonly peer: string;
  /** From x-request-id, generated when the caller sent none. */
  readonly requestId: string;
  /** Aborted when the caller cancels or its deadline passes. */
  readonly signal: AbortSignal;
}

export function createCallContext(call: ServerCall, method: string): CallContext {
  const requestId = call.metadata.get(requestIdKey)[0];
  // Made on first use: most handlers never look, and an AbortController per call shows in profiles.
  let controller: AbortController | undefined;
  // Also on first use: the peer address is read through the HTTP/2 session's socket proxy.
  let peer: string | undefined;
  return {
    method,
    metadata: call.metadata,
    get peer() {
      peer ??= call.getPeer();
      return peer;
    },
    requestId: typeof requestId === 'string' ? requestId : '',
    get signal() {
      if (controller === undefined) {
        const created = new AbortController();
        const cancel = () => created.abort(new Error('call cancelled by the client'));
        if (call.cancelled) cancel();
        else call.once('cancelled', cancel);
        controller = created;
      }
      return controller.signal;
    },
  };
}
