// Argument checks shared by every KeyValueStore backend, so a bad TTL or delta fails the same way
// (and before any I/O) whether the store is Redis or in-process.

/** The message every method of a closed store rejects with. */
export const STORE_CLOSED_MESSAGE = 'key-value store is closed';

/**
 * Validates a TTL and rounds it up to whole milliseconds (Redis PX only takes integers; rounding up
 * never shortens a lifetime the caller asked for).
 */
export function toTtlMs(ttlMs: number, argument = 'ttlMs'): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`${argument} must be a positive number of milliseconds, got ${String(ttlMs)}`);
  }
  return Math.ceil(ttlMs);
}

/** Validates an increment: Redis INCRBY only takes integers, and results must stay exact in a JS number. */
export function checkDelta(delta: number): void {
  if (!Number.isSafeInteger(delta)) {
    throw new RangeError(`delta must be a safe integer, got ${String(delta)}`);
  }
}
