import type { authV1 } from '@gatehouse/contracts';
import { GatehouseError, type CallContext } from '@gatehouse/runtime';
import type { AuthDomain } from '../rpc/auth-domain';
import { adminOf, originOf } from '../rpc/caller';
import type { FederatedLogin } from './federated-login';
import { federatedSignIn } from './federated-sign-in';
import type { IdentityRecord, IdentityStore } from './identity-store';

export interface FederationHandlersOptions {
  domain: AuthDomain;
  federation: FederatedLogin;
  identities: IdentityStore;
}

/** BeginFederatedLogin and CompleteFederatedLogin (anyone), and the admin RPCs on identities. */
export function federationHandlers({ domain, federation, identities }: FederationHandlersOptions) {
  return {
    beginFederatedLogin: async (
      request: authV1.BeginFederatedLoginRequest,
      context: CallContext,
    ): Promise<authV1.BeginFederatedLoginResponse> => {
      const begun = await federation.begin(request.provider, request.redirectUri, originOf(context));
      return { authorizationUrl: begun.authorizationUrl, state: begun.state, expiresAt: begun.expiresAt };
    },

    completeFederatedLogin: async (
      request: authV1.CompleteFederatedLoginRequest,
      context: CallContext,
    ): Promise<authV1.TokenPair> =>
      (await federatedSignIn(domain, federation, request, originOf(context))).pair,

    listFederatedIdentities: async (
      request: authV1.ListFederatedIdentitiesRequest,
      context: CallContext,
    ): Promise<authV1.ListFederatedIdentitiesResponse> => {
      await adminOf(context, domain.authenticator);
      if (request.userId === '') throw GatehouseError.invalidArgument('user_id', 'is required');
      return { identities: (await identities.listForUser(request.userId)).map(toIdentity) };
    },

    unlinkFederatedIdentity: async (
      request: authV1.UnlinkFederatedIdentityRequest,
      context: CallContext,
    ): Promise<authV1.UnlinkFederatedIdentityResponse> => {
      const admin = await adminOf(context, domain.authenticator);
      for (const field of ['userId', 'provider', 'subject'] as const) {
        if (request[field] === '') {
          throw GatehouseError.invalidArgument(field === 'userId' ? 'user_id' : field, 'is required');
        }
      }
      if (!(await identities.unlink(request.userId, request.provider, request.subject))) {
        throw new GatehouseError('NOT_FOUND', 'the user has no such linked identity', {
          reason: 'IDENTITY_NOT_FOUND',
        });
      }
      await domain.audit.record({
        ...originOf(context),
        type: 'federated.identity_unlinked',
        actor: admin.subject,
        subject: request.userId,
        detail: { provider: request.provider, provider_subject: request.subject },
      });
      return {};
    },
  };
}

function toIdentity(identity: IdentityRecord): authV1.FederatedIdentity {
  return {
    provider: identity.provider,
    subject: identity.subject,
    userId: identity.userId,
    email: identity.email,
    emailVerified: identity.emailVerified,
    linkedAt: identity.linkedAt,
    lastLoginAt: identity.lastLoginAt,
  };
}
