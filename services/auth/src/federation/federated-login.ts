import { GatehouseError, type Clock } from '@gatehouse/runtime';
import type { AuditLog, AuditOrigin } from '../audit/audit-log';
import { quoted } from '../rpc/admin-handlers';
import type { UserRecord } from '../users/user-store';
import type { AccountLinker } from './account-linker';
import type { FederatedProvider } from './federated-provider';
import { loginRefused, refusalWhyOf } from './federation-errors';
import type { PendingLogins } from './pending-logins';
import { isAllowedRedirect, type RedirectPattern } from './redirect-allowlist';

export interface FederatedLoginOptions {
  providers: readonly FederatedProvider[];
  redirectUris: readonly RedirectPattern[];
  pending: PendingLogins;
  linker: AccountLinker;
  audit: AuditLog;
  clock: Clock;
}

/** A begun login: where to send the browser. */
export interface BegunLogin {
  authorizationUrl: string;
  state: string;
  expiresAt: Date;
}

/** What the redirect brought back, as the caller relays it. */
export interface CompletionRequest {
  state: string;
  code: string;
  iss: string;
  error: string;
}

/** The longest value accepted per field: far above what providers send, far below trailer limits. */
const maxLengths = { state: 512, code: 4096, iss: 2048, error: 256 } as const;

/**
 * The federated login flow: authorization code with PKCE (S256), state and (OpenID Connect)
 * nonce, all drawn here and kept in the pending-login store, single-use and expiring. Every begin
 * and every refusal is audited; the caller turns the resulting user into a session.
 */
export class FederatedLogin {
  private readonly providers: ReadonlyMap<string, FederatedProvider>;

  constructor(private readonly options: FederatedLoginOptions) {
    this.providers = new Map(options.providers.map((provider) => [provider.name, provider]));
  }

  /** The configured provider names, in configuration order. */
  get providerNames(): string[] {
    return [...this.providers.keys()];
  }

  async begin(providerName: string, redirectUri: string, origin: AuditOrigin): Promise<BegunLogin> {
    const provider = this.providerNamed(providerName);
    if (redirectUri === '') throw GatehouseError.invalidArgument('redirect_uri', 'is required');
    if (!isAllowedRedirect(this.options.redirectUris, redirectUri)) {
      throw GatehouseError.invalidArgument(
        'redirect_uri',
        `${quoted(redirectUri)} is not on AUTH_FEDERATION_REDIRECT_URIS (exact match; loopback entries allow any port)`,
        'REDIRECT_URI_NOT_ALLOWED',
      );
    }
    const { pending, audit } = this.options;
    const { authorizationUrl, state, nonce, codeVerifier } = await provider.begin(redirectUri);
    const stored = await pending.put(state, { provider: provider.name, redirectUri, codeVerifier, nonce });
    await audit.record({
      ...origin,
      type: 'federated.login_started',
      detail: { provider: provider.name, redirect_uri: redirectUri },
    });
    return { authorizationUrl, state, expiresAt: new Date(stored.expiresAt) };
  }

  /** The user the completed login is for; UNAUTHENTICATED (audited) when it is refused. */
  async complete(
    request: CompletionRequest,
    origin: AuditOrigin,
  ): Promise<{ user: UserRecord; provider: string }> {
    checkLengths(request);
    if (request.state === '') throw GatehouseError.invalidArgument('state', 'is required');
    if (request.code === '' && request.error === '')
      throw GatehouseError.invalidArgument('code', 'is required');
    let providerName = '';
    try {
      const taken = await this.options.pending.take(request.state);
      if (taken.kind === 'unknown') {
        throw loginRefused(
          '',
          'state_unknown',
          'this login is unknown or was already completed: begin it again',
          'FEDERATED_STATE_INVALID',
        );
      }
      providerName = taken.login.provider;
      if (taken.kind === 'expired') {
        throw loginRefused(
          providerName,
          'state_expired',
          'this login has expired: begin it again',
          'FEDERATED_STATE_EXPIRED',
        );
      }
      const provider = this.providers.get(providerName);
      if (provider === undefined) {
        throw loginRefused(
          providerName,
          'state_unknown',
          `provider ${quoted(providerName)} is no longer configured`,
        );
      }
      if (request.error !== '') {
        throw loginRefused(
          providerName,
          'provider_error',
          `${providerName} answered with an error: ${quoted(request.error)}`,
        );
      }
      const identity = await provider.identify(
        { state: request.state, code: request.code, iss: request.iss === '' ? undefined : request.iss },
        taken.login,
      );
      const user = await this.options.linker.userFor(providerName, identity, origin);
      return { user, provider: providerName };
    } catch (error) {
      await this.auditRefusal(providerName, error, origin);
      throw error;
    }
  }

  private providerNamed(name: string): FederatedProvider {
    if (name === '') throw GatehouseError.invalidArgument('provider', 'is required');
    const provider = this.providers.get(name);
    if (provider !== undefined) return provider;
    const configured = this.providerNames;
    throw GatehouseError.invalidArgument(
      'provider',
      configured.length === 0
        ? 'no identity providers are configured (AUTH_FEDERATION_PROVIDERS)'
        : `unknown provider ${quoted(name)}; configured: ${configured.join(', ')}`,
      'UNKNOWN_PROVIDER',
    );
  }

  private async auditRefusal(provider: string, error: unknown, origin: AuditOrigin): Promise<void> {
    const why = refusalWhyOf(error) ?? 'error';
    await this.options.audit.record({
      ...origin,
      type: 'login.failure',
      subject: '',
      detail: { method: 'federated', provider, why },
    });
  }
}

function checkLengths(request: CompletionRequest): void {
  for (const field of Object.keys(maxLengths) as (keyof typeof maxLengths)[]) {
    if (request[field].length > maxLengths[field]) {
      throw GatehouseError.invalidArgument(field, `must be at most ${maxLengths[field]} characters`);
    }
  }
}
