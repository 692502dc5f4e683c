/** Why a token is refused; the auth service and a local verifier decide them by the same rules. */
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

/** Why the credential metadata of a call is refused before any token or key is looked at. */
export type CredentialHeaderReason = 'CREDENTIAL_MISSING' | 'CREDENTIAL_MALFORMED';

/** Every refusal this package decides; each is UNAUTHENTICATED with the reason in ErrorInfo. */
export type CredentialRefusalReason = CredentialHeaderReason | TokenRefusalReason;

/**
 * The one wording of each refusal: the auth service and the interceptors answer with these same
 * messages, so a caller cannot tell which of them refused. No message ever contains the credential.
 */
export const credentialRefusalMessages: Readonly<Record<CredentialRefusalReason, string>> = {
  CREDENTIAL_MISSING: 'credential missing: send "authorization: Bearer <access token>" or "x-api-key: <key>"',
  CREDENTIAL_MALFORMED: 'authorization: only "Bearer <access token>" is accepted',
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
