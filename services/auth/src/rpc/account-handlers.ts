import type { authV1 } from '@gatehouse/contracts';
import { GatehouseError, type CallContext } from '@gatehouse/runtime';
import { enforcePasswordPolicy } from '../passwords/password-policy';
import { unauthenticated } from '../support/auth-errors';
import { newId } from '../support/ids';
import { lookupEmail, normalizeEmail } from '../users/email';
import type { AuthDomain } from './auth-domain';
import { originOf } from './caller';
import { login } from './login';
import { startSession } from './sessions';

/** Register and Login. */
export function accountHandlers(domain: AuthDomain) {
  return {
    register: async (
      request: authV1.RegisterRequest,
      context: CallContext,
    ): Promise<authV1.RegisterResponse> => {
      if (!domain.settings.allowRegistration) {
        throw new GatehouseError('PERMISSION_DENIED', 'registration is turned off', {
          reason: 'REGISTRATION_DISABLED',
        });
      }
      const email = normalizeEmail(request.email);
      const displayName = displayNameOf(request.displayName);
      if (request.password === '') throw GatehouseError.invalidArgument('password', 'is required');
      enforcePasswordPolicy('password', request.password, email, domain.settings.passwordPolicy);
      const userId = newId('usr');
      const created = await domain.users.insert({
        userId,
        email,
        displayName,
        passwordHash: await domain.hasher.hash(request.password),
        roles: ['user'],
        tier: 'free',
        createdAt: new Date(domain.clock.now()),
      });
      if (!created) {
        throw new GatehouseError('ALREADY_EXISTS', 'email: an account with this email already exists', {
          field: 'email',
          reason: 'EMAIL_TAKEN',
        });
      }
      await domain.audit.record({
        ...originOf(context),
        type: 'user.registered',
        actor: userId,
        subject: userId,
      });
      return { userId };
    },

    login: async (request: authV1.LoginRequest, context: CallContext): Promise<authV1.TokenPair> => {
      if (request.email.trim() === '') throw GatehouseError.invalidArgument('email', 'is required');
      if (request.password === '') throw GatehouseError.invalidArgument('password', 'is required');
      const user = await login(domain, lookupEmail(request.email), request.password, originOf(context));
      if (user === undefined) throw unauthenticated('INVALID_CREDENTIALS');
      const issued = await startSession(domain, user);
      await domain.audit.record({
        ...originOf(context),
        type: 'login.success',
        actor: user.userId,
        subject: user.userId,
      });
      return issued.pair;
    },
  };
}

export function displayNameOf(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > 100) {
    throw GatehouseError.invalidArgument('display_name', `must be 1-100 characters, got ${length}`);
  }
  return name;
}
