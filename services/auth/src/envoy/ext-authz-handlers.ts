import { envoyAuthV3, envoyCoreV3, envoyTypeV3, type authV1 } from '@gatehouse/contracts';
import { GatehouseError, grpcStatusOf } from '@gatehouse/runtime';
import type { Authenticator, Credential } from '../authenticate/authenticator';
import { credentialOfHeaders } from '../rpc/caller';
import { unauthenticated } from '../support/auth-errors';

/** Request headers Envoy sends that Gatehouse reads or strips. */
const authorizationHeader = 'authorization';
const apiKeyHeader = 'x-api-key';

/**
 * envoy.service.auth.v3.Authorization/Check: maps `authorization: Bearer` / `x-api-key` to
 * Authenticate. Allowed requests go upstream with the principal as x-gatehouse-* headers and
 * without the credential; refusals become 401 (bad credential) or 403 (missing scope/role).
 * Required scopes may be set per route with the context extension `gatehouse_required_scopes`.
 */
export function extAuthzHandlers(authenticator: Authenticator) {
  return {
    check: async (request: envoyAuthV3.CheckRequest): Promise<envoyAuthV3.CheckResponse> => {
      const headers = request.attributes?.request?.http?.headers ?? {};
      const extensions = request.attributes?.contextExtensions ?? {};
      const scopes = (extensions.gatehouse_required_scopes ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const roles = (extensions.gatehouse_required_roles ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      try {
        const credential = credentialFromHeaders(headers);
        const principal = await authenticator.authenticate(credential, scopes, roles);
        return {
          status: { code: 0, message: '', details: [] },
          okResponse: {
            headers: principalHeaders(principal),
            headersToRemove: [authorizationHeader, apiKeyHeader],
            responseHeadersToAdd: [],
          },
        };
      } catch (error) {
        const failure = GatehouseError.from(error);
        if (failure.code !== 'UNAUTHENTICATED' && failure.code !== 'PERMISSION_DENIED') throw failure;
        const unauthenticated = failure.code === 'UNAUTHENTICATED';
        const body = JSON.stringify({
          error: failure.code,
          reason: failure.reason ?? '',
          message: failure.message,
        });
        return {
          status: { code: grpcStatusOf[failure.code], message: failure.message, details: [] },
          deniedResponse: {
            status: {
              code: unauthenticated ? envoyTypeV3.StatusCode.Unauthorized : envoyTypeV3.StatusCode.Forbidden,
            },
            headers: [
              header('content-type', 'application/json'),
              ...(unauthenticated ? [header('www-authenticate', 'Bearer realm="gatehouse"')] : []),
            ],
            body,
          },
        };
      }
    },
  };
}

function credentialFromHeaders(headers: Record<string, string>): Credential {
  const credential = credentialOfHeaders({
    authorization: headers[authorizationHeader],
    apiKey: headers[apiKeyHeader],
  });
  if (credential === undefined) throw unauthenticated('CREDENTIAL_MISSING');
  return credential;
}

function principalHeaders(principal: authV1.Principal): envoyCoreV3.HeaderValueOption[] {
  const values: [string, string][] = [
    ['x-gatehouse-subject', principal.subject],
    ['x-gatehouse-kind', kindName(principal.kind)],
    ['x-gatehouse-email', principal.email],
    ['x-gatehouse-roles', principal.roles.join(',')],
    ['x-gatehouse-scopes', principal.scopes.join(',')],
    ['x-gatehouse-tier', principal.tier],
    ['x-gatehouse-api-key-id', principal.apiKeyId],
  ];
  return values.map(([key, value]) => header(key, value));
}

function kindName(kind: authV1.PrincipalKind): string {
  return ['unspecified', 'user', 'api_key', 'service'][kind] ?? 'unspecified';
}

/** A header that replaces any value the client sent (so x-gatehouse-* cannot be forged). */
function header(key: string, value: string): envoyCoreV3.HeaderValueOption {
  return {
    header: { key, value, rawValue: Buffer.alloc(0) },
    append: false,
    appendAction: envoyCoreV3.HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
    keepEmptyValue: true,
  };
}
