import type { authV1 } from '@gatehouse/contracts';
import type { AuditOrigin } from '../audit/audit-log';
import type { AuthDomain } from '../rpc/auth-domain';
import { startSession } from '../rpc/sessions';
import type { UserRecord } from '../users/user-store';
import type { CompletionRequest, FederatedLogin } from './federated-login';

/** A completed federated login: its session's token pair and whom it is for. */
export interface FederatedSignIn {
  pair: authV1.TokenPair;
  user: UserRecord;
  provider: string;
}

/**
 * Completes a federated login into a session, exactly as Login makes one: a new refresh-token
 * family, so Refresh, Logout, reuse detection and revocation work the same. Shared by the
 * CompleteFederatedLogin RPC and the ops port's browser callback.
 */
export async function federatedSignIn(
  domain: AuthDomain,
  federation: FederatedLogin,
  request: CompletionRequest,
  origin: AuditOrigin,
): Promise<FederatedSignIn> {
  let completed: { user: UserRecord; provider: string };
  try {
    completed = await federation.complete(request, origin);
  } catch (error) {
    domain.metrics?.login('failure');
    throw error;
  }
  const { user, provider } = completed;
  await domain.users.recordLogin(user.userId, new Date(domain.clock.now()));
  const issued = await startSession(domain, user);
  domain.metrics?.login('success');
  await domain.audit.record({
    ...origin,
    type: 'login.success',
    actor: user.userId,
    subject: user.userId,
    detail: { method: 'federated', provider },
  });
  return { pair: issued.pair, user, provider };
}
