/** Money is integer micro-units in int64 end to end: 1 USD = 1,000,000 micros. */
export const int64Max = 9_223_372_036_854_775_807n;
export const int64Min = -9_223_372_036_854_775_808n;

/** limit - spent - reserved, never below zero. */
export function remainingMicros(limit: bigint, spent: bigint, reserved: bigint): bigint {
  const remaining = limit - spent - reserved;
  return remaining > 0n ? remaining : 0n;
}

/** Formats micros as dollars for messages and logs, e.g. 1500000n -> "$1.500000". */
export function formatMicros(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  return `${sign}$${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
}

/** An int8 column as the drivers return it (a string) to bigint. */
export function toMicros(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' || typeof value === 'number') return BigInt(value);
  throw new TypeError(`not an integer amount: ${String(value)}`);
}
