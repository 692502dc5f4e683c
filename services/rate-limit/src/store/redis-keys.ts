import { windowIndex } from '../limiter/fixed-window';
import type { StoreCheck } from './limit-store';

const algorithmCodes = {
  fixed_window: 'f',
  sliding_window: 's',
  token_bucket: 't',
  concurrency: 'c',
} as const;

/** The two Redis keys a check reads (see decide-script.ts), under the store's prefix. */
export function redisKeysOf(prefix: string, check: StoreCheck, now: number): [string, string] {
  const base = prefix + check.key;
  const { algorithm, windowMs } = check.spec;
  if (algorithm === 'fixed_window' || algorithm === 'sliding_window') {
    const index = windowIndex(now, windowMs);
    const current = `${base}:${index}`;
    return [current, algorithm === 'sliding_window' ? `${base}:${index - 1}` : current];
  }
  return [base, base];
}

/** The script's per-check arguments: algorithm, limit, windowMs, burst, shadow, lease id. */
export function redisArgsOf(check: StoreCheck): (string | number)[] {
  const { spec } = check;
  return [
    algorithmCodes[spec.algorithm],
    spec.limit,
    spec.windowMs,
    spec.burst,
    check.shadow ? 1 : 0,
    check.leaseId ?? '',
  ];
}
