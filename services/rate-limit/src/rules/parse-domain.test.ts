import { describe, expect, it } from 'vitest';
import { parseFile } from './load-rules';
import { matchDescriptor } from './match-descriptor';
import { parseDomain } from './parse-domain';
import { RulesError } from './rules-error';

const entries = (...pairs: string[]) =>
  pairs.map((pair) => {
    const [key = '', value = ''] = pair.split('=');
    return { key, value };
  });

describe('parseDomain (Envoy ratelimit format + extensions)', () => {
  it('reads an unchanged Envoy config: nesting, values, units, shadow mode, replaces, unlimited', () => {
    const [domain] = parseFile(
      'envoy.yaml',
      `
domain: edge_proxy_per_ip
descriptors:
  - key: remote_address
    rate_limit:
      unit: second
      requests_per_unit: 10
  - key: remote_address
    value: 50.0.0.5
    rate_limit:
      name: bad-ip
      unit: second
      requests_per_unit: 1
      replaces:
        - name: unknown-ip
  - key: path
    value: /health
    rate_limit: { unlimited: true }
  - key: key1
    value: value1
    descriptors:
      - key: subkey1
        shadow_mode: true
        detailed_metric: true
        rate_limit: { name: unknown-ip, unit: week, requests_per_unit: 100 }
`,
    );
    expect(
      domain?.rules.map((r) => [r.name, r.descriptorPath, r.requestsPerUnit, r.windowMs, r.shadowMode]),
    ).toEqual([
      ['remote_address/1s', 'remote_address', 10, 1000, false],
      ['bad-ip', 'remote_address=50.0.0.5', 1, 1000, false],
      ['path=/health/unlimited', 'path=/health', 0, 0, false],
      ['unknown-ip', 'key1=value1/subkey1', 100, 604_800_000, true],
    ]);
    expect(domain?.rules[1]?.replaces).toEqual(['unknown-ip']);
  });

  it('reads the extensions: window, algorithm, burst, several limits, tiers map, anomaly opt-in, policy', () => {
    const domain = parseDomain({
      domain: 'x',
      failure_policy: 'local',
      descriptors: [
        {
          key: 'user',
          rate_limits: [
            { window: '90s', requests_per_unit: 60 },
            {
              algorithm: 'token_bucket',
              unit: 'hour',
              requests_per_unit: 1000,
              burst: 50,
              deny_on_anomaly: true,
            },
          ],
          tiers: {
            premium: { rate_limit: { algorithm: 'fixed_window', unit: 'minute', requests_per_unit: 600 } },
          },
        },
        { key: 'job', rate_limit: { algorithm: 'concurrency', window: '30s', requests_per_unit: 4 } },
      ],
    });
    expect(domain.failurePolicy).toBe('local');
    expect(
      domain.rules.map((r) => [r.name, r.algorithm, r.windowMs, r.burst, r.tier, r.denyOnAnomaly]),
    ).toEqual([
      ['user/90s', 'sliding_window', 90_000, 0, '', false],
      ['user/1h', 'token_bucket', 3_600_000, 50, '', true],
      ['user@premium/1m', 'fixed_window', 60_000, 0, 'premium', false],
      ['job/30s', 'concurrency', 30_000, 0, '', false],
    ]);
  });

  it.each([
    [{ descriptors: [] }, 'domain: required'],
    [{ domain: 'x', descriptors: [{ value: 'v' }] }, 'descriptors[0].key: required'],
    [
      { domain: 'x', descriptors: [{ key: 'k', rate_limit: { unit: 'fortnight', requests_per_unit: 1 } }] },
      'descriptors[0].rate_limit.unit: must be one of',
    ],
    [
      { domain: 'x', descriptors: [{ key: 'k', rate_limit: { unit: 'second', requests_per_unit: -1 } }] },
      'descriptors[0].rate_limit.requests_per_unit: must be an integer from 0 to 4294967295',
    ],
    [
      {
        domain: 'x',
        descriptors: [{ key: 'k', rate_limit: { unit: 'second', requests_per_unit: 4_294_967_296 } }],
      },
      'descriptors[0].rate_limit.requests_per_unit: must be an integer from 0 to 4294967295',
    ],
    [
      {
        domain: 'x',
        descriptors: [{ key: 'k', rate_limit: { unit: 'second', requests_per_unit: 1, burst: 2 } }],
      },
      'only token_bucket',
    ],
    [
      { domain: 'x', descriptors: [{ key: 'k', rate_limit: { window: 'soon', requests_per_unit: 1 } }] },
      'rate_limit.window',
    ],
    [
      {
        domain: 'x',
        descriptors: [{ key: 'k', rate_limit: { unit: 'second', requests_per_unit: 1, algoritm: 'x' } }],
      },
      'rate_limit.algoritm: unknown field',
    ],
    [{ domain: 'x', descriptors: [{ key: 'k' }, { key: 'k' }] }, 'descriptors[1]: duplicate descriptor k'],
    [{ domain: 'x', failure_policy: 'maybe' }, 'failure_policy: must be one of'],
    [
      {
        domain: 'x',
        descriptors: [
          {
            key: 'k',
            rate_limit: { name: 'me', unit: 'second', requests_per_unit: 1, replaces: [{ name: 'me' }] },
          },
        ],
      },
      `descriptors[0].rate_limit.replaces[0].name: "me" is this limit's own name`,
    ],
  ])('rejects %j naming the field', (document, message) => {
    expect(() => parseDomain(document)).toThrow(RulesError);
    expect(() => parseDomain(document)).toThrow(message);
  });

  it('names the file in YAML errors', () => {
    expect(() => parseFile('bad.yaml', 'domain: [oops')).toThrow(/^bad\.yaml: invalid YAML/);
  });
});

describe('matchDescriptor: most specific wins', () => {
  const domain = parseDomain({
    domain: 'd',
    descriptors: [
      { key: 'method', rate_limit: { unit: 'minute', requests_per_unit: 20 } },
      { key: 'method', value: 'chat', rate_limit: { unit: 'minute', requests_per_unit: 10 } },
      {
        key: 'user',
        rate_limit: { unit: 'minute', requests_per_unit: 30 },
        tiers: { premium: { rate_limit: { unit: 'minute', requests_per_unit: 300 } } },
        descriptors: [
          { key: 'method', value: 'voice', rate_limit: { unit: 'minute', requests_per_unit: 5 } },
        ],
      },
      { key: 'bare' },
    ],
  });
  const limitOf = (...pairs: string[]) =>
    matchDescriptor(domain, entries(...pairs))?.limits[0]?.requestsPerUnit;

  it('prefers key=value over key, walks nested entries, and uses the tiers map', () => {
    expect(limitOf('method=chat')).toBe(10);
    expect(limitOf('method=other')).toBe(20);
    expect(limitOf('user=1')).toBe(30);
    expect(limitOf('user=1', 'tier=premium')).toBe(300);
    expect(limitOf('tier=premium', 'user=1')).toBe(300);
    expect(limitOf('user=1', 'tier=unknown')).toBe(30);
    expect(limitOf('user=1', 'method=voice')).toBe(5);
  });

  it('matches nothing for unknown paths, partial paths past the tree, or nodes without limits', () => {
    expect(limitOf('nope=1')).toBeUndefined();
    expect(limitOf('user=1', 'method=chat')).toBeUndefined();
    expect(limitOf('bare=1')).toBeUndefined();
  });
});
