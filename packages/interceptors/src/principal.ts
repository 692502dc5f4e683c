import { Metadata } from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import { annotateCall } from '@gatehouse/runtime';

/** The verified identity behind a call's credential, as the auth service reports it. */
export type Principal = authV1.Principal;

/**
 * Principals by the call's request metadata. grpc-js hands the same Metadata object that the
 * interceptors saw to the handler (`call.metadata`, and the runtime's `CallContext.metadata`), so
 * one key works for raw grpc-js handlers and `hostedService` handlers alike; a WeakMap also means
 * a client can never forge a principal through a header.
 */
const principals = new WeakMap<Metadata, Principal>();

export function attachPrincipal(metadata: Metadata, principal: Principal): void {
  principals.set(metadata, principal);
  annotateCall(metadata, { principal_subject: principal.subject });
}

/** Anything carrying the call's request metadata: a grpc-js server call or a runtime CallContext. */
export type HasMetadata = { readonly metadata: Metadata } | Metadata;

/** The principal `authenticate` verified for this call; undefined on exempt methods. */
export function principalOf(call: HasMetadata): Principal | undefined {
  return principals.get(call instanceof Metadata ? call : call.metadata);
}

/** Like principalOf, but throws when the call carries none (a handler behind `authenticate`). */
export function requirePrincipal(call: HasMetadata): Principal {
  const principal = principalOf(call);
  if (principal === undefined) throw new Error('no principal on this call: is authenticate() installed?');
  return principal;
}
