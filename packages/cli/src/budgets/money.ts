import { UsageError } from '../usage-error';

const microsPerDollar = 1_000_000n;

/** "5", "0.25", "12.345678" dollars -> micros, exactly (no floating point); at most 6 decimals. */
export function parseUsd(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim().replace(/^\$/, ''));
  if (match === null) {
    throw new UsageError(
      `a dollar amount must look like 5 or 0.25 (at most 6 decimals), got ${JSON.stringify(text)}`,
    );
  }
  const [, whole = '0', fraction = ''] = match;
  return BigInt(whole) * microsPerDollar + BigInt(fraction.padEnd(6, '0'));
}

/** A decimal count of micros -> bigint. */
export function parseMicros(text: string): bigint {
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError(`micros must be a non-negative integer, got ${JSON.stringify(text)}`);
  }
  return BigInt(text.trim());
}

/** Micros as dollars: at least two decimals, up to six, no trailing zeros beyond two: "$5.00", "$0.123456". */
export function formatUsd(micros: bigint): string {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const whole = magnitude / microsPerDollar;
  let fraction = (magnitude % microsPerDollar).toString().padStart(6, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}$${whole.toString()}.${fraction}`;
}
