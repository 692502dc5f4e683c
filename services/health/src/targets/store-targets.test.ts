import { describe, expect, it } from 'vitest';
import { testRedisClusterUrl, testRedisUrl } from '../../../../test/support/test-env';
import { redisTarget } from './store-targets';

describe('redisTarget', () => {
  it('probes one Redis with PING, and a cluster on every master with its state', async () => {
    const single = redisTarget(testRedisUrl);
    const cluster = redisTarget(testRedisClusterUrl, true);
    try {
      expect(await single.probe(2000)).toEqual({ status: 'SERVING', detail: 'PING PONG' });
      expect(await cluster.probe(2000)).toEqual({
        status: 'SERVING',
        detail: 'cluster_state:ok, 3 masters answer PING',
      });
    } finally {
      await single.close();
      await cluster.close();
    }
  });

  it('reports a single-server connection to a cluster node as not serving, and why', async () => {
    const misconfigured = redisTarget(testRedisClusterUrl, false);
    try {
      const result = await misconfigured.probe(2000);
      expect(result.status).toBe('NOT_SERVING');
      expect(result.detail).toMatch(
        /^Redis at 127\.0\.0\.1:7000 is a Redis Cluster node serving \d+ of 16384 hash slots, but the client is not in cluster mode/,
      );
    } finally {
      await misconfigured.close();
    }
  });
});
