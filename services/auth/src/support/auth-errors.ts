import { credentialRefusalMessages, type CredentialRefusalReason } from '@gatehouse/credentials';
import { GatehouseError } from '@gatehouse/runtime';

/** Machine-readable reasons of UNAUTHENTICATED answers (in google.rpc.ErrorInfo.reason). */
export type UnauthenticatedReason =
  | CredentialRefusalReason
  | 'INVALID_CREDENTIALS'
  | 'REFRESH_TOKEN_REUSED'
  | 'USER_DISABLED'
  | 'API_KEY_INVALID'
  | 'API_KEY_REVOKED'
  | 'API_KEY_EXPIRED';

const messages: Record<UnauthenticatedReason, string> = {
  // Shared with the interceptors, so both refuse a credential in the same words.
  ...credentialRefusalMessages,
  INVALID_CREDENTIALS: 'invalid email or password',
  REFRESH_TOKEN_REUSED: 'refresh token was already used; the session has been revoked',
  USER_DISABLED: 'the account is disabled',
  API_KEY_INVALID: 'API key is invalid',
  API_KEY_REVOKED: 'API key has been revoked',
  API_KEY_EXPIRED: 'API key has expired',
};

/** UNAUTHENTICATED with a stable reason and a message that never contains the credential. */
export function unauthenticated(reason: UnauthenticatedReason): GatehouseError {
  return new GatehouseError('UNAUTHENTICATED', messages[reason], { reason });
}

export function permissionDenied(message: string, reason = 'PERMISSION_DENIED'): GatehouseError {
  return new GatehouseError('PERMISSION_DENIED', message, { reason });
}

export function isUnauthenticated(error: unknown): error is GatehouseError {
  return error instanceof GatehouseError && error.code === 'UNAUTHENTICATED';
}
