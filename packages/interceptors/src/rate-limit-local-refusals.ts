import type { ratelimitV1 } from '@gatehouse/contracts';
import type { Refused } from '@gatehouse/runtime';
import { exhausted } from './rate-limit-headers';

interface Known {
  until: number;
  response: ratelimitV1.CheckLimitResponse;
}

const maxEntries = 10_000;

/**
 * Local refusals: descriptor sets the service refused with a retry time are refused here, without
 * a call, until that time. Sets under a concurrency rule are never remembered (a Release on any
 * replica frees capacity before the retry time), and neither are refusals without a retry time.
 */
export class LocalRefusals {
  private readonly known = new Map<string, Known>();
  private refused = 0;

  /** The refusal of `calls` calls for `key` while its retry time has not come; undefined otherwise. */
  refusal(key: string, now: number, calls: number): Refused | undefined {
    const known = this.known.get(key);
    if (known === undefined) return undefined;
    if (known.until <= now) {
      this.known.delete(key);
      return undefined;
    }
    this.refused += calls;
    return exhausted(known.response, known.until - now);
  }

  /** The service refused `key`: remember it until its retry time (the oldest key makes room). */
  remember(key: string, response: ratelimitV1.CheckLimitResponse, now: number): void {
    const retryAfterMs = Number(response.retryAfterMs);
    if (retryAfterMs <= 0) return;
    this.known.set(key, { until: now + retryAfterMs, response });
    if (this.known.size > maxEntries) this.known.delete(this.known.keys().next().value!);
  }

  /** Calls refused here so far. */
  count(): number {
    return this.refused;
  }
}
