import { GatehouseError } from '@gatehouse/runtime';

/** Why a federated login was refused: the `why` of its audit event and of its ErrorInfo. */
export type RefusalWhy =
  | 'state_unknown'
  | 'state_expired'
  | 'provider_error'
  | 'code_rejected'
  | 'id_token_invalid'
  | 'response_invalid'
  | 'email_missing'
  | 'email_unverified'
  | 'user_disabled';

/**
 * UNAUTHENTICATED for a login the provider or Gatehouse refused. ErrorInfo carries `reason`
 * (FEDERATED_LOGIN_REFUSED unless said) and metadata {provider, why}; the message never holds the code,
 * the state or a token.
 */
export function loginRefused(
  provider: string,
  why: RefusalWhy,
  message: string,
  reason = 'FEDERATED_LOGIN_REFUSED',
): GatehouseError {
  return new GatehouseError('UNAUTHENTICATED', message, { reason, metadata: { provider, why } });
}

/** UNAVAILABLE naming the provider that could not be reached or answered nonsense. */
export function providerUnavailable(provider: string, detail: string, cause?: unknown): GatehouseError {
  return new GatehouseError('UNAVAILABLE', `identity provider "${provider}" is unavailable: ${detail}`, {
    reason: 'FEDERATED_PROVIDER_UNAVAILABLE',
    metadata: { provider },
    retryAfterMs: 5000,
    cause,
  });
}

/** The `why` of a refused federated login, for the audit log; undefined for what is no refusal. */
export function refusalWhyOf(error: unknown): string | undefined {
  if (!(error instanceof GatehouseError)) return undefined;
  if (error.reason === 'FEDERATED_PROVIDER_UNAVAILABLE') return 'provider_unavailable';
  return error.metadata.why ?? error.reason?.toLowerCase();
}
