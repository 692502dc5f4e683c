import { describe, expect, it } from 'vitest';
import { RulesError } from './rules-error';
import { readYamlDocuments } from './yaml-document';

describe('readYamlDocuments: a rules file as Envoy (Go yaml.v2) reads it', () => {
  it('takes text fields as written and other scalars as YAML 1.1', () => {
    const { documents, warnings } = readYamlDocuments(`
domain: 2026
descriptors:
  - key: on
    value: 0777
    shadow_mode: yes
    detailed_metric: Off
    rate_limit: { unit: minute, requests_per_unit: 1_000, name: 010 }
  - key: when
    value: 10:30
    rate_limit: { unit: day, requests_per_unit: 0x10 }
  - key: date
    value: 2001-12-14
    metadata: { ratio: 0.5, 1: one }
`);
    expect(warnings).toEqual([]);
    expect(documents).toEqual([
      {
        domain: '2026',
        descriptors: [
          {
            key: 'on',
            value: '0777',
            shadow_mode: true,
            detailed_metric: false,
            rate_limit: { unit: 'minute', requests_per_unit: 1000, name: '010' },
          },
          { key: 'when', value: '10:30', rate_limit: { unit: 'day', requests_per_unit: 16 } },
          { key: 'date', value: '2001-12-14', metadata: { ratio: 0.5, 1: 'one' } },
        ],
      },
    ]);
  });

  it('resolves anchors and merge keys, a map setting its own keys over merged ones', () => {
    const { documents } = readYamlDocuments(`
base: &base { unit: minute, requests_per_unit: 2 }
limit:
  <<: [*base, { name: merged, unit: hour }]
  requests_per_unit: 3
`);
    expect(documents).toEqual([
      {
        base: { unit: 'minute', requests_per_unit: 2 },
        limit: { requests_per_unit: 3, unit: 'minute', name: 'merged' },
      },
    ]);
  });

  it('keeps the last of a repeated key, with a warning naming it', () => {
    const { documents, warnings } = readYamlDocuments('domain: a\ndomain: b\n');
    expect(documents).toEqual([{ domain: 'b' }]);
    expect(warnings).toEqual(['domain: given twice, the last one is used']);
  });

  it('reads every document; empty ones are skipped', () => {
    expect(readYamlDocuments('domain: a\n---\n---\ndomain: b\n').documents).toEqual([
      { domain: 'a' },
      { domain: 'b' },
    ]);
    expect(readYamlDocuments('# only a comment\n').documents).toEqual([]);
  });

  it.each([
    ['descriptors:\n  - key: k\n    value: 1.10\n', 'descriptors[0].value: 1.10 is a floating-point number'],
    ['descriptors:\n  - key: k\n    value: 08\n', 'descriptors[0].value: 08 is a floating-point number'],
    ['descriptors:\n  - key: k\n    0.25: v\n', 'descriptors[0]: key 0.25 is not a string'],
    ['descriptors:\n  - key: k\n    n: v\n', 'descriptors[0]: key n is not a string'],
    ['descriptors: [a, b]\n', 'descriptors[0]: must be a mapping'],
    ['descriptors: [\n', 'invalid YAML'],
    ['a: &a [{ b: *a }]\n', 'a[0].b: alias *a contains itself'],
  ])('refuses %j naming the field', (text, message) => {
    expect(() => readYamlDocuments(text)).toThrow(RulesError);
    expect(() => readYamlDocuments(text)).toThrow(message);
  });

  it('bounds alias expansion', () => {
    const text = ['a0: &a0 [{ k: v }]']
      .concat(Array.from({ length: 12 }, (_, i) => `a${i + 1}: &a${i + 1} [{ p: *a${i}, q: *a${i} }]`))
      .join('\n');
    expect(() => readYamlDocuments(text)).toThrow('too many aliases');
  });
});
