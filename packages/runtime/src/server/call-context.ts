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
  const controller = new AbortController();
  call.once('cancelled', () => controller.abort(new Error('call cancelled by the client')));
  const requestId = call.metadata.get(requestIdKey)[0];
  return {
    method,
    metadata: call.metadata,
    peer: call.getPeer(),
    requestId: typeof requestId === 'string' ? requestId : '',
    signal: controller.signal,
  };
}
