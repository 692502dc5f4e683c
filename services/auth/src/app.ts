import { join } from 'node:path';
import { authV1, envoyAuthV3, serviceNames } from '@gatehouse/contracts';
import {
  createServiceMetrics,
  hostedService,
  openServiceStores,
  startServiceHost,
  systemClock,
  type Clock,
  type Closeable,
  type Logger,
  type ServiceHost,
} from '@gatehouse/runtime';
import { ApiKeyStore } from './api-keys/api-key-store';
import { LastUsedRecorder } from './api-keys/last-used-recorder';
import { AuditLog } from './audit/audit-log';
import { createAuthMetrics } from './auth-metrics';
import { Authenticator } from './authenticate/authenticator';
import { CredentialCache, type Invalidation } from './authenticate/credential-cache';
import { InvalidationBus } from './authenticate/invalidation-bus';
import { UserStates } from './authenticate/user-states';
import { ensureBootstrapAdmin } from './bootstrap-admin';
import type { AuthConfig } from './config';
import { extAuthzHandlers } from './envoy/ext-authz-handlers';
import { federationCallbackRoute } from './federation/callback-route';
import { createFederation } from './federation/create-federation';
import { federationHandlers } from './federation/federation-handlers';
import { wellKnownRoutes } from './ops/well-known-routes';
import { createPasswordHasher } from './passwords/password-hasher';
import { RevocationHub } from './revocations/revocation-hub';
import { RevocationJournal } from './revocations/revocation-journal';
import { revocationOf } from './revocations/revocation-of-invalidation';
import { watchRevocationsHandler } from './revocations/watch-revocations-handler';
import { accountHandlers } from './rpc/account-handlers';
import { adminHandlers } from './rpc/admin-handlers';
import type { AuthDomain } from './rpc/auth-domain';
import { credentialHandlers } from './rpc/credential-handlers';
import { sessionHandlers } from './rpc/session-handlers';
import { LoginLockout } from './sessions/login-lockout';
import { RefreshFamilies } from './sessions/refresh-families';
import { Revocations } from './sessions/revocations';
import { startKeyMaintenance } from './tokens/key-maintenance';
import { KeyRing } from './tokens/key-ring';
import { SigningKeyStore } from './tokens/signing-key-store';
import { TokenIssuer } from './tokens/token-issuer';
import { UserStore } from './users/user-store';

/** SQL migrations ship beside the compiled code: services/auth/migrations. */
const migrationsDir = join(__dirname, '..', 'migrations');

export interface AuthAppOptions {
  /** Injected in tests (createManualClock); the system clock otherwise. */
  clock?: Clock;
}

/** The composition root of the auth service: the one place its dependencies are created and wired. */
export async function startAuthApp(
  config: AuthConfig,
  logger: Logger,
  options: AuthAppOptions = {},
): Promise<ServiceHost> {
  const clock = options.clock ?? systemClock;
  const settings = config.auth;
  if (settings.usingDevEncryptionKey) {
    logger.warn(
      'signing keys are encrypted with the publicly known development key because ' +
        'AUTH_KEY_ENCRYPTION_KEY is unset: fine for trying Gatehouse on the embedded store; ' +
        'set it (openssl rand -base64 32) before the data matters',
    );
  }
  const metrics = createServiceMetrics({ service: config.service });
  const stores = await openServiceStores({
    config,
    logger,
    clock,
    sqlMigrationsDir: migrationsDir,
    keyValue: true,
    metrics,
  });
  const sql = stores.sql;
  const kv = stores.kv;
  if (sql === undefined || kv === undefined) throw new Error('auth needs both its SQL and key-value stores');
  const cleanup: Closeable[] = [];
  const authMetrics = createAuthMetrics(metrics);
  try {
    const users = new UserStore(sql);
    const audit = new AuditLog(sql, clock, logger);
    const hasher = createPasswordHasher({
      cost: settings.bcryptCost,
      concurrency: settings.bcryptConcurrency,
      queueMax: settings.bcryptQueueMax,
    });
    const maxTokenSeconds = Math.max(settings.accessTokenTtlSeconds, settings.refreshTokenTtlSeconds);
    const keyRing = new KeyRing({
      store: new SigningKeyStore(sql, Buffer.from(settings.keyEncryptionSecret, 'base64')),
      clock,
      logger,
      publishAheadMs: settings.keyPublishAheadSeconds * 1000,
      retireAfterMs: (maxTokenSeconds + settings.clockSkewSeconds) * 1000,
      rotationIntervalMs: settings.keyRotationIntervalSeconds * 1000,
    });
    await keyRing.start();
    cleanup.push(startKeyMaintenance(keyRing, logger));
    const tokens = new TokenIssuer({
      keyRing,
      clock,
      issuer: settings.issuer,
      audience: settings.audience,
      accessTtlSeconds: settings.accessTokenTtlSeconds,
      refreshTtlSeconds: settings.refreshTokenTtlSeconds,
      skewSeconds: settings.clockSkewSeconds,
      userScopes: settings.userScopes,
    });
    const apiKeys = new ApiKeyStore(sql);
    const lastUsed = new LastUsedRecorder(apiKeys, clock, logger, settings.lastUsedFlushMs);
    lastUsed.start();
    cleanup.push({ name: 'API key last-used recorder', close: () => lastUsed.stop() });
    const revocations = new Revocations(kv);
    const cache = new CredentialCache(clock, settings.cacheMaxEntries);
    const userStates = new UserStates(users, clock, settings.cacheMaxAgeMs, settings.cacheMaxEntries);
    const dropLocally = (what: Invalidation) => {
      cache.invalidate(what);
      if (what.kind === 'user' || what.kind === 'all')
        userStates.invalidate(what.kind === 'user' ? what.id : undefined);
    };
    const bus = new InvalidationBus(kv, logger);
    await bus.start(dropLocally);
    cleanup.push({ name: 'cache invalidation subscription', close: () => bus.stop() });
    const revocationJournal = new RevocationJournal(sql);
    const revocationHub = new RevocationHub({ journal: revocationJournal, kv, clock, logger });
    await revocationHub.start();
    cleanup.push({ name: 'revocation feed', close: () => revocationHub.stop() });
    const accessLifetimeMs = (settings.accessTokenTtlSeconds + settings.clockSkewSeconds) * 1000;
    const authenticator = new Authenticator({
      tokens,
      apiKeys,
      lastUsed,
      revocations,
      userStates,
      cache,
      clock,
      apiKeyPrefix: settings.apiKeyPrefix,
      cacheMaxAgeMs: settings.cacheMaxAgeMs,
      metrics: authMetrics,
    });
    const domain: AuthDomain = {
      settings,
      clock,
      users,
      hasher,
      lockout: new LoginLockout({
        kv,
        maxFailures: settings.lockoutMaxFailures,
        windowMs: settings.lockoutWindowSeconds * 1000,
        lockMs: settings.lockoutDurationSeconds * 1000,
      }),
      families: new RefreshFamilies(sql),
      revocations,
      tokens,
      keyRing,
      apiKeys,
      authenticator,
      audit,
      metrics: authMetrics,
      invalidate: async (what) => {
        dropLocally(what);
        await bus.publish(what);
        const revocation = revocationOf(what, clock.now(), accessLifetimeMs);
        if (revocation !== undefined) await revocationHub.publish(revocation);
      },
    };
    const { federation, identities } = await createFederation({
      settings: settings.federation,
      sql,
      kv,
      users,
      audit,
      clock,
      logger,
      allowRegistration: settings.allowRegistration,
      clockSkewSeconds: settings.clockSkewSeconds,
    });
    if (settings.bootstrapAdmin !== undefined) {
      await ensureBootstrapAdmin({ admin: settings.bootstrapAdmin, users, hasher, audit, clock, logger });
    }
    return await startServiceHost({
      config,
      logger,
      clock,
      metrics,
      services: [
        hostedService(serviceNames.auth, authV1.AuthServiceService, {
          ...accountHandlers(domain),
          ...sessionHandlers(domain),
          ...credentialHandlers(domain),
          ...adminHandlers(domain),
          ...federationHandlers({ domain, federation, identities }),
          watchRevocations: watchRevocationsHandler({
            hub: revocationHub,
            journal: revocationJournal,
            keyRing,
            clock,
            issuer: settings.issuer,
            audience: settings.audience,
            skewSeconds: settings.clockSkewSeconds,
          }),
        }),
        hostedService(
          serviceNames.envoyAuthorization,
          envoyAuthV3.AuthorizationService,
          extAuthzHandlers(authenticator),
        ),
      ],
      opsRoutes: [
        ...wellKnownRoutes({ keyRing, issuer: settings.issuer }),
        federationCallbackRoute({ domain, federation, logger }),
      ],
      readinessChecks: stores.readinessChecks,
      resources: [...cleanup, ...stores.resources],
      storesInUse: stores.inUse,
      onDrainStart: () => revocationHub.endWatches(),
    });
  } catch (error) {
    for (const resource of [...cleanup, ...stores.resources]) await resource.close().catch(() => undefined);
    throw error;
  }
}
