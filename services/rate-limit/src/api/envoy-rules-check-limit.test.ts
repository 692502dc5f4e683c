import { createLogger, createManualClock } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import { descriptor, startRateLimit, type RateLimitUnderTest } from '../test-support/start-rate-limit';

// Envoy's config language seen through Gatehouse's own API (CheckLimit), its metrics and its logs.
const rules = {
  'a-edge.yaml': `
domain: edge
descriptors:
  - key: path
    value: /api/*/orders
    rate_limit: { name: orders, unit: minute, requests_per_unit: 2 }
  - key: path
    value: /static/*
    share_threshold: true
    rate_limit: { name: static, unit: minute, requests_per_unit: 3 }
  - key: ip
    value: 50.0.0.5
    rate_limit: { name: banned, unit: minute, requests_per_unit: 0 }
  - key: ip
    detailed_metric: true
    rate_limit: { name: per-ip, unit: minute, requests_per_unit: 100 }
`,
  'b-edge.yaml': `
domain: edge
descriptors:
  - key: model
    quota_mode: true
    rate_limit: { name: model-quota, unit: minute, requests_per_unit: 1 }
  - key: legacy
    rate_limit: { unit: minute, requests_per_unit: 1, replaces: [{ name: retired }] }
`,
};

describe('Envoy rules through CheckLimit', () => {
  let service: RateLimitUnderTest;
  const logs = captureLogs();
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const check = (...pairs: string[][]) =>
    service.check({ domain: 'edge', descriptors: pairs.map((entries) => descriptor(...entries)) });
  const metrics = async () => (await fetch(`http://127.0.0.1:${service.host.opsPort}/metrics`)).text();

  beforeAll(async () => {
    const logger = createLogger({ service: 'rate-limit', level: 'info', destination: logs.stream });
    service = await startRateLimit({ rules, clock, logger });
  });
  afterAll(() => service.stop());

  it('matches wildcard values and shares a share_threshold counter across its values', async () => {
    const first = await check(['path=/api/v1/orders'], ['path=/static/a.css'], ['path=/static/b.js']);
    expect(first.statuses.map((s) => [s.rule, s.limit, s.remaining])).toEqual([
      ['orders', 2, 1],
      ['static', 3, 2],
      ['static', 3, 1],
    ]);
    const second = await check(['path=/api/v2/orders'], ['path=/static/c.png']);
    expect(second.statuses.map((s) => [s.rule, s.remaining])).toEqual([
      ['orders', 1],
      ['static', 0],
    ]);
    expect((await check(['path=/api/v2/users'])).statuses[0]).toMatchObject({ rule: '', limit: 0 });
  });

  it('refuses a value banned with requests_per_unit 0 until the end of its window', async () => {
    const banned = await check(['ip=50.0.0.5']);
    expect(banned).toMatchObject({ allowed: false, limit: 0, remaining: 0 });
    expect(banned.statuses[0]).toMatchObject({ allowed: false, rule: 'banned', limit: 0 });
    expect(banned.retryAfterMs).toBe(60_000n);
    clock.advance(15_000);
    expect((await check(['ip=50.0.0.5'])).retryAfterMs).toBe(45_000n);
  });

  it('quota mode: over on its own only marks the descriptor; all quota limits over refuse', async () => {
    const fresh = await check(['model=a'], ['model=b']);
    expect(fresh.allowed).toBe(true);
    const mixed = await check(['model=a'], ['model=c']);
    expect(mixed.allowed).toBe(true);
    expect(mixed.statuses.map((s) => s.allowed)).toEqual([false, true]);
    const spent = await check(['model=a'], ['model=b']);
    expect(spent.allowed).toBe(false);
    expect(spent.retryAfterMs).toBeGreaterThan(0n);
  });

  it('counts per descriptor where detailed_metric asks, and quota-mode overs apart', async () => {
    await check(['ip=10.0.0.1']);
    await check(['ip=10.0.0.1']);
    const text = await metrics();
    expect(text).toContain(
      'ratelimit_descriptor_decisions_total{domain="edge",descriptor="ip_10.0.0.1",outcome="allowed",service="rate-limit"} 2',
    );
    expect(text).toContain(
      'ratelimit_decisions_total{domain="edge",rule="model-quota",outcome="quota_over_limit",service="rate-limit"} 3',
    );
    expect(text).toContain(
      'ratelimit_decisions_total{domain="edge",rule="banned",outcome="over_limit",service="rate-limit"} 2',
    );
    expect(text).not.toMatch(/ratelimit_descriptor_decisions_total\{[^}]*descriptor="path/);
  });

  it('logs what loads but names nothing, once, with the file', () => {
    const warnings = logs
      .lines()
      .filter((line) => line.level === 'warn')
      .map((line) => String(line.msg));
    expect(warnings).toEqual([
      'rate-limit rules: domain edge: legacy/1m replaces "retired", which no limit is named',
    ]);
  });
});
