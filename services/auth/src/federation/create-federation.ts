import type { Clock, KeyValueStore, Logger, SqlStore } from '@gatehouse/runtime';
import type { AuditLog } from '../audit/audit-log';
import type { UserStore } from '../users/user-store';
import { AccountLinker } from './account-linker';
import type { FederatedProvider } from './federated-provider';
import { FederatedLogin } from './federated-login';
import type { FederationSettings } from './federation-config';
import { GitHubProvider } from './github-provider';
import { IdentityStore } from './identity-store';
import { OpenIdConnectProvider } from './openid-connect-provider';
import { loadOpenIdClient, type OpenIdClient } from './openid-client-module';
import { PendingLogins } from './pending-logins';

export interface CreateFederationOptions {
  settings: FederationSettings;
  sql: SqlStore;
  kv: KeyValueStore;
  users: UserStore;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** AUTH_ALLOW_REGISTRATION: may a federated login create a user. */
  allowRegistration: boolean;
  /** AUTH_CLOCK_SKEW_SECONDS, also the tolerance on providers' ID tokens. */
  clockSkewSeconds: number;
}

/** The federated login of the auth service, from its settings (no providers: every Begin refused). */
export async function createFederation(
  options: CreateFederationOptions,
): Promise<{ federation: FederatedLogin; identities: IdentityStore }> {
  const { settings, sql, kv, users, audit, clock, logger } = options;
  // openid-client is loaded only when needed: importing it costs ~0.2 s of a start-up.
  const providers = settings.providers.length === 0 ? [] : providersOf(options, await loadOpenIdClient());
  if (providers.length > 0) {
    logger.info(
      { providers: settings.providers.map((p) => `${p.name} (${p.kind})`) },
      'federated login enabled',
    );
  }
  const identities = new IdentityStore(sql);
  const federation = new FederatedLogin({
    providers,
    redirectUris: settings.redirectUris,
    pending: new PendingLogins({ kv, clock, ttlMs: settings.stateTtlSeconds * 1000 }),
    linker: new AccountLinker({
      sql,
      users,
      identities,
      audit,
      clock,
      allowRegistration: options.allowRegistration,
    }),
    audit,
    clock,
  });
  return { federation, identities };
}

function providersOf(options: CreateFederationOptions, client: OpenIdClient): FederatedProvider[] {
  const { settings, clock } = options;
  return settings.providers.map((config) =>
    config.kind === 'github'
      ? new GitHubProvider({ config, client, timeoutMs: settings.httpTimeoutMs })
      : new OpenIdConnectProvider({
          config,
          client,
          clock,
          timeoutMs: settings.httpTimeoutMs,
          discoveryMaxAgeMs: settings.discoveryMaxAgeSeconds * 1000,
          clockSkewSeconds: options.clockSkewSeconds,
        }),
  );
}
