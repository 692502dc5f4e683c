import type { AuditOrigin } from '../audit/audit-log';
import type { UserRecord } from '../users/user-store';
import type { AuthDomain } from './auth-domain';

/**
 * Checks email and password. Unknown email, wrong password, disabled and locked accounts all
 * resolve undefined after one bcrypt comparison each (a dummy one for unknown emails), so neither
 * the answer nor its timing tells them apart. Failures count per account, whatever the peer.
 */
export async function login(
  domain: AuthDomain,
  email: string,
  password: string,
  origin: AuditOrigin,
): Promise<UserRecord | undefined> {
  const [locked, user] = await Promise.all([domain.lockout.isLocked(email), domain.users.byEmail(email)]);
  // A user created by a federated login has no password ('' hash): compared like an unknown one.
  const matches =
    user === undefined || user.passwordHash === ''
      ? (await domain.hasher.dummyVerify(password), false)
      : await domain.hasher.verify(password, user.passwordHash);
  const subject = user?.userId ?? '';
  if (locked || user === undefined || user.disabled || !matches) {
    const why = locked
      ? 'locked'
      : user === undefined
        ? 'unknown_user'
        : user.disabled
          ? 'disabled'
          : 'bad_password';
    domain.metrics?.login(locked ? 'locked' : 'failure');
    await domain.audit.record({ ...origin, type: 'login.failure', subject, detail: { why } });
    if (!locked && (await domain.lockout.recordFailure(email))) {
      await domain.audit.record({ ...origin, type: 'login.lockout', subject });
    }
    return undefined;
  }
  await domain.lockout.reset(email);
  if (domain.hasher.needsRehash(user.passwordHash)) {
    await domain.users.setPasswordHash(user.userId, await domain.hasher.hash(password));
  }
  await domain.users.recordLogin(user.userId, new Date(domain.clock.now()));
  domain.metrics?.login('success');
  return user;
}
