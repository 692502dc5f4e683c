import type { Metadata } from '@grpc/grpc-js';

/** Facts about a call that its one log line and its span carry besides method, status and timing. */
export interface CallAnnotations {
  /** The verified subject the call acts for (a user id, an API key's owner); never a credential. */
  principal_subject?: string;
}

/**
 * Annotations ride on the call's request metadata: grpc-js hands the same Metadata object to every
 * server interceptor and to the handler, so whoever learns a fact (an auth interceptor, a handler) can
 * record it without a reference to the call, and a client can never forge it through a header. They
 * sit under a symbol key, which no header serialization sees; a WeakMap did the same but its inserts
 * cost more than the rest of a cached Authenticate.
 */
const annotationsKey = Symbol('gatehouse.callAnnotations');

type AnnotatedMetadata = Metadata & { [annotationsKey]?: CallAnnotations };

export function annotateCall(metadata: Metadata, facts: CallAnnotations): void {
  const annotated = metadata as AnnotatedMetadata;
  const current = annotated[annotationsKey];
  if (current === undefined) annotated[annotationsKey] = { ...facts };
  else Object.assign(current, facts);
}

export function annotationsOf(metadata: Metadata | undefined): CallAnnotations | undefined {
  return (metadata as AnnotatedMetadata | undefined)?.[annotationsKey];
}
