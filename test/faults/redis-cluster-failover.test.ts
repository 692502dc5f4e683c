import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSlot } from '../../services/rate-limit/src/store/cluster-slot';
import {
  descriptor,
  startRateLimit,
  type RateLimitUnderTest,
} from '../../services/rate-limit/src/test-support/start-rate-limit';
import { startOwnRedisCluster, type OwnRedisCluster } from '../support/own-redis-cluster';

// Limits far above what the load reaches: a refusal or a fallback can only come from the failover.
const rules = `
domain: failover
failure_policy: fail_open
descriptors:
  - key: user
    rate_limit: { unit: hour, requests_per_unit: 1000000 }
  - key: exact
    rate_limit: { unit: hour, requests_per_unit: 20 }
`;

/** cluster-node-timeout of this test's own cluster: how long a silent master has before failover. */
const nodeTimeoutMs = 1000;
/**
 * What the outage may take: the node timeout (until the master is marked failed), the replica's
 * election delay (500-1000 ms by Redis's rule for the first replica), and the client finding the
 * new master (retry after 100 ms, or its 2 s slot refresh), with slack for a shared 2-core machine.
 */
const outageBoundMs = nodeTimeoutMs + 1000 + 2000 + 3000;
const concurrency = 8;
const users = Array.from({ length: 60 }, (_, i) => `u${i}`);

interface Seen {
  user: string;
  startMs: number;
  endMs: number;
  fallback: boolean;
}

describe('Redis Cluster: a master killed under load', () => {
  let cluster: OwnRedisCluster;
  let service: RateLimitUnderTest;

  beforeAll(async () => {
    cluster = await startOwnRedisCluster({ nodeTimeoutMs });
    service = await startRateLimit({
      rules,
      redisUrl: cluster.redisUrl,
      env: { REDIS_CLUSTER: 'true', RATELIMIT_STORE_TIMEOUT_MS: '150', RATELIMIT_BREAKER_OPEN_MS: '200' },
    });
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
    await cluster?.stop();
  });

  it(
    'fails over to the replica with no restart: decisions resume within the bound and stay exact',
    { timeout: 90_000 },
    async () => {
      const victim = cluster.ports[0]!;
      const { served: victimSlots, replica } = await slotsOf(cluster, victim);
      const onVictim = (tag: string) => victimSlots(clusterSlot(`{${tag}}`));
      const affected = new Set(users.filter((user) => onVictim(`failover/user=${user}`)));
      expect(affected.size).toBeGreaterThan(5);
      expect(affected.size).toBeLessThan(users.length);

      const began = performance.now();
      const seen: Seen[] = [];
      let stop = false;
      let calls = 0;
      const worker = async () => {
        while (!stop && calls < 200_000 && performance.now() - began < 60_000) {
          const user = users[calls++ % users.length]!;
          const startMs = performance.now() - began;
          const answer = await service.check({
            domain: 'failover',
            descriptors: [descriptor(`user=${user}`)],
          });
          seen.push({ user, startMs, endMs: performance.now() - began, fallback: answer.fallback });
        }
      };
      const load = Promise.all(Array.from({ length: concurrency }, worker));

      await sleep(1500);
      const killedAtMs = performance.now() - began;
      cluster.kill(victim);
      const promoted = watchPromotion(replica, () => performance.now() - began);
      const resumed = await waitFor(
        () => seen.find((s) => affected.has(s.user) && !s.fallback && s.startMs > killedAtMs),
        45_000,
      );
      await sleep(1000);
      stop = true;
      await load;

      const outageMs = resumed.endMs - killedAtMs;
      const promotedMs = (await promoted) - killedAtMs;
      const during = seen.filter((s) => s.startMs >= killedAtMs && s.endMs <= resumed.endMs);
      const fellBack = (list: Seen[]) => list.filter((s) => s.fallback).length;
      const others = during.filter((s) => !affected.has(s.user));
      console.log(
        `failover: ${outageMs.toFixed(0)} ms without store decisions for the dead master's keys ` +
          `(cluster-node-timeout ${nodeTimeoutMs} ms, replica master after ${promotedMs.toFixed(0)} ms); ` +
          `in that time ${during.length} calls, ` +
          `${fellBack(during.filter((s) => affected.has(s.user)))} of ${during.length - others.length} on its keys ` +
          `and ${fellBack(others)} of ${others.length} on the other masters' keys decided by policy`,
      );
      expect(outageMs).toBeLessThan(outageBoundMs);
      // After the failover every key is decided by the store again, none by policy.
      const after = seen.filter((s) => s.startMs > resumed.endMs + 500);
      expect(after.length).toBeGreaterThan(20);
      expect(fellBack(after)).toBe(0);

      // Exact on the promoted replica: 40 racing at a limit of 20 on a key of the dead master's slots.
      const key = Array.from({ length: 500 }, (_, i) => `k${i}`).find((k) =>
        onVictim(`failover/exact=${k}`),
      )!;
      const racing = await Promise.all(
        Array.from({ length: 40 }, () =>
          service.check({ domain: 'failover', descriptors: [descriptor(`exact=${key}`)] }),
        ),
      );
      expect(racing.filter((answer) => answer.fallback).length).toBe(0);
      expect(racing.filter((answer) => answer.allowed).length).toBe(20);

      // Readiness is back to ready, not degraded, without a restart.
      await expect
        .poll(
          async () => {
            const snapshot = await service.host.readiness.refresh();
            return [snapshot.ready, snapshot.degraded];
          },
          { timeout: 10_000, interval: 200 },
        )
        .toEqual([true, false]);
    },
  );
});

/** Which slots the master on `port` serves (as a predicate), and the port of its replica. */
async function slotsOf(
  cluster: OwnRedisCluster,
  port: number,
): Promise<{ served: (slot: number) => boolean; replica: number }> {
  const client = new Cluster([{ host: '127.0.0.1', port: cluster.ports[1]! }], { lazyConnect: true });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const slots = (await client.cluster('SLOTS')).filter(([, , master]) => master?.[1] === port);
    const ranges = slots.map(([start, end]) => [start, end] as const);
    const replica = slots[0]?.[3]?.[1];
    if (replica === undefined) throw new Error(`no replica of 127.0.0.1:${port}`);
    return { served: (slot) => ranges.some(([start, end]) => slot >= start && slot <= end), replica };
  } finally {
    client.disconnect();
  }
}

/** Resolves the time (from `now`) at which the replica on `port` reports itself master. */
async function watchPromotion(port: number, now: () => number): Promise<number> {
  const replica = new Redis(port, '127.0.0.1', { lazyConnect: true });
  replica.on('error', () => undefined);
  await replica.connect();
  try {
    for (let polls = 0; polls < 3000; polls += 1) {
      const [role] = (await replica.role()) as [string];
      if (role === 'master') return now();
      await sleep(10);
    }
    throw new Error(`127.0.0.1:${port} was not promoted`);
  } finally {
    replica.disconnect();
  }
}

async function waitFor<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
