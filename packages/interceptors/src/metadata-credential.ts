import type { Metadata } from '@grpc/grpc-js';
import {
  readCallerCredential,
  type CallerCredential,
  type CredentialHeaderRefusal,
} from '@gatehouse/credentials';

/** The credential in a call's metadata, by the shared rule (`authorization: Bearer …` or `x-api-key`). */
export function credentialOfMetadata(metadata: Metadata): CallerCredential | CredentialHeaderRefusal {
  return readCallerCredential({
    authorization: metadata.get('authorization')[0],
    apiKey: metadata.get('x-api-key')[0],
  });
}

/** The credential as an AuthenticateRequest carries it. */
export function authenticateRequestOf(
  credential: CallerCredential,
  demands: { readonly scopes?: readonly string[]; readonly roles?: readonly string[] } = {},
) {
  return {
    bearerToken: credential.kind === 'bearer' ? credential.value : undefined,
    apiKey: credential.kind === 'api_key' ? credential.value : undefined,
    requiredScopes: [...(demands.scopes ?? [])],
    requiredRoles: [...(demands.roles ?? [])],
  };
}
