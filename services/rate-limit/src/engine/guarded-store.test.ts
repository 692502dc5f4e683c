import { createManualClock } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../limiter/circuit-breaker';
import { createMemoryLimitStore } from '../store/memory-limit-store';
import type { LimitStore, StoreCheck } from '../store/limit-store';
import { StoreTimeoutError } from '../store/store-timeout-error';
import { GuardedStore, StoreUnavailableError } from './guarded-store';

const check: StoreCheck = {
  key: '{d}:rule:k=v',
  spec: { algorithm: 'fixed_window', limit: 5, windowMs: 1000, burst: 0 },
  shadow: false,
};
const consume = { hits: 1, consume: true };

/** A store whose decisions fail with `failure()`, timing its own calls like the Redis store. */
function failingStore(failure: () => unknown): LimitStore {
  const memory = createMemoryLimitStore({ maxKeys: 1000 });
  return { ...memory, kind: 'redis', timesOwnCalls: true, decide: async () => Promise.reject(failure()) };
}

const guarded = (store: LimitStore) => {
  const breaker = new CircuitBreaker({ clock: createManualClock(0), failureThreshold: 2, openMs: 1000 });
  return { breaker, guard: new GuardedStore({ store, breaker, timeoutMs: 50 }) };
};

describe('GuardedStore', () => {
  it('counts a failed batch (one error shared by its decisions) as one failure of the breaker', async () => {
    const shared = new StoreTimeoutError('Redis did not answer within 50 ms');
    const { breaker, guard } = guarded(failingStore(() => shared));
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => guard.decide([check], consume, 0)));
    expect(
      outcomes.map((o) => o.status === 'rejected' && (o.reason as StoreUnavailableError).reason),
    ).toEqual(['timeout', 'timeout', 'timeout']);
    expect(breaker.current()).toBe('closed');
  });

  it('counts separate failed calls one by one', async () => {
    const { breaker, guard } = guarded(failingStore(() => new Error('connection refused')));
    await Promise.allSettled([1, 2].map(() => guard.decide([check], consume, 0)));
    expect(breaker.current()).toBe('open');
    await expect(guard.decide([check], consume, 0)).rejects.toMatchObject({ reason: 'circuit_open' });
    expect(guard.lastFailureMessage()).toBe('connection refused');
  });

  it("names a failure by Redis's reply", async () => {
    const moved = Object.assign(new Error('MOVED 866 127.0.0.1:7001'), { name: 'ReplyError' });
    const { guard } = guarded(failingStore(() => moved));
    await expect(guard.decide([check], consume, 0)).rejects.toMatchObject({
      reason: 'moved',
      message: 'store failed: MOVED 866 127.0.0.1:7001',
    });
    expect(guard.lastFailureMessage()).toBe('MOVED 866 127.0.0.1:7001');
  });
});
