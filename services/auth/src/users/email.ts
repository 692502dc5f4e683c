import { GatehouseError } from '@gatehouse/runtime';

const emailPattern =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Trims and lower-cases an email address; INVALID_ARGUMENT naming `field` when it is not one. */
export function normalizeEmail(raw: string, field = 'email'): string {
  const email = raw.trim().normalize('NFC').toLowerCase();
  if (email === '') throw GatehouseError.invalidArgument(field, 'is required');
  if (email.length > 254 || !emailPattern.test(email)) {
    throw GatehouseError.invalidArgument(field, 'is not a valid email address');
  }
  return email;
}

/** Lower-cases without validating: for Login, where a malformed email is just an unknown user. */
export function lookupEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}
