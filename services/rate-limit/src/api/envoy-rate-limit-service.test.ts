import { Metadata, status } from '@grpc/grpc-js';
import { envoyRateLimitV3 } from '@gatehouse/contracts';
import { createManualClock } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError, unaryCall } from '../../../../test/support/grpc-call';
import { testRedisUrl } from '../../../../test/support/test-env';
import { startRateLimit, type RateLimitUnderTest } from '../test-support/start-rate-limit';

// An unchanged envoyproxy/ratelimit config file.
const rules = `
domain: mongo_cps
descriptors:
  - key: database
    value: users
    rate_limit:
      unit: second
      requests_per_unit: 3
  - key: database
    value: default
    rate_limit:
      unit: minute
      requests_per_unit: 500
    shadow_mode: true
  - key: database
    value: orders
    rate_limit:
      unit: minute
      requests_per_unit: 10
  - key: database
    value: audit
    rate_limit:
      unit: minute
      requests_per_unit: 10
`;

const { RateLimitResponse_Code: Code, RateLimitResponse_RateLimit_Unit: Unit } = envoyRateLimitV3;

describe('envoy.service.ratelimit.v3 ShouldRateLimit on the same port', () => {
  let service: RateLimitUnderTest;
  const clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 0, 250));
  const should = (request: Partial<envoyRateLimitV3.RateLimitRequest>) =>
    unaryCall<envoyRateLimitV3.RateLimitRequest, envoyRateLimitV3.RateLimitResponse>(
      service.envoy,
      service.envoy.shouldRateLimit,
      { domain: 'mongo_cps', descriptors: [], hitsAddend: 0, ...request },
      new Metadata(),
    );
  const users = { entries: [{ key: 'database', value: 'users' }], limit: undefined, hitsAddend: undefined };

  beforeAll(async () => {
    service = await startRateLimit({ rules, redisUrl: testRedisUrl, clock });
  });
  afterAll(() => service.stop());

  it('answers OK, then OVER_LIMIT, with the current limit, remaining, reset and RateLimit headers', async () => {
    const first = await should({ descriptors: [users] });
    expect(first.overallCode).toBe(Code.OK);
    expect(first.statuses[0]).toEqual({
      code: Code.OK,
      // Envoy's current_limit.name is the rule's `name:`, empty when the file gives none.
      currentLimit: { name: '', requestsPerUnit: 3, unit: Unit.SECOND },
      limitRemaining: 2,
      durationUntilReset: { seconds: 1n, nanos: 750_000_000 },
    });
    expect(first.responseHeadersToAdd.map((h) => [h.key, h.value])).toEqual([
      ['RateLimit-Limit', '3'],
      ['RateLimit-Remaining', '2'],
      ['RateLimit-Reset', '2'],
    ]);
    const second = await should({ descriptors: [users], hitsAddend: 2 });
    expect(second.statuses[0]?.limitRemaining).toBe(0);
    const over = await should({ descriptors: [users] });
    expect(over.overallCode).toBe(Code.OVER_LIMIT);
    expect(over.statuses[0]?.code).toBe(Code.OVER_LIMIT);
  });

  it('shadow-mode and unknown descriptors never limit', async () => {
    const shadow = {
      entries: [{ key: 'database', value: 'default' }],
      limit: undefined,
      hitsAddend: undefined,
    };
    const unknown = { entries: [{ key: 'collection', value: 'x' }], limit: undefined, hitsAddend: undefined };
    const response = await should({ descriptors: [shadow, unknown], hitsAddend: 1000 });
    expect(response.overallCode).toBe(Code.OK);
    expect(response.statuses.map((s) => s.code)).toEqual([Code.OK, Code.OK]);
    expect(response.statuses[1]?.currentLimit).toBeUndefined();
  });

  it("applies a descriptor's own hits_addend in place of the request's; 0 checks without consuming", async () => {
    const orders = (hitsAddend?: bigint) => ({
      entries: [{ key: 'database', value: 'orders' }],
      limit: undefined,
      hitsAddend,
    });
    const audit = (hitsAddend?: bigint) => ({
      entries: [{ key: 'database', value: 'audit' }],
      limit: undefined,
      hitsAddend,
    });
    const weighted = await should({ descriptors: [orders(4n), audit()], hitsAddend: 2 });
    expect(weighted.overallCode).toBe(Code.OK);
    expect(weighted.statuses.map((s) => s.limitRemaining)).toEqual([6, 8]);
    const checked = await should({ descriptors: [orders(0n), audit(0n)], hitsAddend: 5 });
    expect(checked.statuses.map((s) => s.limitRemaining)).toEqual([6, 8]);
    // All or nothing: orders cannot take 7 more, so audit's 1 is not consumed either.
    const over = await should({ descriptors: [orders(7n), audit()] });
    expect(over.overallCode).toBe(Code.OVER_LIMIT);
    expect(over.statuses.map((s) => s.code)).toEqual([Code.OVER_LIMIT, Code.OK]);
    const after = await should({ descriptors: [orders(0n), audit(0n)] });
    expect(after.statuses.map((s) => s.limitRemaining)).toEqual([6, 8]);
  });

  it('INVALID_ARGUMENT naming the field for a hits_addend over 1000000', async () => {
    const error = await callError(
      should({
        descriptors: [users, { ...users, hitsAddend: 18_446_744_073_709_551_615n }],
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('descriptors[1].hits_addend');
  });

  it('INVALID_ARGUMENT for an empty domain or no descriptors', async () => {
    expect((await callError(should({ domain: '', descriptors: [users] }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    expect((await callError(should({ descriptors: [] }))).code).toBe(status.INVALID_ARGUMENT);
  });
});
