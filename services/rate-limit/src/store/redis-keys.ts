import { windowIndex } from '../limiter/fixed-window';
import type { StoreCheck } from './limit-store';

/** One letter per algorithm in the scripts' packed arguments. */
export const algorithmCodes = {
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

/** Appends the keys the script reads for a check: sliding window two, the others one. */
export function pushRedisKeys(keys: string[], prefix: string, check: StoreCheck, now: number): void {
  const base = prefix + check.key;
  const { algorithm, windowMs } = check.spec;
  if (algorithm === 'fixed_window' || algorithm === 'sliding_window') {
    const index = windowIndex(now, windowMs);
    keys.push(`${base}:${index}`);
    if (algorithm === 'sliding_window') keys.push(`${base}:${index - 1}`);
  } else {
    keys.push(base);
  }
}

/** A decision's header argument: `now:hits:consume:checks`. */
export function decisionArg(now: number, hits: number, consume: boolean, checks: number): string {
  return `${now}:${hits}:${consume ? 1 : 0}:${checks}`;
}

/**
 * A check's argument: `algorithm:limit:windowMs:burst:shadow:hits:consume:leaseId`, hits and consume
 * empty when the check takes the decision's.
 */
export function checkArg(check: StoreCheck): string {
  const { algorithm, limit, windowMs, burst } = check.spec;
  const shadow = check.shadow ? 1 : 0;
  const own = check.demand === undefined ? ':' : `${check.demand.hits}:${check.demand.consume ? 1 : 0}`;
  return `${algorithmCodes[algorithm]}:${limit}:${windowMs}:${burst}:${shadow}:${own}:${check.leaseId ?? ''}`;
}
