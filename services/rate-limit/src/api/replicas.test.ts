import { credentials, Metadata } from '@grpc/grpc-js';
import { ratelimitV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../../test/support/test-env';
import type { RedisBackend } from '../../../../test/support/test-redis';
import {
  descriptor,
  dropKeys,
  startRateLimit,
  type RateLimitUnderTest,
} from '../test-support/start-rate-limit';

const rules = `
domain: shared
descriptors:
  - key: sliding
    rate_limit: { unit: hour, requests_per_unit: 37 }
  - key: bucket
    rate_limit: { algorithm: token_bucket, unit: hour, requests_per_unit: 37 }
  - key: fixed
    rate_limit: { algorithm: fixed_window, unit: day, requests_per_unit: 37 }
  - key: crowd
    rate_limit: { unit: hour, requests_per_unit: 300 }
`;

describe.each(['redis', 'cluster'] as const)('two replicas sharing one %s', (backend: RedisBackend) => {
  const keyPrefix = `${uniqueName('rl_replicas')}:`;
  const replicas: RateLimitUnderTest[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1) replicas.push(await startRateLimit({ rules, redis: backend, keyPrefix }));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await dropKeys(keyPrefix, backend);
  });

  /** `clients` clients over both replicas each send `each` CheckLimit back to back; resolves the answers. */
  async function race(request: Partial<ratelimitV1.CheckLimitRequest>, clients: number, each: number) {
    const connections = Array.from(
      { length: clients },
      (_, i) =>
        new ratelimitV1.RateLimitServiceClient(replicas[i % 2]?.address ?? '', credentials.createInsecure()),
    );
    const one = (client: ratelimitV1.RateLimitServiceClient) =>
      new Promise<ratelimitV1.CheckLimitResponse>((resolve, reject) =>
        client.checkLimit(
          { domain: 'shared', descriptors: [], ...request },
          new Metadata(),
          { deadline: Date.now() + 10_000 },
          (error, response) => (error ? reject(error) : resolve(response)),
        ),
      );
    try {
      const answers = await Promise.all(
        connections.map(async (client) => {
          const mine: ratelimitV1.CheckLimitResponse[] = [];
          for (let i = 0; i < each; i += 1) mine.push(await one(client));
          return mine;
        }),
      );
      return answers.flat();
    } finally {
      for (const client of connections) client.close();
    }
  }

  it.each(['sliding', 'bucket', 'fixed'])(
    '%s: 50 concurrent clients over both replicas admit exactly the limit',
    async (key) => {
      // Each client sends 2 requests back to back: 100 requests racing for 37 slots.
      const answers = await race({ descriptors: [descriptor(`${key}=tenant-1`)] }, 50, 2);
      expect(answers.filter((answer) => answer.fallback)).toEqual([]);
      expect(answers.filter((answer) => answer.allowed).length).toBe(37);
    },
  );

  it('500 requests racing over both replicas at limit 300: exactly 300 admitted, none by fallback', async () => {
    const answers = await race({ descriptors: [descriptor('crowd=everyone')] }, 100, 5);
    expect(answers.length).toBe(500);
    expect(answers.filter((answer) => answer.fallback).length).toBe(0);
    expect(answers.filter((answer) => answer.allowed).length).toBe(300);
  });
});
