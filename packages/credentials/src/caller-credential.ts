import type { CredentialHeaderReason } from './refusal-reasons';

/** The credential a call presents: a bearer access token or an API key. */
export interface CallerCredential {
  readonly kind: 'bearer' | 'api_key';
  readonly value: string;
}

/** A call's credential metadata refused as it stands (nothing was verified yet). */
export interface CredentialHeaderRefusal {
  readonly kind: 'refused';
  readonly reason: CredentialHeaderReason;
}

/** The two places a credential may come in, as sent (first value of each; absent is undefined). */
export interface CredentialHeaders {
  readonly authorization?: unknown;
  readonly apiKey?: unknown;
}

// RFC 6750 section 2.1: the scheme is case-insensitive, then spaces, then one token68 and nothing else.
const bearerPattern = /^bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)$/i;
// Leading and trailing spaces and tabs are not part of a field value (RFC 9110 section 5.5).
const outerWhitespace = /^[ \t]+|[ \t]+$/g;

/**
 * The credential in `authorization` (`Bearer <token>`) or `x-api-key`. Both values are read with
 * surrounding spaces and tabs ignored, and an empty value counts as absent. When `authorization`
 * is present it decides: anything but a bearer token there is CREDENTIAL_MALFORMED, even with an
 * API key beside it, so a caller never passes on a credential other than the one it meant.
 */
export function readCallerCredential(headers: CredentialHeaders): CallerCredential | CredentialHeaderRefusal {
  const authorization = fieldValue(headers.authorization);
  if (authorization !== '') {
    const match = bearerPattern.exec(authorization);
    if (match === null) return { kind: 'refused', reason: 'CREDENTIAL_MALFORMED' };
    return { kind: 'bearer', value: match[1]! };
  }
  const apiKey = fieldValue(headers.apiKey);
  if (apiKey !== '') return { kind: 'api_key', value: apiKey };
  return { kind: 'refused', reason: 'CREDENTIAL_MISSING' };
}

function fieldValue(value: unknown): string {
  return typeof value === 'string' ? value.replace(outerWhitespace, '') : '';
}
