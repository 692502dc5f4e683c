import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedisClusterUrl } from '../../../../test/support/test-env';
import { clusterSlot } from './cluster-slot';

describe('clusterSlot', () => {
  const node = new Redis(testRedisClusterUrl, { lazyConnect: true });
  afterAll(() => node.disconnect());

  it('answers what CLUSTER KEYSLOT answers, hash tags and UTF-8 included', async () => {
    const keys = [
      '',
      'a',
      '123456789',
      'gh:rate-limit:{gatehouse/user=42}:user-free-per-minute:user=42/tier=free:29140000',
      'prefix:{tag}:rest',
      'no{close',
      '{}empty-tag',
      '{a}{b}',
      'x{}{y}',
      'grüße:{✓}',
      ...Array.from({ length: 200 }, (_, i) => `key:${i}:${(i * 7919).toString(36)}`),
    ];
    const expected = await Promise.all(keys.map((key) => node.cluster('KEYSLOT', key)));
    expect(keys.map(clusterSlot)).toEqual(expected);
    expect(clusterSlot('123456789')).toBe(12739);
  });
});
