import {
  GatehouseError,
  createLogger,
  hostedService,
  startServiceHost,
  type ServiceHost,
} from '@gatehouse/runtime';
import { authV1, serviceNames } from '@gatehouse/contracts';
import { testCommonConfig } from '../../../../test/support/test-config';

/** Test principals by bearer token. */
export const testPrincipals: Record<string, Partial<authV1.Principal>> = {
  'admin-token': {
    subject: 'admin-1',
    kind: authV1.PrincipalKind.PRINCIPAL_KIND_USER,
    roles: ['admin', 'user'],
  },
  'alice-token': { subject: 'alice', kind: authV1.PrincipalKind.PRINCIPAL_KIND_USER, roles: ['user'] },
  'service-token': {
    subject: 'svc-notes',
    kind: authV1.PrincipalKind.PRINCIPAL_KIND_SERVICE,
    roles: ['service'],
  },
};

/** A real gRPC server on 127.0.0.1:0 implementing only AuthService.Authenticate, from a token table. */
export async function startFakeAuthServer(): Promise<{ address: string; host: ServiceHost }> {
  const config = testCommonConfig({}, 'fake-auth');
  const host = await startServiceHost({
    config,
    logger: createLogger({ service: 'fake-auth', level: 'silent' }),
    services: [
      hostedService(serviceNames.auth, authV1.AuthServiceService, {
        async authenticate(request) {
          const principal =
            request.bearerToken === undefined ? undefined : testPrincipals[request.bearerToken];
          if (principal === undefined)
            throw new GatehouseError('UNAUTHENTICATED', 'invalid or expired credential');
          return {
            principal: {
              email: '',
              scopes: [],
              tier: 'free',
              apiKeyId: '',
              expiresAt: undefined,
              ...principal,
            } as authV1.Principal,
          };
        },
      }),
    ],
  });
  return { address: `127.0.0.1:${host.grpcPort}`, host };
}
