import { credentials, Metadata } from '@grpc/grpc-js';
import { ratelimitV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniqueName } from '../../../../test/support/test-env';
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
`;

describe('two replicas sharing one Redis', () => {
  const keyPrefix = `${uniqueName('rl_replicas')}:`;
  const replicas: RateLimitUnderTest[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1)
      replicas.push(await startRateLimit({ rules, redisUrl: testRedisUrl, keyPrefix }));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await dropKeys(keyPrefix);
  });

  it.each(['sliding', 'bucket', 'fixed'])(
    '%s: 50 concurrent clients over both replicas admit exactly the limit',
    async (key) => {
      const clients = Array.from(
        { length: 50 },
        (_, i) =>
          new ratelimitV1.RateLimitServiceClient(
            replicas[i % 2]?.address ?? '',
            credentials.createInsecure(),
          ),
      );
      const request = { domain: 'shared', descriptors: [descriptor(`${key}=tenant-1`)] };
      const one = (client: ratelimitV1.RateLimitServiceClient) =>
        new Promise<boolean>((resolve, reject) =>
          client.checkLimit(request, new Metadata(), (error, response) =>
            error ? reject(error) : resolve(response.allowed),
          ),
        );
      try {
        // Each client sends 2 requests back to back: 100 requests racing for 37 slots.
        const outcomes = await Promise.all(
          clients.map(async (client) => [await one(client), await one(client)]),
        );
        const admitted = outcomes.flat().filter(Boolean).length;
        expect(admitted).toBe(37);
      } finally {
        for (const client of clients) client.close();
      }
    },
  );
});
