import { GatehouseError } from '@gatehouse/runtime';
import { loginRefused, providerUnavailable } from './federation-errors';
import type { OpenIdClient } from './openid-client-module';

/** Which request to the provider failed, for messages: "discovery", "the token endpoint", ... */
export type ProviderStep = 'discovery' | 'the token endpoint' | 'userinfo' | 'the user API';

/**
 * Maps what openid-client throws to the caller's answer: the provider not answering (network,
 * timeout, 5xx, not JSON) is UNAVAILABLE naming it; a refused code or a response that fails
 * validation (nonce, iss, aud, signature, expiry) is UNAUTHENTICATED. Never INTERNAL.
 */
export function providerFailure(
  client: OpenIdClient,
  provider: string,
  step: ProviderStep,
  error: unknown,
): GatehouseError {
  if (error instanceof GatehouseError) return error;
  if (error instanceof client.ResponseBodyError) {
    if (error.status >= 500) {
      return providerUnavailable(provider, `${step} answered HTTP ${error.status} (${error.error})`, error);
    }
    return loginRefused(provider, 'code_rejected', `${provider} refused the login: ${error.error}`);
  }
  if (error instanceof client.AuthorizationResponseError) {
    return loginRefused(provider, 'provider_error', `${provider} answered with an error: ${error.error}`);
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    return loginRefused(provider, 'code_rejected', `${provider} refused the request at ${step}`);
  }
  if (error instanceof client.ClientError) return clientErrorFailure(provider, step, error);
  // fetch() rejects with a TypeError when the connection fails (refused, reset, DNS).
  if (error instanceof TypeError) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
    return providerUnavailable(provider, `${step} could not be reached${code}`, error);
  }
  return providerUnavailable(provider, `${step} failed unexpectedly`, error);
}

function clientErrorFailure(
  provider: string,
  step: ProviderStep,
  error: InstanceType<OpenIdClient['ClientError']>,
): GatehouseError {
  const inner = error.cause as { message?: unknown; cause?: { claim?: unknown } } | undefined;
  switch (error.code) {
    case 'OAUTH_TIMEOUT':
    case 'OAUTH_ABORT':
      return providerUnavailable(provider, `${step} did not answer in time`, error);
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM': {
      const status = (error.cause as { status?: unknown } | undefined)?.status;
      if (step === 'discovery' || typeof status !== 'number' || status >= 500) {
        return providerUnavailable(provider, `${step} answered HTTP ${String(status)}`, error);
      }
      return loginRefused(provider, 'code_rejected', `${provider} refused the login (HTTP ${status})`);
    }
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
    case 'OAUTH_PARSE_ERROR':
      return providerUnavailable(provider, `${step} did not answer JSON`, error);
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED': {
      const claim = typeof inner?.cause?.claim === 'string' ? inner.cause.claim : 'a claim';
      return loginRefused(
        provider,
        'id_token_invalid',
        `the ID token from ${provider} failed validation: unexpected "${claim}"`,
      );
    }
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
    case 'OAUTH_KEY_SELECTION_FAILED':
      return loginRefused(provider, 'id_token_invalid', `the ID token from ${provider} failed validation`);
    default: {
      const detail = typeof inner?.message === 'string' ? inner.message : error.message;
      return loginRefused(
        provider,
        'response_invalid',
        `the response of ${provider} failed validation: ${detail}`,
      );
    }
  }
}
