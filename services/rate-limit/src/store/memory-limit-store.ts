import { evaluateConcurrency } from '../limiter/concurrency';
import { evaluateFixedWindow, windowIndex } from '../limiter/fixed-window';
import type { Demand, Evaluation } from '../limiter/limit-spec';
import { evaluateSlidingWindow } from '../limiter/sliding-window';
import { evaluateTokenBucket } from '../limiter/token-bucket';
import { admits, demandOf, type LimitStore, type StoreCheck } from './limit-store';
import { CounterSlab } from './counter-slab';
import { LeaseTable } from './lease-table';

export interface MemoryLimitStoreOptions {
  /** Most counters held at once; beyond it, idle ones are reclaimed, else the decision fails. Default 1,000,000. */
  maxKeys?: number;
}

/**
 * Counters in this process (single replica, or the `local` failure policy). Counters live in
 * typed-array slabs (about 100-150 bytes per active key including the key string) and are
 * reclaimed once idle: a fixed window after it ends, a sliding window after the next one ends,
 * a token bucket once full again.
 */
export function createMemoryLimitStore(options: MemoryLimitStoreOptions = {}): LimitStore {
  const slab = new CounterSlab(options.maxKeys ?? 1_000_000);
  const leases = new LeaseTable();
  let closed = false;

  function evaluate(check: StoreCheck, demand: Demand, now: number): [Evaluation, () => void] {
    const { key, spec } = check;
    const w = spec.windowMs;
    const state = slab.read(key, now);
    switch (spec.algorithm) {
      case 'fixed_window': {
        const index = windowIndex(now, w);
        const count = state !== undefined && state[0] === index ? state[1] : 0;
        const result = evaluateFixedWindow(count, spec, now, demand);
        return [result, () => slab.write(key, index, result.count, 0, (index + 1) * w, now)];
      }
      case 'sliding_window': {
        const index = windowIndex(now, w);
        let current = 0;
        let previous = 0;
        if (state !== undefined && state[0] === index) [current, previous] = [state[1], state[2]];
        else if (state !== undefined && state[0] === index - 1) previous = state[1];
        const result = evaluateSlidingWindow(previous, current, spec, now, demand);
        return [result, () => slab.write(key, index, result.current, previous, (index + 2) * w, now)];
      }
      case 'token_bucket': {
        const result = evaluateTokenBucket(state?.[0] ?? 0, spec, now, demand);
        return [result, () => slab.write(key, result.tat, 0, 0, Math.ceil(result.tat), now)];
      }
      case 'concurrency': {
        const { active, earliestExpiry } = leases.count(key, now);
        const result = evaluateConcurrency(active, earliestExpiry, spec, now, demand);
        return [
          result,
          () => {
            if (result.acquire && check.leaseId !== undefined) leases.add(key, check.leaseId, now + w);
          },
        ];
      }
    }
  }

  return {
    kind: 'memory',
    // In-process: every call is answered before it returns, so there is nothing to time out (a
    // timer per decision would cost more than the decision).
    timesOwnCalls: true,
    async decide(checks, demand, now) {
      if (closed) throw new Error('limit store is closed');
      slab.sweep(now, 8);
      const demands = checks.map((check) => demandOf(check, demand));
      const evaluated = checks.map((check, i) => evaluate(check, demands[i]!, now));
      const results = evaluated.map(([r]): Evaluation => ({
        allowed: r.allowed,
        remaining: r.remaining,
        resetAfterMs: r.resetAfterMs,
        retryAfterMs: r.retryAfterMs,
      }));
      if (demand.consume && admits(checks, results)) {
        evaluated.forEach(([r, commit], i) => {
          if (r.allowed && demands[i]!.consume) commit();
        });
      }
      return results;
    },
    async release(key, leaseId, now) {
      return leases.remove(key, leaseId, now);
    },
    async reset(checks) {
      let removed = 0;
      for (const check of checks) {
        if (slab.delete(check.key)) removed += 1;
        if (leases.clear(check.key)) removed += 1;
      }
      return removed;
    },
    async ping() {
      if (closed) throw new Error('limit store is closed');
    },
    async close() {
      closed = true;
    },
  };
}
