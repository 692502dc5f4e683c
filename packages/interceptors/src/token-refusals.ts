import type { StatusObject } from '@grpc/grpc-js';
import { GatehouseError, toStatusObject } from '@gatehouse/runtime';

/** The auth service's reasons for refusing an access token that a local verifier can also decide. */
export type TokenRefusalReason =
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
  | 'TOKEN_REVOKED';

/**
 * The one wording of each refusal: the auth service answers with these same messages, so a caller
 * cannot tell whether the service or a local verifier refused.
 */
export const tokenRefusalMessages: Readonly<Record<TokenRefusalReason, string>> = {
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
};

/** UNAUTHENTICATED with the reason in error details; never contains the token. */
export function tokenRefusal(reason: TokenRefusalReason): StatusObject {
  return toStatusObject(new GatehouseError('UNAUTHENTICATED', tokenRefusalMessages[reason], { reason }));
}
