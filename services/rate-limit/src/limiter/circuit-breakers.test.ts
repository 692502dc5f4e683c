import { createManualClock } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breakers';

describe('CircuitBreakers', () => {
  it('keeps one circuit per node and reports the open ones', () => {
    const clock = createManualClock(0);
    const changes: string[] = [];
    const breakers = new CircuitBreakers({
      clock,
      failureThreshold: 1,
      openMs: 1000,
      onStateChange: (node, state) => changes.push(`${node} ${state}`),
    });
    expect(breakers.for('a')).toBe(breakers.for('a'));
    breakers.for('a').onFailure();
    breakers.for('b').onSuccess();
    expect(breakers.notClosed()).toEqual([{ node: 'a', state: 'open' }]);
    expect(changes).toEqual(['a open']);
  });

  it('forgets an open circuit no call has asked for in a while (a node replaced by a failover)', () => {
    const clock = createManualClock(0);
    const breakers = new CircuitBreakers({ clock, failureThreshold: 1, openMs: 1000 });
    breakers.for('dead').onFailure();
    clock.advance(5000);
    expect(breakers.notClosed()).toEqual([{ node: 'dead', state: 'open' }]);
    clock.advance(1);
    expect(breakers.notClosed()).toEqual([]);
    // Asked for again, it starts closed.
    expect(breakers.for('dead').current()).toBe('closed');
  });
});
