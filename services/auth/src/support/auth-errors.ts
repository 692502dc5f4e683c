import { GatehouseError } from '@gatehouse/runtime';

/** Machine-readable reasons of UNAUTHENTICATED answers (in google.rpc.ErrorInfo.reason). */
export type UnauthenticatedReason =
  | 'CREDENTIAL_MISSING'
  | 'INVALID_CREDENTIALS'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_ALGORITHM_REJECTED'
  | 'TOKEN_HEADER_REJECTED'
  | 'TOKEN_TYPE_MISMATCH'
  | 'TOKEN_KID_UNKNOWN'
  | 'TOKEN_SIGNATURE_INVALID'
  | 'TOKEN_ISSUER_MISMATCH'
  | 'TOKEN_AUDIENCE_MISMATCH'
  | 'TOKEN_CLAIMS_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_REVOKED'
  | 'REFRESH_TOKEN_REUSED'
  | 'USER_DISABLED'
  | 'API_KEY_INVALID'
  | 'API_KEY_REVOKED'
  | 'API_KEY_EXPIRED';

const messages: Record<UnauthenticatedReason, string> = {
  CREDENTIAL_MISSING: 'no credential: send authorization: Bearer <token> or x-api-key',
  INVALID_CREDENTIALS: 'invalid email or password',
  TOKEN_MALFORMED: 'token is malformed',
  TOKEN_ALGORITHM_REJECTED: 'token algorithm is not accepted',
  TOKEN_HEADER_REJECTED: 'token header carries fields that are not accepted',
  TOKEN_TYPE_MISMATCH: 'token is not of the expected type',
  TOKEN_KID_UNKNOWN: 'token was signed by an unknown key',
  TOKEN_SIGNATURE_INVALID: 'token signature is invalid',
  TOKEN_ISSUER_MISMATCH: 'token issuer is not accepted',
  TOKEN_AUDIENCE_MISMATCH: 'token audience is not accepted',
  TOKEN_CLAIMS_INVALID: 'token claims are missing or invalid',
  TOKEN_EXPIRED: 'token has expired',
  TOKEN_NOT_YET_VALID: 'token is not valid yet',
  TOKEN_REVOKED: 'token has been revoked',
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
