import { GatehouseError } from '../../errors/gatehouse-error';

/** Socket errors: the server cannot be reached or went away. */
const socketErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs meaning "not now" rather than "wrong": class 08 (connection exception), the server
 * shutting down or starting (57P01-57P03), too many connections (53300), and a statement cancelled by
 * statement_timeout (57014).
 */
function isTransientSqlState(code: string): boolean {
  return code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300' || code === '57014';
}

/** Errors pg raises itself, without a code, when a connection fails, times out or is cut. */
const driverMessages = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /not queryable/,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof GatehouseError) return error.reason === 'DATABASE_UNAVAILABLE';
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (socketErrorCodes.has(code) || isTransientSqlState(code))) return true;
  return driverMessages.some((pattern) => pattern.test(error.message));
}

/**
 * Turns an outage of the database into UNAVAILABLE (retry later) instead of a bare INTERNAL, so a
 * caller learns that retrying is safe and why; any other error passes through unchanged.
 */
export function unavailableWhenDisconnected(error: unknown): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  return new GatehouseError('UNAVAILABLE', 'the database is unavailable; retry shortly', {
    reason: 'DATABASE_UNAVAILABLE',
    retryAfterMs: 1000,
    cause: error,
  });
}
