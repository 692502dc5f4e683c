import { Metadata } from '@grpc/grpc-js';
import type { ratelimitV1 } from '@gatehouse/contracts';

/**
 * Concurrency rules (`algorithm: concurrency`) answer an allowed CheckLimit with a lease per
 * limited descriptor; the call holds it while it runs and gives it back with `Release` when it
 * ends, so the next caller need not wait for the lease's TTL.
 */

/** A concurrency rule applies to some descriptor of the answer (said whether or not it admitted). */
export function concurrencyApplies(response: ratelimitV1.CheckLimitResponse): boolean {
  return response.statuses.some((status) => status.concurrency);
}

/** The lease ids of an allowed answer, one per descriptor under a concurrency rule. */
export function leaseIdsOf(response: ratelimitV1.CheckLimitResponse): string[] {
  const ids: string[] = [];
  for (const status of response.statuses) if (status.leaseId !== '') ids.push(status.leaseId);
  return ids;
}

/**
 * A release shared by `holders` calls (one, unless a batch was decided together before its
 * descriptors were known to be under a concurrency rule): each holder calls the returned function
 * once when it ends, and the leases go back when the last one has. A failed Release only delays
 * the capacity until the lease's TTL; `onFailure` counts it.
 */
export function sharedRelease(
  client: ratelimitV1.RateLimitServiceClient,
  leaseIds: readonly string[],
  holders: number,
  timeoutMs: number,
  onFailure: () => void,
): () => void {
  let remaining = holders;
  return () => {
    remaining -= 1;
    if (remaining !== 0) return;
    for (const leaseId of leaseIds) {
      client.release({ leaseId }, new Metadata(), { deadline: Date.now() + timeoutMs }, (error) => {
        if (error !== null) onFailure();
      });
    }
  };
}

const maxKeys = 10_000;

/**
 * Descriptor sets known to be under a concurrency rule (their answers say so, admitted or not):
 * decided one call at a time by the service alone. Bounded: the oldest is forgotten first.
 */
export class ConcurrencyKeys {
  private readonly keys = new Set<string>();

  has(key: string): boolean {
    return this.keys.has(key);
  }

  remember(key: string): void {
    this.keys.add(key);
    if (this.keys.size > maxKeys) this.keys.delete(this.keys.values().next().value!);
  }
}
