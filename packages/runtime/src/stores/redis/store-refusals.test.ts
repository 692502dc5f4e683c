import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../clock';
import { StoreRefusals, StoreRefusingError, type StoreRefusal } from './store-refusals';

const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

describe('StoreRefusals', () => {
  it('reports one cause once, checks fail while it is recent, and clear after the window', () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const logged: StoreRefusal[] = [];
    const refusals = new StoreRefusals({ clock, windowMs: 10_000, onRefusal: (r) => logged.push(r) });
    expect(() => refusals.check()).not.toThrow();

    expect(refusals.record(reply('MOVED 866 127.0.0.1:7001'), 'decide')).toBe('moved');
    clock.advance(1000);
    expect(refusals.record(reply('MOVED 12182 127.0.0.1:7002'), 'decide')).toBe('moved');
    expect(logged).toEqual([
      {
        reason: 'moved',
        reply: 'MOVED 866 127.0.0.1:7001',
        operation: 'decide',
        hint: 'a Redis Cluster node answered for a slot it does not serve: set REDIS_CLUSTER=true (or auto) so the client follows the cluster',
      },
    ]);
    expect(() => refusals.check()).toThrow(StoreRefusingError);
    expect(() => refusals.check()).toThrow(
      'Redis refuses commands: MOVED 866 127.0.0.1:7001 (moved: 2 refused since 2026-01-01T00:00:00.000Z; a Redis Cluster node',
    );

    clock.advance(10_000); // the last refusal is 10 s old: still counts
    expect(() => refusals.check()).toThrow(StoreRefusingError);
    clock.advance(1);
    expect(() => refusals.check()).not.toThrow();

    // The cause comes back: a new episode, logged again.
    refusals.record(reply('MOVED 1 127.0.0.1:7003'), 'decide');
    expect(logged.map((r) => r.reply)).toEqual(['MOVED 866 127.0.0.1:7001', 'MOVED 1 127.0.0.1:7003']);
  });

  it('names every recent cause, latest first, and ignores outages and argument errors', () => {
    const clock = createManualClock();
    const refusals = new StoreRefusals({ clock });
    expect(refusals.record(new Error('Command timed out'), 'get')).toBe('timeout');
    expect(refusals.record(reply('ERR value is not an integer or out of range'), 'increment')).toBe(
      'reply_error',
    );
    expect(() => refusals.check()).not.toThrow();

    refusals.record(reply('WRONGTYPE Operation against a key holding the wrong kind of value'), 'get');
    clock.advance(5);
    refusals.record(reply("READONLY You can't write against a read only replica."), 'set');
    try {
      refusals.check();
      expect.unreachable();
    } catch (error) {
      expect((error as StoreRefusingError).refusals.map((r) => r.reason)).toEqual(['readonly', 'wrongtype']);
    }
  });
});
