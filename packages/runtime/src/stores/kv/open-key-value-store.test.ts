import { describe, expect, it } from 'vitest';
import { testRedisUrl, uniqueName } from '../../../../../test/support/test-env';
import { createManualClock } from '../../clock';
import { openKeyValueStore } from './open-key-value-store';

describe('openKeyValueStore', () => {
  it('opens Redis when a redisUrl is given', async () => {
    const store = await openKeyValueStore({ redisUrl: testRedisUrl, keyPrefix: `${uniqueName('kv_open')}:` });
    try {
      expect(store.kind).toBe('redis');
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('opens the in-process store, on the given clock, when no redisUrl is given', async () => {
    const clock = createManualClock();
    const store = await openKeyValueStore({ clock });
    try {
      expect(store.kind).toBe('memory');
      await store.set('k', 'v', { ttlMs: 100 });
      clock.advance(100);
      expect(await store.get('k')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
