// Credentials: what a Gatehouse credential is and when it is refused, shared by the auth service
// and the interceptors so that both decide every credential by the same rules, in the same words.
export {
  credentialRefusalMessages,
  type CredentialHeaderReason,
  type CredentialRefusalReason,
  type TokenRefusalReason,
} from './refusal-reasons';
export {
  readCallerCredential,
  type CallerCredential,
  type CredentialHeaderRefusal,
  type CredentialHeaders,
} from './caller-credential';
export {
  accessTokenType,
  jwtAlgorithm,
  readJwt,
  refreshTokenType,
  signJwt,
  verifyJwtClaims,
  type SignedJwt,
  type TokenType,
} from './compact-jwt';
export { checkTokenClaims, type ClaimExpectations, type TokenClaims } from './token-claims';
export {
  holdsScope,
  isServiceAccount,
  unmetRequirement,
  type Entitlements,
  type MethodRequirements,
  type UnmetRequirement,
} from './principal-rules';
