import type { authV1 } from '@gatehouse/contracts';
import { GatehouseError, type CallContext } from '@gatehouse/runtime';
import { enforcePasswordPolicy } from '../passwords/password-policy';
import { isUnauthenticated, unauthenticated } from '../support/auth-errors';
import { randomToken } from '../support/ids';
import type { AuthDomain } from './auth-domain';
import { bearerOf, originOf } from './caller';
import { denySessions } from './sessions';

/** Refresh, Logout and ChangePassword. */
export function sessionHandlers(domain: AuthDomain) {
  return {
    refresh: async (request: authV1.RefreshRequest, context: CallContext): Promise<authV1.TokenPair> => {
      if (request.refreshToken === '') throw GatehouseError.invalidArgument('refresh_token', 'is required');
      const claims = await domain.tokens.verifyRefresh(request.refreshToken);
      const now = domain.clock.now();
      const nextJti = randomToken();
      const expiresAt = new Date(now + domain.settings.refreshTokenTtlSeconds * 1000);
      const outcome = await domain.families.rotate(claims.sid, claims.jti, nextJti, new Date(now), expiresAt);
      if (outcome.kind === 'reused') {
        await denySessions(domain, [claims.sid]);
        await domain.audit.record({
          ...originOf(context),
          type: 'refresh.reuse_detected',
          subject: outcome.userId,
          detail: { session: claims.sid },
        });
        throw unauthenticated('REFRESH_TOKEN_REUSED');
      }
      if (outcome.kind === 'invalid') throw unauthenticated('TOKEN_REVOKED');
      const user = await domain.users.byId(outcome.userId);
      if (user === undefined || user.disabled) throw unauthenticated('USER_DISABLED');
      const issued = domain.tokens.issue(user, claims.sid, nextJti);
      await domain.audit.record({
        ...originOf(context),
        type: 'refresh',
        actor: user.userId,
        subject: user.userId,
      });
      return issued.pair;
    },

    logout: async (request: authV1.LogoutRequest, context: CallContext): Promise<authV1.LogoutResponse> => {
      if (request.refreshToken === '') throw GatehouseError.invalidArgument('refresh_token', 'is required');
      const claims = await domain.tokens.verifyRefresh(request.refreshToken);
      await domain.families.revoke(claims.sid, new Date(domain.clock.now()), 'logout');
      await denySessions(domain, [claims.sid]);
      const access = await accessClaimsOf(domain, context);
      if (access !== undefined && access.sub === claims.sub) {
        await domain.revocations.revokeToken(access.jti, domain.tokens.remainingMs(access.exp));
        await domain.invalidate({ kind: 'jti', id: access.jti });
      }
      await domain.audit.record({
        ...originOf(context),
        type: 'logout',
        actor: claims.sub,
        subject: claims.sub,
        detail: { session: claims.sid },
      });
      return {};
    },

    changePassword: async (
      request: authV1.ChangePasswordRequest,
      context: CallContext,
    ): Promise<authV1.ChangePasswordResponse> => {
      const bearer = bearerOf(context);
      if (bearer === undefined) throw unauthenticated('CREDENTIAL_MISSING');
      const principal = await domain.authenticator.authenticate({ bearerToken: bearer });
      const claims = await domain.tokens.verifyAccess(bearer);
      if (request.currentPassword === '')
        throw GatehouseError.invalidArgument('current_password', 'is required');
      if (request.newPassword === '') throw GatehouseError.invalidArgument('new_password', 'is required');
      const user = await domain.users.byId(principal.subject);
      if (user === undefined) throw unauthenticated('TOKEN_REVOKED');
      if (!(await domain.hasher.verify(request.currentPassword, user.passwordHash))) {
        await domain.audit.record({
          ...originOf(context),
          type: 'password.change_failed',
          actor: user.userId,
          subject: user.userId,
        });
        throw new GatehouseError('PERMISSION_DENIED', 'current_password: does not match', {
          field: 'current_password',
          reason: 'WRONG_PASSWORD',
        });
      }
      if (request.newPassword === request.currentPassword) {
        throw GatehouseError.invalidArgument('new_password', 'must differ from the current password');
      }
      enforcePasswordPolicy('new_password', request.newPassword, user.email, domain.settings.passwordPolicy);
      await domain.users.setPasswordHash(user.userId, await domain.hasher.hash(request.newPassword));
      const revoked = await domain.families.revokeAllExcept(
        user.userId,
        claims.sid,
        new Date(domain.clock.now()),
        'password_changed',
      );
      await denySessions(domain, revoked);
      await domain.audit.record({
        ...originOf(context),
        type: 'password.changed',
        actor: user.userId,
        subject: user.userId,
        detail: { revoked_sessions: String(revoked.length) },
      });
      return { revokedSessions: revoked.length };
    },
  };
}

/** The verified access token in metadata, or undefined (Logout still ends the session without it). */
async function accessClaimsOf(domain: AuthDomain, context: CallContext) {
  const bearer = bearerOf(context);
  if (bearer === undefined) return undefined;
  try {
    return await domain.tokens.verifyAccess(bearer);
  } catch (error) {
    if (isUnauthenticated(error)) return undefined;
    throw error;
  }
}
