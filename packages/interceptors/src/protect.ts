import type { ServerInterceptor } from '@grpc/grpc-js';
import { authenticate, type AuthenticateOptions } from './authenticate';
import { rateLimit, type RateLimitInterceptor, type RateLimitOptions } from './rate-limit';

export interface ProtectOptions {
  readonly authenticate: AuthenticateOptions;
  /** Omit to serve without rate limits. */
  readonly rateLimit?: RateLimitOptions;
}

export interface Protection {
  /** For the grpc-js `Server` option `interceptors`, after the host's own (request id, metrics, logs). */
  readonly interceptors: ServerInterceptor[];
  /** The rate limiter, for its stats (fallbacks, breaker); undefined without rate limits. */
  readonly rateLimit?: RateLimitInterceptor;
  /** Closes the interceptors' clients. */
  close(): void;
}

/** The interceptors in their required order: authenticate first, then rateLimit (it counts the principal). */
export function protect(options: ProtectOptions): Protection {
  const guard = authenticate(options.authenticate);
  const limiter = options.rateLimit === undefined ? undefined : rateLimit(options.rateLimit);
  return {
    interceptors: limiter === undefined ? [guard] : [guard, limiter],
    rateLimit: limiter,
    close: () => {
      guard.close();
      limiter?.close();
    },
  };
}
