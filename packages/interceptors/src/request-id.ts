import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { requestIdKey } from '@gatehouse/runtime';

const current = new AsyncLocalStorage<string>();

/**
 * Runs `work` with `requestId` as the current request id: calls made inside it through a client
 * with the `requestId()` interceptor carry it. In a handler: `inRequest(context.requestId, () => …)`.
 */
export function inRequest<T>(requestId: string, work: () => T): T {
  return current.run(requestId, work);
}

/** The request id `inRequest` set for this async context, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}

export interface RequestIdOptions {
  /** Where the id of the request being served comes from; default the `inRequest` context. */
  readonly current?: () => string | undefined;
  /** Generate one when there is none (default true), so every downstream call is correlated. */
  readonly generate?: boolean;
}

/**
 * A grpc-js CLIENT interceptor that sends x-request-id on every outgoing call: the one already
 * in the call's metadata, else the current request's (see `inRequest`), else a new one.
 */
export function requestId(options: RequestIdOptions = {}): Interceptor {
  const source = options.current ?? currentRequestId;
  const generate = options.generate ?? true;
  return (callOptions, nextCall) =>
    new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        if (metadata.get(requestIdKey).length === 0) {
          const id = source() ?? (generate ? randomUUID() : undefined);
          if (id !== undefined) metadata.set(requestIdKey, id);
        }
        next(metadata, listener);
      },
    });
}
