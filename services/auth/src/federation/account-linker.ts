import { GatehouseError, type Clock, type SqlStore } from '@gatehouse/runtime';
import type { AuditLog, AuditOrigin } from '../audit/audit-log';
import { newId } from '../support/ids';
import { normalizeEmail } from '../users/email';
import { UserStore, type UserRecord } from '../users/user-store';
import type { ProviderIdentity } from './federated-provider';
import { loginRefused } from './federation-errors';
import { IdentityStore } from './identity-store';

export interface AccountLinkerOptions {
  sql: SqlStore;
  users: UserStore;
  identities: IdentityStore;
  audit: AuditLog;
  clock: Clock;
  /** AUTH_ALLOW_REGISTRATION: whether a federated login may create a user. */
  allowRegistration: boolean;
}

/**
 * Turns a provider account into a Gatehouse user. An account linked before logs in as its user,
 * whatever its e-mail says now. Otherwise only an e-mail address the provider asserts is verified
 * is used: it links the user who has it, or creates one (role user, tier free); an unverified or
 * missing one neither links nor creates, so nobody takes over an account by claiming its address.
 */
export class AccountLinker {
  constructor(private readonly options: AccountLinkerOptions) {}

  async userFor(provider: string, identity: ProviderIdentity, origin: AuditOrigin): Promise<UserRecord> {
    // A concurrent first login of the same account or e-mail can win the race to link or create;
    // the second attempt then finds what it wrote.
    const user =
      (await this.attempt(provider, identity, origin)) ?? (await this.attempt(provider, identity, origin));
    if (user !== undefined) return user;
    throw new GatehouseError('ABORTED', 'a concurrent login of this account got in the way; retry', {
      reason: 'FEDERATED_LINK_CONFLICT',
      metadata: { provider },
    });
  }

  private async attempt(
    provider: string,
    identity: ProviderIdentity,
    origin: AuditOrigin,
  ): Promise<UserRecord | undefined> {
    const linked = await this.linkedUser(provider, identity);
    if (linked !== undefined) return linked;
    const email = verifiedEmail(provider, identity);
    const existing = await this.options.users.byEmail(email);
    return existing === undefined
      ? this.create(provider, identity, email, origin)
      : this.link(provider, identity, existing, origin);
  }

  private async linkedUser(provider: string, identity: ProviderIdentity): Promise<UserRecord | undefined> {
    const { identities, users, clock } = this.options;
    const link = await identities.find(provider, identity.subject);
    if (link === undefined) return undefined;
    const user = await users.byId(link.userId);
    if (user === undefined) return undefined;
    refuseDisabled(provider, user);
    await identities.recordLogin(provider, identity.subject, {
      email: identity.email ?? '',
      emailVerified: identity.emailVerified,
      at: new Date(clock.now()),
    });
    return user;
  }

  private async link(
    provider: string,
    identity: ProviderIdentity,
    user: UserRecord,
    origin: AuditOrigin,
  ): Promise<UserRecord | undefined> {
    refuseDisabled(provider, user);
    const linked = await this.options.identities.link(this.identityOf(provider, identity, user.userId));
    if (!linked) return undefined;
    await this.auditLinked(provider, identity, user.userId, origin);
    return user;
  }

  private async create(
    provider: string,
    identity: ProviderIdentity,
    email: string,
    origin: AuditOrigin,
  ): Promise<UserRecord | undefined> {
    if (!this.options.allowRegistration) {
      throw new GatehouseError('PERMISSION_DENIED', 'registration is turned off: no user has this e-mail', {
        reason: 'REGISTRATION_DISABLED',
        metadata: { provider, why: 'registration_disabled' },
      });
    }
    const { sql, clock, audit } = this.options;
    const user: UserRecord = {
      userId: newId('usr'),
      email,
      displayName: displayNameOf(identity, email),
      // No password: password login treats the account like an unknown one.
      passwordHash: '',
      roles: ['user'],
      tier: 'free',
      disabled: false,
      createdAt: new Date(clock.now()),
    };
    const created = await sql.transaction(async (tx) => {
      if (!(await new UserStore(tx).insert(user))) return false;
      return new IdentityStore(tx).link(this.identityOf(provider, identity, user.userId));
    });
    if (!created) return undefined;
    await audit.record({
      ...origin,
      type: 'user.registered',
      actor: user.userId,
      subject: user.userId,
      detail: { provider },
    });
    await this.auditLinked(provider, identity, user.userId, origin);
    return user;
  }

  private identityOf(provider: string, identity: ProviderIdentity, userId: string) {
    return {
      provider,
      subject: identity.subject,
      userId,
      email: identity.email ?? '',
      emailVerified: identity.emailVerified,
      linkedAt: new Date(this.options.clock.now()),
    };
  }

  private async auditLinked(
    provider: string,
    identity: ProviderIdentity,
    userId: string,
    origin: AuditOrigin,
  ): Promise<void> {
    await this.options.audit.record({
      ...origin,
      type: 'federated.identity_linked',
      actor: userId,
      subject: userId,
      detail: { provider, provider_subject: identity.subject },
    });
  }
}

function refuseDisabled(provider: string, user: UserRecord): void {
  if (user.disabled)
    throw loginRefused(provider, 'user_disabled', 'the account is disabled', 'USER_DISABLED');
}

function verifiedEmail(provider: string, identity: ProviderIdentity): string {
  if (identity.email === undefined || identity.email === '') {
    throw loginRefused(provider, 'email_missing', `${provider} did not tell the account's e-mail address`);
  }
  if (!identity.emailVerified) {
    throw loginRefused(
      provider,
      'email_unverified',
      `${provider} has not verified this account's e-mail address; verify it there, then log in again`,
      'FEDERATED_EMAIL_UNVERIFIED',
    );
  }
  try {
    return normalizeEmail(identity.email);
  } catch {
    throw loginRefused(provider, 'email_missing', `${provider} reported an e-mail address that is not valid`);
  }
}

/** The provider's name for the account, else the e-mail's local part; 1-100 characters. */
function displayNameOf(identity: ProviderIdentity, email: string): string {
  const name = (identity.displayName ?? '').trim() || email.split('@')[0] || email;
  return [...name].slice(0, 100).join('');
}
