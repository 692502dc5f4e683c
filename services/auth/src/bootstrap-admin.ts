import type { Clock, Logger } from '@gatehouse/runtime';
import type { AuditLog } from './audit/audit-log';
import type { PasswordHasher } from './passwords/password-hasher';
import { exceedsBcryptLimit } from './passwords/password-hasher';
import { newId } from './support/ids';
import { normalizeEmail } from './users/email';
import type { UserStore } from './users/user-store';

export interface BootstrapAdminOptions {
  admin: { email: string; password: string };
  users: UserStore;
  hasher: PasswordHasher;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}

/** Creates the configured admin when no user has that email; an existing user is left untouched. */
export async function ensureBootstrapAdmin(options: BootstrapAdminOptions): Promise<void> {
  const email = normalizeEmail(options.admin.email, 'GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL');
  if (exceedsBcryptLimit(options.admin.password)) {
    throw new Error('GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: must be at most 72 bytes in UTF-8');
  }
  if ((await options.users.byEmail(email)) !== undefined) return;
  const userId = newId('usr');
  const created = await options.users.insert({
    userId,
    email,
    displayName: 'Administrator',
    passwordHash: await options.hasher.hash(options.admin.password),
    roles: ['admin', 'user'],
    tier: 'admin',
    createdAt: new Date(options.clock.now()),
  });
  if (created) {
    await options.audit.record({ type: 'user.bootstrap_admin', subject: userId });
    options.logger.info({ user_id: userId, email }, 'bootstrap admin created');
  }
}
