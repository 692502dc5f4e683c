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
import {
  bindToCallContext,
  GatehouseError,
  inCallerTraceContext,
  statusDetailsKey,
  toStatusObject,
} from '@gatehouse/runtime';
import { JwksCache } from './jwks-cache';
import { LocalTokenVerifier } from './local-token-verifier';
import { methodMatcher, normalizePath } from './method-match';
import { attachPrincipal, type Principal } from './principal';
import { RevocationFeed } from './revocation-feed';
import { credentialRefusal } from './credential-refusal';

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
  /**
   * Verify bearer access tokens in this process (default true): the signature against the auth
   * service's published keys (GetJwks), the claims as the service checks them, and the revocation
   * feed (WatchRevocations), with no call per request. API keys, tokens signed by a key not known
   * here, tokens of a user changed since they were issued, and every token while the feed is stale
   * go to `Authenticate`. false: every credential goes to `Authenticate` (cached ≤ cacheMaxAgeMs).
   */
  readonly verifyLocally?: boolean;
  /**
   * Longest local verification is trusted after the last message from the revocation feed, in ms:
   * while the feed is connected a revocation takes effect when its event arrives (milliseconds);
   * when the feed is down, past this bound tokens go to `Authenticate` (UNAVAILABLE if the auth
   * service is down too: fail closed). Default 1000.
   */
  readonly maxStalenessMs?: number;
  /** Heartbeat interval asked of the feed, in ms (100-60000). Default maxStalenessMs / 4, within 100-250. */
  readonly heartbeatIntervalMs?: number;
  /** Verified credentials kept (by SHA-256 of the credential), per cache; 0 disables caching. Default 10000. */
  readonly cacheMaxEntries?: number;
  /**
   * Longest a verification answered by `Authenticate` is reused, in ms: the bound on how long a
   * revoked API key (or, without local verification, a revoked token or disabled user) keeps passing
   * here. Default 1000.
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
 * Authenticates every call (except exempt methods): `authorization: Bearer <token>` or
 * `x-api-key: <key>`. Access tokens are verified in this process against the auth service's keys
 * and revocation feed (see `verifyLocally`); the rest goes to the service's `Authenticate`. Refuses
 * with UNAUTHENTICATED or PERMISSION_DENIED (with the auth service's reasons in error details), and
 * with UNAVAILABLE when it must ask the auth service and it cannot answer: it fails closed.
 * Handlers read the verified principal with `principalOf(call)`.
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
  const local = options.verifyLocally === false ? undefined : startLocalVerification(client, options, now);

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
            const admit = (principal: Principal) => {
              const missing = missingDemand(principal, demands);
              if (missing !== undefined) return refuse(toStatusObject(missing));
              attachPrincipal(metadata, principal);
              return nextMetadata(metadata);
            };
            if (local !== undefined && credential.kind === 'bearer') {
              const verdict = local.verifier.verify(credential.value);
              if (verdict.kind === 'accept') return admit(verdict.principal);
              if (verdict.kind === 'refuse') return refuse(toStatusObject(credentialRefusal(verdict.reason)));
            }
            const digest = digestOf(credential);
            const cached = cache.get(digest);
            if (cached !== undefined && cached.until > now()) return admit(cached.principal);
            if (cached !== undefined) cache.delete(digest);
            inCallerTraceContext(metadata, () =>
              client.authenticate(
                {
                  bearerToken: credential.kind === 'bearer' ? credential.value : undefined,
                  apiKey: credential.kind === 'api_key' ? credential.value : undefined,
                  requiredScopes: [...(demands.scopes ?? [])],
                  requiredRoles: [...(demands.roles ?? [])],
                },
                new Metadata(),
                { deadline: Date.now() + timeoutMs },
                bindToCallContext((error: ServiceError | null, response?: authV1.AuthenticateResponse) => {
                  const principal = response?.principal;
                  if (error === null && principal !== undefined) {
                    remember(digest, principal);
                    admit(principal);
                  } else {
                    refuse(refusalOf(error));
                  }
                }),
              ),
            );
          },
        });
      },
    });
  };
  return Object.assign(interceptor, {
    close: () => {
      local?.feed.stop();
      ownClient?.close();
    },
  });
}

/** The JWKS cache, the revocation feed and the verifier over both, started. */
function startLocalVerification(
  client: authV1.AuthServiceClient,
  options: AuthenticateOptions,
  now: () => number,
) {
  const maxStalenessMs = options.maxStalenessMs ?? 1000;
  const heartbeatIntervalMs =
    options.heartbeatIntervalMs ?? Math.min(250, Math.max(100, Math.floor(maxStalenessMs / 4)));
  if (!(maxStalenessMs > 0))
    throw new Error(`authenticate: maxStalenessMs must be > 0, got ${maxStalenessMs}`);
  if (!(
    heartbeatIntervalMs >= 100 &&
    heartbeatIntervalMs <= 60_000 &&
    heartbeatIntervalMs < maxStalenessMs
  )) {
    throw new Error(
      `authenticate: heartbeatIntervalMs must be 100-60000 and below maxStalenessMs, got ${heartbeatIntervalMs}`,
    );
  }
  const jwks: JwksCache = new JwksCache({
    client,
    timeoutMs: options.timeoutMs ?? 1000,
    minRefreshIntervalMs: 1000,
    now,
    onChange: () => verifier.forget(),
  });
  const feed = new RevocationFeed({
    client,
    heartbeatIntervalMs,
    now,
    onKeyIds: (keyIds) => {
      if (keyIds.some((kid) => !jwks.has(kid))) void jwks.refresh();
    },
  });
  const verifier: LocalTokenVerifier = new LocalTokenVerifier({
    jwks,
    feed,
    maxStalenessMs,
    maxEntries: options.cacheMaxEntries ?? 10_000,
    now,
  });
  feed.start();
  return { feed, verifier };
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
