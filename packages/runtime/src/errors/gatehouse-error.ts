import { errorCodeOf, type ErrorCode } from './error-code';

export interface GatehouseErrorOptions {
  /** The request field at fault, as a path: "email", "descriptors[0].entries[1].key". */
  field?: string;
  /** Machine-readable UPPER_SNAKE_CASE reason, stable across releases, e.g. "TOKEN_EXPIRED". */
  reason?: string;
  /** Non-secret structured context returned to the caller, e.g. { scope: "user:42" }. */
  metadata?: Record<string, string>;
  /** When the caller may retry, for RESOURCE_EXHAUSTED and UNAVAILABLE. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A failure meant for the caller: a closed code, a message safe to show, and optional details. */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly reason?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: GatehouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.field = options.field;
    this.reason = options.reason;
    this.metadata = options.metadata ?? {};
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Bad input: the message says what is wrong with `field`. */
  static invalidArgument(field: string, message: string, reason = 'INVALID_FIELD'): GatehouseError {
    return new GatehouseError('INVALID_ARGUMENT', `${field}: ${message}`, { field, reason });
  }

  /**
   * Turns anything thrown into a GatehouseError. Errors from downstream gRPC calls keep their code;
   * anything else is INTERNAL with a generic message, so internals never leak to callers.
   */
  static from(error: unknown): GatehouseError {
    if (error instanceof GatehouseError) return error;
    if (isGrpcServiceError(error)) {
      return new GatehouseError(errorCodeOf(error.code), error.details || error.message, { cause: error });
    }
    return new GatehouseError('INTERNAL', 'internal error', { cause: error });
  }
}

interface GrpcServiceErrorLike {
  code: number;
  details: string;
  message: string;
  metadata: unknown;
}

function isGrpcServiceError(error: unknown): error is GrpcServiceErrorLike {
  return (
    error instanceof Error &&
    typeof (error as Partial<GrpcServiceErrorLike>).code === 'number' &&
    typeof (error as Partial<GrpcServiceErrorLike>).details === 'string' &&
    (error as Partial<GrpcServiceErrorLike>).metadata !== undefined
  );
}
