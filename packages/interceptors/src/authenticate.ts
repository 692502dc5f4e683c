import { createHash } from 'node:crypto';
import {
  credentials,
  Metadata,
  ServerInterceptingCall,
  status,
  type ServerInterceptor,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { GatehouseError, statusDetailsKey, toStatusObject } from '@gatehouse/runtime';
import { methodMatcher, normalizePath } from './method-match';
import { attachPrincipal, type Principal } from './principal';

/** What a method demands of the caller's credential, on top of being valid. */
export interface MethodRequirements {
  /** Scopes the credential must all carry ("*" on the credential matches any). */
  readonly scopes?: readonly string[];
  /** Roles the subject must all have. */
  readonly roles?: readonly string[];
}

export interface AuthenticateOptions {
  /** host:port of the auth service (a plaintext client is created), or pass `authClient`. */
  readonly authAddress?: string;
  readonly authClient?: authV1.AuthServiceClient;
  /**
   * Methods served without a credential: "pkg.Service/Method" or "pkg.Service/*".
   * Default: grpc.health.v1.Health and server reflection.
   */
  readonly exempt?: readonly string[];
  /** Required scopes/roles by method path ("/pkg.Service/Method"); other methods only need a valid credential. */
  readonly methods?: Readonly<Record<string, MethodRequirements>>;
  /** Verified credentials kept (by SHA-256 of the credential); 0 disables the cache. Default 10000. */
  readonly cacheMaxEntries?: number;
  /**
   * Longest a cached verification is trusted, in ms: the bound on how long a revoked key, a
   * logged-out token or a disabled user keeps passing here. Default 1000.
   */
  readonly cacheMaxAgeMs?: number;
  /** Deadline of each Authenticate call; past it the call is refused UNAVAILABLE. Default 1000. */
  readonly timeoutMs?: number;
  /** Milliseconds since the epoch; for tests. */
  readonly now?: () => number;
}

/** A server interceptor that also owns a client; `close()` it when the server stops. */
export type ClosableInterceptor = ServerInterceptor & { close(): void };

export const defaultExemptMethods: readonly string[] = [
  'grpc.health.v1.Health/*',
  'grpc.reflection.v1.ServerReflection/*',
  'grpc.reflection.v1alpha.ServerReflection/*',
];

type Credential = { kind: 'bearer' | 'api_key'; value: string };

interface CacheEntry {
  principal: Principal;
  until: number;
}

/**
 * Authenticates every call (except exempt methods) with the auth service's `Authenticate`:
 * `authorization: Bearer <token>` or `x-api-key: <key>`. Refuses with UNAUTHENTICATED or
 * PERMISSION_DENIED (the auth service's status and error details passed through), and with
 * UNAVAILABLE when the auth service cannot answer: it fails closed. Handlers read the verified
 * principal with `principalOf(call)`.
 */
export function authenticate(options: AuthenticateOptions): ClosableInterceptor {
  const ownClient =
    options.authClient === undefined
      ? new authV1.AuthServiceClient(
          required(options.authAddress, 'authAddress'),
          credentials.createInsecure(),
        )
      : undefined;
  const client = options.authClient ?? ownClient!;
  const isExempt = methodMatcher(options.exempt ?? defaultExemptMethods);
  const requirements = new Map<string, MethodRequirements>();
  for (const [path, demands] of Object.entries(options.methods ?? {})) {
    requirements.set(normalizePath(path), demands);
  }
  const maxEntries = options.cacheMaxEntries ?? 10_000;
  const maxAgeMs = options.cacheMaxAgeMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  const remember = (digest: string, principal: Principal) => {
    if (maxEntries <= 0) return;
    const expires = principal.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const until = Math.min(expires, now() + maxAgeMs);
    cache.delete(digest);
    cache.set(digest, { principal, until });
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  };

  const interceptor: ServerInterceptor = (descriptor, call) => {
    if (isExempt(descriptor.path)) return new ServerInterceptingCall(call);
    const demands = requirements.get(normalizePath(descriptor.path)) ?? {};
    const refuse = (callStatus: Partial<StatusObject>) => call.sendStatus(callStatus as StatusObject);
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            const credential = credentialOf(metadata);
            if (typeof credential === 'string') return refuse(unauthenticated(credential));
            const digest = digestOf(credential);
            const cached = cache.get(digest);
            if (cached !== undefined && cached.until > now()) {
              const missing = missingDemand(cached.principal, demands);
              if (missing !== undefined) return refuse(toStatusObject(missing));
              attachPrincipal(metadata, cached.principal);
              return nextMetadata(metadata);
            }
            if (cached !== undefined) cache.delete(digest);
            client.authenticate(
              {
                bearerToken: credential.kind === 'bearer' ? credential.value : undefined,
                apiKey: credential.kind === 'api_key' ? credential.value : undefined,
                requiredScopes: [...(demands.scopes ?? [])],
                requiredRoles: [...(demands.roles ?? [])],
              },
              new Metadata(),
              { deadline: Date.now() + timeoutMs },
              (error, response) => {
                const principal = response?.principal;
                if (error === null && principal !== undefined) {
                  remember(digest, principal);
                  attachPrincipal(metadata, principal);
                  nextMetadata(metadata);
                } else {
                  refuse(refusalOf(error));
                }
              },
            );
          },
        });
      },
    });
  };
  return Object.assign(interceptor, { close: () => ownClient?.close() });
}

function credentialOf(metadata: Metadata): Credential | string {
  const authorization = metadata.get('authorization')[0];
  if (typeof authorization === 'string' && authorization !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) return 'authorization: only "Bearer <access token>" is accepted';
    return { kind: 'bearer', value: match[1]! };
  }
  const apiKey = metadata.get('x-api-key')[0];
  if (typeof apiKey === 'string' && apiKey !== '') return { kind: 'api_key', value: apiKey };
  return 'credential missing: send "authorization: Bearer <access token>" or "x-api-key: <key>"';
}

function digestOf(credential: Credential): string {
  return createHash('sha256').update(credential.kind).update('\0').update(credential.value).digest('base64');
}

function unauthenticated(message: string): StatusObject {
  return toStatusObject(new GatehouseError('UNAUTHENTICATED', message, { reason: 'CREDENTIAL_MISSING' }));
}

/** The same check, message and reason as the auth service's, for cached principals. */
function missingDemand(principal: Principal, demands: MethodRequirements): GatehouseError | undefined {
  const wildcard = principal.scopes.includes('*');
  const scopes = (demands.scopes ?? []).filter((scope) => !wildcard && !principal.scopes.includes(scope));
  if (scopes.length > 0) {
    return new GatehouseError('PERMISSION_DENIED', `the credential lacks scope(s) ${scopes.join(', ')}`, {
      reason: 'MISSING_SCOPE',
    });
  }
  const roles = (demands.roles ?? []).filter((role) => !principal.roles.includes(role));
  if (roles.length > 0) {
    return new GatehouseError('PERMISSION_DENIED', `the subject lacks role(s) ${roles.join(', ')}`, {
      reason: 'MISSING_ROLE',
    });
  }
  return undefined;
}

/** Refusals pass through with their details; anything else means the auth service could not answer. */
function refusalOf(error: ServiceError | null): StatusObject {
  if (error !== null && (error.code === status.UNAUTHENTICATED || error.code === status.PERMISSION_DENIED)) {
    const metadata = new Metadata();
    for (const value of error.metadata?.get(statusDetailsKey) ?? []) metadata.add(statusDetailsKey, value);
    return { code: error.code, details: error.details, metadata };
  }
  return toStatusObject(
    new GatehouseError('UNAVAILABLE', 'authentication is unavailable: the auth service did not answer', {
      reason: 'AUTH_UNAVAILABLE',
      retryAfterMs: 1000,
    }),
  );
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`authenticate: pass ${name} or a client`);
  return value;
}
