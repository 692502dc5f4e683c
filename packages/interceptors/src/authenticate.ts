import { createHash } from 'node:crypto';
import { credentials, Metadata, type ServerInterceptor } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { unmetRequirement, type CallerCredential, type MethodRequirements } from '@gatehouse/credentials';
import { admit, GatehouseError, guardInterceptor, refuse, type ServerGuard } from '@gatehouse/runtime';
import { authServiceRefusal } from './auth-service-refusal';
import { credentialRefusal } from './credential-refusal';
import { JwksCache } from './jwks-cache';
import { LocalTokenVerifier } from './local-token-verifier';
import { authenticateRequestOf, credentialOfMetadata } from './metadata-credential';
import { methodMatcher, normalizePath } from './method-match';
import { attachPrincipal, type Principal } from './principal';
import { RevocationFeed } from './revocation-feed';

export type { MethodRequirements };

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

  const ask = (credential: CallerCredential, demands: MethodRequirements) =>
    new Promise<Principal | GatehouseError>((resolve) =>
      client.authenticate(
        authenticateRequestOf(credential, demands),
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error, response) => {
          const principal = response?.principal;
          if (error === null && principal !== undefined) resolve(principal);
          else resolve(error === null ? authUnavailable() : authServiceRefusal(error, authUnavailable));
        },
      ),
    );

  // Bearer tokens decided locally and cached principals are answered at once, without a promise.
  const guard: ServerGuard = (call) => {
    const credential = credentialOfMetadata(call.metadata);
    if (credential.kind === 'refused') return refuse(credentialRefusal(credential.reason));
    const demands = requirements.get(normalizePath(call.method)) ?? noDemands;
    if (local !== undefined && credential.kind === 'bearer') {
      const verdict = local.verifier.verify(credential.value);
      if (verdict.kind === 'accept') return admitPrincipal(call.metadata, verdict.principal, demands);
      if (verdict.kind === 'refuse') return refuse(credentialRefusal(verdict.reason));
    }
    const digest = digestOf(credential);
    const cached = cache.get(digest);
    if (cached !== undefined && cached.until > now())
      return admitPrincipal(call.metadata, cached.principal, demands);
    if (cached !== undefined) cache.delete(digest);
    return ask(credential, demands).then((answer) => {
      if (answer instanceof GatehouseError) return refuse(answer);
      remember(digest, answer);
      return admitPrincipal(call.metadata, answer, demands);
    });
  };
  const interceptor = guardInterceptor(guard, {
    skip: methodMatcher(options.exempt ?? defaultExemptMethods),
  });
  return Object.assign(interceptor, {
    close: () => {
      local?.feed.stop();
      ownClient?.close();
    },
  });
}

const noDemands: MethodRequirements = {};

/** Admits a verified principal that meets the method's demands (the auth service's own check). */
function admitPrincipal(metadata: Metadata, principal: Principal, demands: MethodRequirements) {
  const unmet = unmetRequirement(principal, demands);
  if (unmet !== undefined) {
    return refuse(new GatehouseError('PERMISSION_DENIED', unmet.message, { reason: unmet.reason }));
  }
  attachPrincipal(metadata, principal);
  return admit();
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

function digestOf(credential: CallerCredential): string {
  return createHash('sha256').update(credential.kind).update('\0').update(credential.value).digest('base64');
}

function authUnavailable(): GatehouseError {
  return new GatehouseError('UNAVAILABLE', 'authentication is unavailable: the auth service did not answer', {
    reason: 'AUTH_UNAVAILABLE',
    retryAfterMs: 1000,
  });
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`authenticate: pass ${name} or a client`);
  return value;
}
