import { hash, randomBytes } from 'node:crypto';

/** Random bytes in every key (≥ 32 as required). */
export const apiKeySecretBytes = 32;
/** Characters of the secret part kept as the display prefix (not enough to guess the rest). */
const displayChars = 6;

export interface GeneratedApiKey {
  /** The whole key, shown once. */
  plaintext: string;
  /** What listings show, e.g. "gh_live_AbC12x". */
  displayPrefix: string;
  /** SHA-256 of the whole key, hex: the only form stored. */
  hash: string;
}

export function generateApiKey(prefix: string): GeneratedApiKey {
  const secret = randomBytes(apiKeySecretBytes).toString('base64url');
  const plaintext = `${prefix}${secret}`;
  return {
    plaintext,
    displayPrefix: `${prefix}${secret.slice(0, displayChars)}`,
    hash: hashApiKey(plaintext),
  };
}

/**
 * SHA-256 is enough for API keys (unlike passwords): they carry 256 random bits, so no dictionary
 * applies, and a fast hash keeps Authenticate cheap.
 */
export function hashApiKey(plaintext: string): string {
  return hash('sha256', plaintext, 'hex');
}

/** Cheap shape check before any lookup: the configured prefix and 43 base64url characters. */
export function looksLikeApiKey(candidate: string, prefix: string): boolean {
  return (
    candidate.length === prefix.length + 43 &&
    candidate.startsWith(prefix) &&
    /^[A-Za-z0-9_-]+$/.test(candidate.slice(prefix.length))
  );
}
