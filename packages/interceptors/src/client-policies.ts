import { InterceptingCall, type ChannelOptions, type Interceptor } from '@grpc/grpc-js';

/** A grpc-js CLIENT interceptor giving every call without its own deadline one `ms` from now. */
export function defaultDeadline(ms: number): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(
      nextCall(options.deadline === undefined ? { ...options, deadline: Date.now() + ms } : options),
    );
}

export interface RetryPolicyOptions {
  /** Idempotent methods only: "pkg.Service/Method", or "pkg.Service/*" for a whole service. */
  readonly methods: readonly string[];
  /** Attempts in all, the first included (grpc-js caps this at 5). Default 3. */
  readonly maxAttempts?: number;
  /** First backoff; each next one is multiplied by 2, up to maxBackoffMs. Default 50 ms / 1000 ms. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * Channel options that make grpc-js retry the given (idempotent!) methods on UNAVAILABLE with
 * exponential backoff and jitter: grpc-js's own retry support (gRFC A6) through the service config,
 * which buffers and replays the request correctly, rather than a hand-written retrying interceptor.
 * Pass them as the client constructor's third argument.
 */
export function retryOnUnavailable(options: RetryPolicyOptions): ChannelOptions {
  const name = options.methods.map((pattern) => {
    const path = pattern.startsWith('/') ? pattern.slice(1) : pattern;
    const [service = '', method = '*'] = path.split('/');
    return method === '*' ? { service } : { service, method };
  });
  const seconds = (ms: number) => `${(ms / 1000).toFixed(3)}s`;
  return {
    'grpc.enable_retries': 1,
    'grpc.service_config': JSON.stringify({
      methodConfig: [
        {
          name,
          retryPolicy: {
            maxAttempts: Math.min(Math.max(options.maxAttempts ?? 3, 2), 5),
            initialBackoff: seconds(options.initialBackoffMs ?? 50),
            maxBackoff: seconds(options.maxBackoffMs ?? 1000),
            backoffMultiplier: 2,
            retryableStatusCodes: ['UNAVAILABLE'],
          },
        },
      ],
    }),
  };
}
