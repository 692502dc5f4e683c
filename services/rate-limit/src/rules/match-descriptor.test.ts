import { describe, expect, it } from 'vitest';
import { parseFile } from './load-rules';
import { matchDescriptor } from './match-descriptor';

const entries = (...pairs: string[]) =>
  pairs.map((pair) => {
    const at = pair.indexOf('=');
    return { key: pair.slice(0, at), value: pair.slice(at + 1) };
  });

function domainOf(text: string) {
  const [domain] = parseFile('rules.yaml', text);
  if (domain === undefined) throw new Error('no domain');
  return domain;
}

describe('matchDescriptor: wildcards', () => {
  const domain = domainOf(`
domain: d
descriptors:
  - { key: k, rate_limit: { name: key-only, unit: minute, requests_per_unit: 1 } }
  - { key: k, value: ab*, rate_limit: { name: ab-star, unit: minute, requests_per_unit: 2 } }
  - { key: k, value: a*, rate_limit: { name: a-star, unit: minute, requests_per_unit: 3 } }
  - { key: k, value: abc, rate_limit: { name: exact, unit: minute, requests_per_unit: 4 } }
  - key: tier
    value: gold
    descriptors:
      - key: user
        value: u*
        rate_limit: { name: gold-wild-user, unit: minute, requests_per_unit: 5 }
  - key: user
    value: u*
    rate_limit: { name: wild-user, unit: minute, requests_per_unit: 6 }
    tiers:
      premium: { rate_limit: { name: wild-user-premium, unit: minute, requests_per_unit: 7 } }
`);
  const nameOf = (...pairs: string[]) => matchDescriptor(domain, entries(...pairs))?.limits[0]?.name;

  it('takes the exact value, then the first wildcard in file order, then the key alone', () => {
    expect([nameOf('k=abc'), nameOf('k=abd'), nameOf('k=ax'), nameOf('k=b')]).toEqual([
      'exact',
      'ab-star',
      'a-star',
      'key-only',
    ]);
    expect(matchDescriptor(domain, entries('k=abd'))?.descriptorPath).toBe('k=ab*');
  });

  it('works with the Gatehouse tiers: a tier node, and the tiers map of a wildcard node', () => {
    expect(nameOf('tier=gold', 'user=u1')).toBe('gold-wild-user');
    expect(nameOf('user=u1', 'tier=premium')).toBe('wild-user-premium');
    expect(nameOf('user=u1', 'tier=free')).toBe('wild-user');
    expect(nameOf('user=x1')).toBeUndefined();
  });

  it('an unshared wildcard counts per value: no counter entries of its own', () => {
    expect(matchDescriptor(domain, entries('k=abd'))?.counterEntries).toBeUndefined();
  });
});

describe('matchDescriptor: share_threshold counters and Envoy stats keys', () => {
  const domain = domainOf(`
domain: d
descriptors:
  - key: files
    value: files/*
    share_threshold: true
    rate_limit: { unit: hour, requests_per_unit: 10 }
  - key: route
    value: api/*
    share_threshold: true
    value_to_metric: true
    descriptors:
      - key: method
        rate_limit: { unit: minute, requests_per_unit: 60 }
  - key: key1
    detailed_metric: true
    rate_limit: { unit: minute, requests_per_unit: 10 }
  - key: key1
    value: value1
    rate_limit: { unit: minute, requests_per_unit: 20 }
  - key: user
    value_to_metric: true
    descriptors:
      - key: action
        value: read*
        value_to_metric: true
        descriptors:
          - key: resource
            rate_limit: { unit: minute, requests_per_unit: 100 }
  - key: plain
    rate_limit: { unit: minute, requests_per_unit: 1 }
`);
  const match = (...pairs: string[]) => matchDescriptor(domain, entries(...pairs));

  it('a shared wildcard puts its pattern in place of the value, at any depth', () => {
    expect(match('files=files/a.pdf')?.counterEntries).toEqual(entries('files=files/*'));
    expect(match('route=api/v1', 'method=GET')?.counterEntries).toEqual(entries('route=api/*', 'method=GET'));
  });

  it('names the stats key as Envoy does', () => {
    // README, Example 8: detailed_metric names the unspecified value; an explicit value is named anyway.
    expect(match('key1=unspecified_value')?.metricKey).toBe('key1_unspecified_value');
    expect(match('key1=value1')?.metricKey).toBeUndefined();
    // Example 10: value_to_metric names runtime values, a wildcard's in full.
    expect(match('user=alice', 'action=readfile', 'resource=documents')?.metricKey).toBe(
      'user_alice.action_readfile.resource',
    );
    // Example 11: with share_threshold the wildcard stays a pattern.
    expect(match('route=api/v1', 'method=GET')?.metricKey).toBe('route_api/*.method');
    // No flag: no per-descriptor key (the rule's own metrics suffice).
    expect(match('plain=x')?.metricKey).toBeUndefined();
    expect(match('files=files/a.pdf')?.metricKey).toBeUndefined();
  });
});
