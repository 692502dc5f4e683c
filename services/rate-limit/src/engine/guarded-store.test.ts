import { createManualClock } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from '../limiter/circuit-breakers';
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
  const breakers = new CircuitBreakers({ clock: createManualClock(0), failureThreshold: 2, openMs: 1000 });
  return { breaker: breakers.for(''), breakers, guard: new GuardedStore({ store, breakers, timeoutMs: 50 }) };
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

  it('keeps one circuit per store node: a failing node opens only its own', async () => {
    const memory = createMemoryLimitStore({ maxKeys: 1000 });
    const split: LimitStore = {
      ...memory,
      kind: 'redis',
      timesOwnCalls: true,
      nodeOf: (key) => (key.startsWith('{down}') ? '127.0.0.1:7000' : '127.0.0.1:7001'),
      decide: async (checks, demand, now) =>
        checks[0]?.key.startsWith('{down}')
          ? Promise.reject(new Error('Connection is closed.'))
          : memory.decide(checks, demand, now),
    };
    const { breakers, guard } = guarded(split);
    const down = { ...check, key: '{down}:rule:k=v' };
    await Promise.allSettled([1, 2].map(() => guard.decide([down], consume, 0)));
    await expect(guard.decide([down], consume, 0)).rejects.toMatchObject({
      reason: 'circuit_open',
      message: 'store circuit is open for 127.0.0.1:7000',
    });
    expect((await guard.decide([check], consume, 0))[0]?.allowed).toBe(true);
    expect(breakers.notClosed()).toEqual([{ node: '127.0.0.1:7000', state: 'open' }]);
    expect(guard.lastFailureMessage('127.0.0.1:7000')).toBe('Connection is closed.');
  });
});
