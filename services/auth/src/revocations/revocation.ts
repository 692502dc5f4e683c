/** What a local access-token verifier must stop trusting (the service side of WatchRevocations). */
export type RevocationKind = 'token' | 'session' | 'subject';

export interface RevocationRecord {
  kind: RevocationKind;
  /** jti, sid or user id, by kind. */
  id: string;
  /** Epoch ms when it happened; for 'subject', tokens issued at or before it are concerned. */
  revokedAt: number;
  /** Epoch ms after which no token it concerns can still be accepted. */
  expiresAt: number;
}

const kinds: readonly RevocationKind[] = ['token', 'session', 'subject'];

export function encodeRevocation(record: RevocationRecord): string {
  return JSON.stringify(record);
}

/** The record in a pub/sub message, or undefined for anything malformed. */
export function decodeRevocation(message: string): RevocationRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { kind, id, revokedAt, expiresAt } = value as Record<string, unknown>;
  if (!kinds.includes(kind as RevocationKind) || typeof id !== 'string' || id === '') return undefined;
  if (typeof revokedAt !== 'number' || typeof expiresAt !== 'number') return undefined;
  return { kind: kind as RevocationKind, id, revokedAt, expiresAt };
}
