import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TcpProxy } from '../../../../test/support/tcp-proxy';
import {
  descriptor,
  startRateLimitBehindProxy,
  type RateLimitUnderTest,
} from '../test-support/start-rate-limit';

const quotaDomain = (domain: string, policy: string) => `
domain: ${domain}
failure_policy: ${policy}
descriptors:
  - { key: model, quota_mode: true, rate_limit: { unit: minute, requests_per_unit: 1 } }
`;

// Quota-mode checks are `shadow` to the store (they never block its all-or-nothing); a failure
// policy must still treat them as limits.
describe('quota-mode limits while Redis is down', () => {
  let proxy: TcpProxy;
  let service: RateLimitUnderTest;

  beforeAll(async () => {
    ({ service, proxy } = await startRateLimitBehindProxy({
      rules: [
        quotaDomain('closed', 'fail_closed'),
        quotaDomain('open', 'fail_open'),
        quotaDomain('local', 'local'),
      ].join('---\n'),
      env: { RATELIMIT_BREAKER_OPEN_MS: '100', RATELIMIT_STORE_TIMEOUT_MS: '50' },
    }));
    await proxy.stop();
  });
  afterAll(async () => {
    await service.stop();
    await proxy.stop().catch(() => undefined);
  });

  const ask = (domain: string, ...models: string[]) =>
    service.check({ domain, descriptors: models.map((model) => descriptor(`model=${model}`)) });

  it('fail_closed refuses: every quota limit counts as over', async () => {
    const answer = await ask('closed', 'a', 'b');
    expect(answer).toMatchObject({ allowed: false, fallback: true });
    expect(answer.statuses.map((s) => s.allowed)).toEqual([false, false]);
  });

  it('fail_open admits', async () => {
    expect(await ask('open', 'a', 'b')).toMatchObject({ allowed: true, fallback: true });
  });

  it('local decides with quota semantics in process', async () => {
    expect(await ask('local', 'a')).toMatchObject({ allowed: true, fallback: true });
    const mixed = await ask('local', 'a', 'b');
    expect(mixed).toMatchObject({ allowed: true, fallback: true });
    expect(mixed.statuses.map((s) => s.allowed)).toEqual([false, true]);
    expect(await ask('local', 'a', 'b')).toMatchObject({ allowed: false, fallback: true });
  });
});
