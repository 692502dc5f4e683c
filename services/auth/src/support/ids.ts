import { randomBytes } from 'node:crypto';

/** A random identifier: `<prefix>_` + 16 random bytes, base64url (22 characters). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

/** Random opaque id without a prefix (token ids, key ids). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
