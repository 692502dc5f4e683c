import type { authV1 } from '@gatehouse/contracts';
import { readCallerCredential, type CredentialHeaders } from '@gatehouse/credentials';
import { currentTraceId, type CallContext } from '@gatehouse/runtime';
import type { AuditOrigin } from '../audit/audit-log';
import type { Authenticator, Credential } from '../authenticate/authenticator';
import { permissionDenied, unauthenticated } from '../support/auth-errors';

/**
 * The credential in `authorization: Bearer <token>` or `x-api-key` (read by the shared rule of
 * @gatehouse/credentials); undefined when there is none, UNAUTHENTICATED CREDENTIAL_MALFORMED when
 * `authorization` holds anything but a bearer token.
 */
export function credentialOfHeaders(headers: CredentialHeaders): Credential | undefined {
  const credential = readCallerCredential(headers);
  if (credential.kind === 'refused') {
    if (credential.reason === 'CREDENTIAL_MISSING') return undefined;
    throw unauthenticated(credential.reason);
  }
  return credential.kind === 'bearer' ? { bearerToken: credential.value } : { apiKey: credential.value };
}

/** The credential a call carries in metadata (see `credentialOfHeaders`). */
export function credentialOf(context: CallContext): Credential | undefined {
  return credentialOfHeaders({
    authorization: context.metadata.get('authorization')[0],
    apiKey: context.metadata.get('x-api-key')[0],
  });
}

/** The bearer token in metadata, if any (Logout, ChangePassword). */
export function bearerOf(context: CallContext): string | undefined {
  const credential = credentialOf(context);
  return credential !== undefined && 'bearerToken' in credential ? credential.bearerToken : undefined;
}

/** The verified principal of the caller; UNAUTHENTICATED when there is no valid credential. */
export async function callerOf(
  context: CallContext,
  authenticator: Authenticator,
): Promise<authV1.Principal> {
  const credential = credentialOf(context);
  if (credential === undefined) throw unauthenticated('CREDENTIAL_MISSING');
  return authenticator.authenticate(credential);
}

/** The caller, who must have role admin; PERMISSION_DENIED otherwise. */
export async function adminOf(context: CallContext, authenticator: Authenticator): Promise<authV1.Principal> {
  const principal = await callerOf(context, authenticator);
  if (!principal.roles.includes('admin'))
    throw permissionDenied('this call requires role admin', 'ADMIN_REQUIRED');
  return principal;
}

export function isAdmin(principal: authV1.Principal): boolean {
  return principal.roles.includes('admin');
}

/** Where an audited call came from. */
export function originOf(context: CallContext): AuditOrigin {
  return { peer: context.peer, requestId: context.requestId, traceId: currentTraceId() };
}
