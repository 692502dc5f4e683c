import { credentialRefusalMessages, type CredentialRefusalReason } from '@gatehouse/credentials';
import { GatehouseError } from '@gatehouse/runtime';

/** UNAUTHENTICATED in the auth service's own words and reason; never contains the credential. */
export function credentialRefusal(reason: CredentialRefusalReason): GatehouseError {
  return new GatehouseError('UNAUTHENTICATED', credentialRefusalMessages[reason], { reason });
}
