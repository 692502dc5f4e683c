import { budgetV1, healthV1, ratelimitV1 } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { renderBudgetState } from './budgets/budgets-command';
import { formatUsd, parseMicros, parseUsd } from './budgets/money';
import { formatScope, parsePeriod, parseScope } from './budgets/scope-argument';
import { renderClusterHealth } from './health/health-command';
import { formatDescriptor, parseDescriptor } from './limits/descriptor-argument';
import { renderStatuses } from './limits/limits-command';
import { decodeJwt, renderDecodedJwt } from './token/decode-jwt';

describe('limits arguments', () => {
  it('parses key=value,key=value in order', () => {
    expect(parseDescriptor('user=42,tier=free')).toEqual({
      entries: [
        { key: 'user', value: '42' },
        { key: 'tier', value: 'free' },
      ],
      limit: undefined,
    });
    expect(parseDescriptor('path=a=b').entries).toEqual([{ key: 'path', value: 'a=b' }]);
    expect(formatDescriptor(parseDescriptor('user=42,tier=free'))).toBe('user=42,tier=free');
    expect(() => parseDescriptor('user')).toThrow('--descriptor must be key=value[,key=value…], got "user"');
  });

  it('renders one row per descriptor', () => {
    const status: ratelimitV1.DescriptorStatus = {
      ...ratelimitV1.DescriptorStatus.fromPartial({}),
      allowed: false,
      limit: 30,
      remaining: 0,
      resetAfterMs: 60000n,
      retryAfterMs: 2000n,
      rule: 'user-free-per-minute',
    };
    expect(renderStatuses([parseDescriptor('user=42,tier=free')], [status])).toBe(
      'DESCRIPTOR         ALLOWED  LIMIT  REMAINING  RESET MS  RETRY MS  RULE\n' +
        'user=42,tier=free  no       30     0          60000     2000      user-free-per-minute\n',
    );
  });
});

describe('money and scopes', () => {
  it('converts dollars to micros exactly and back', () => {
    expect(parseUsd('5')).toBe(5_000_000n);
    expect(parseUsd('0.25')).toBe(250_000n);
    expect(parseUsd('$12.345678')).toBe(12_345_678n);
    expect(parseUsd('0.1')).toBe(100_000n);
    expect(() => parseUsd('1.2345678')).toThrow('at most 6 decimals');
    expect(() => parseUsd('-1')).toThrow();
    expect(parseMicros('1200')).toBe(1200n);
    expect(formatUsd(5_000_000n)).toBe('$5.00');
    expect(formatUsd(1_234_567n)).toBe('$1.234567');
    expect(formatUsd(1_500_000n)).toBe('$1.50');
    expect(formatUsd(1200n)).toBe('$0.0012');
    expect(formatUsd(9_223_372_036_854_775_807n)).toBe('$9223372036854.775807');
  });

  it('parses scopes and periods', () => {
    expect(parseScope('user:42')).toEqual({ kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id: '42' });
    expect(parseScope('api-key:key_1')).toEqual({ kind: budgetV1.ScopeKind.SCOPE_KIND_API_KEY, id: 'key_1' });
    expect(parseScope('global')).toEqual({ kind: budgetV1.ScopeKind.SCOPE_KIND_GLOBAL, id: '' });
    expect(formatScope(parseScope('team:search'))).toBe('team:search');
    expect(() => parseScope('org:1')).toThrow('a scope is global, user:<id>, team:<id> or api-key:<key id>');
    expect(parsePeriod('monthly')).toBe(budgetV1.Period.PERIOD_MONTHLY);
    expect(() => parsePeriod('yearly')).toThrow('--period is one of hourly, daily, weekly, monthly, total');
  });

  it('renders a budget state', () => {
    const state = budgetV1.GetBudgetResponse.fromPartial({
      scope: { kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id: '42' },
      limitMicros: 5_000_000n,
      spentMicros: 1_250_000n,
      reservedMicros: 500_000n,
      remainingMicros: 3_250_000n,
      period: budgetV1.Period.PERIOD_DAILY,
      resetsAt: new Date('2026-11-23T00:00:00Z'),
      periodStartedAt: new Date('2026-11-22T00:00:00Z'),
      explicit: false,
    });
    expect(renderBudgetState(state)).toBe(
      [
        'scope:          user:42',
        'limit:          $5.00 (default)',
        'period:         daily',
        'spent:          $1.25',
        'reserved:       $0.50',
        'remaining:      $3.25',
        'period started: 2026-11-22T00:00:00Z',
        'resets at:      2026-11-23T00:00:00Z',
        '',
      ].join('\n'),
    );
  });
});

describe('health view', () => {
  it('prints the cluster status and one row per component', () => {
    const health = healthV1.GetClusterHealthResponse.fromPartial({
      status: healthV1.HealthStatus.HEALTH_STATUS_DEGRADED,
      checkedAt: new Date('2026-11-22T12:00:00Z'),
      components: [
        {
          name: 'auth',
          kind: 'grpc',
          status: healthV1.HealthStatus.HEALTH_STATUS_SERVING,
          latencyMs: 1.234,
          critical: true,
          since: new Date('2026-11-22T11:00:00Z'),
        },
        {
          name: 'redis',
          kind: 'redis',
          status: healthV1.HealthStatus.HEALTH_STATUS_NOT_SERVING,
          latencyMs: 500,
          detail: 'Connection is closed.',
          since: new Date('2026-11-22T11:59:00Z'),
        },
      ],
    });
    expect(renderClusterHealth(health)).toBe(
      'cluster: DEGRADED (checked 2026-11-22T12:00:00Z)\n\n' +
        'COMPONENT  KIND   STATUS       CRITICAL  LATENCY   SINCE                 DETAIL\n' +
        'auth       grpc   SERVING      yes       1.2 ms    2026-11-22T11:00:00Z  -\n' +
        'redis      redis  NOT_SERVING  no        500.0 ms  2026-11-22T11:59:00Z  Connection is closed.\n',
    );
  });
});

describe('token decode', () => {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${part({ alg: 'RS256', kid: 'key-0001', typ: 'at+jwt' })}.${part({ sub: 'u1', exp: 1700000000 })}.sig`;

  it('decodes header and claims without verifying', () => {
    expect(decodeJwt(token)).toEqual({
      header: { alg: 'RS256', kid: 'key-0001', typ: 'at+jwt' },
      claims: { sub: 'u1', exp: 1700000000 },
    });
    expect(renderDecodedJwt(decodeJwt(token), new Date('2026-01-01T00:00:00Z'))).toBe(
      'header:\n  alg: RS256\n  kid: key-0001\n  typ: at+jwt\nclaims:\n  sub: u1\n' +
        '  exp: 1700000000 (2023-11-14T22:13:20Z) expired\n' +
        '(decoded only: the signature was not checked; use `gatehouse token verify`)\n',
    );
  });

  it('says what is wrong with a malformed token', () => {
    expect(() => decodeJwt('abc')).toThrow('not a JWT: expected three dot-separated parts, got 1');
    expect(() => decodeJwt('a!.b.c')).toThrow('not a JWT: the header is not base64url');
    expect(() => decodeJwt(`${part({ a: 1 })}.bm90IGpzb24.c`)).toThrow('not a JWT: the claims is not JSON');
  });
});
