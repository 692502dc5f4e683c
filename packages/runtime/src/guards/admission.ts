import type { Metadata } from '@grpc/grpc-js';
import type { GatehouseError } from '../errors/gatehouse-error';

/** The call may go on; what it carries applies to the rest of the call. */
export interface Admitted<End> {
  readonly admitted: true;
  /** Response headers to send with the call's own (e.g. x-ratelimit-*). */
  readonly headers?: Metadata;
  /** Runs once when the admitted call ends, however it ends (e.g. gives back a lease). */
  readonly onEnd?: (end: End) => void;
}

/** The call is refused: it is answered with this error and never reaches the handler. */
export interface Refused {
  readonly admitted: false;
  readonly error: GatehouseError;
  /** Trailers sent beside the error's own details (e.g. retry-after). */
  readonly trailers?: Metadata;
}

/** A guard's decision on one call. */
export type Admission<End> = Admitted<End> | Refused;

/**
 * Decides one call before its handler runs: `async (call) => admit | refuse`. A guard may also
 * answer at once, without a promise, when it decides from what it holds (no wait for a turn of
 * the event loop on the hot path). Anything it throws or rejects with is refused as GatehouseError.from
 * makes it: its own code for a GatehouseError, INTERNAL otherwise.
 */
export type Guard<Call, End> = (call: Call) => Admission<End> | Promise<Admission<End>>;

const admittedAsIs = Object.freeze({ admitted: true as const });

/** Admits the call; with `headers` for the response, and `onEnd` to run when it ends. */
export function admit<End = unknown>(carries?: Omit<Admitted<End>, 'admitted'>): Admitted<End> {
  return carries === undefined ? admittedAsIs : { admitted: true, ...carries };
}

export function refuse(error: GatehouseError, trailers?: Metadata): Refused {
  return { admitted: false, error, trailers };
}

/** A promise, told apart from an answer given at once. */
export function isPending<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Partial<Promise<T>> | undefined)?.then === 'function';
}
