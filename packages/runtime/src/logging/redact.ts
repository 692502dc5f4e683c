/** Keys whose values are secrets, matched case-insensitively anywhere in a log object. */
const secretKey = /pass(word)?|token|api[-_]?key|authorization|secret|cookie|private[-_]?key/i;

export const redactedValue = '[REDACTED]';

/**
 * A copy of a log object with every secret-looking field replaced, at any depth. Matching on key
 * names (not fixed paths) also catches `newPassword`, `refreshToken`, `x-api-key` and the like.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    copy[key] = secretKey.test(key) ? redactedValue : redactSecrets(child, depth + 1);
  }
  return copy;
}
