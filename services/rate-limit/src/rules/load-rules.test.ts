import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules, parseFiles } from './load-rules';
import { matchDescriptor } from './match-descriptor';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function directory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-load-rules-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const limitOf = (text: string) => `{ unit: minute, requests_per_unit: ${text} }`;

describe('loadRules: a directory of files', () => {
  it('merges a domain across files (in name order), skipping hidden and non-YAML files', async () => {
    const dir = directory({
      'b.yaml': `domain: shop\nfailure_policy: local\ndescriptors: [{ key: cart, rate_limit: ${limitOf('2')} }]\n`,
      'a.yml': `domain: shop\ndescriptors: [{ key: user, rate_limit: ${limitOf('1')} }]\n`,
      '.b.yaml.swp': 'not: [yaml',
      'notes.txt': 'ignored',
      'c.yaml': `domain: other\n`,
    });
    const rules = await loadRules(dir, { now: () => new Date(0) });
    expect(rules.sources.map((file) => file.slice(dir.length + 1))).toEqual(['a.yml', 'b.yaml', 'c.yaml']);
    expect([...rules.domains.keys()]).toEqual(['shop', 'other']);
    const shop = rules.domains.get('shop')!;
    expect(shop.failurePolicy).toBe('local');
    expect(shop.rules.map((rule) => rule.name)).toEqual(['user/1m', 'cart/1m']);
    expect(matchDescriptor(shop, [{ key: 'cart', value: 'x' }])?.limits[0]?.requestsPerUnit).toBe(2);
    expect(rules.warnings).toEqual([]);
  });

  it('refuses a second file of a domain when merging is off, naming that file', async () => {
    const dir = directory({
      'a.yaml': 'domain: shop\n',
      'b.yaml': 'domain: shop\n',
    });
    await expect(loadRules(dir, { mergeDomains: false })).rejects.toThrow(
      `${join(dir, 'b.yaml')}: domain shop is defined twice`,
    );
    await expect(loadRules(dir)).resolves.toMatchObject({
      sources: [join(dir, 'a.yaml'), join(dir, 'b.yaml')],
    });
  });

  it('refuses two files setting different failure policies for one domain', () => {
    expect(() =>
      parseFiles([
        { file: 'a.yaml', text: 'domain: shop\nfailure_policy: local\n' },
        { file: 'b.yaml', text: 'domain: shop\nfailure_policy: fail_closed\n' },
      ]),
    ).toThrow('b.yaml: failure_policy: fail_closed here, but local in a.yaml');
  });

  it('names each warning by file and field; domain-wide ones by domain', () => {
    const { warnings } = parseFiles([
      {
        file: 'a.yaml',
        text: `domain: shop\ndescriptors:\n  - key: k\n    unit: minute\n    rate_limit: { unit: minute, requests_per_unit: 1, replaces: [{ name: ghost }] }\n`,
      },
    ]);
    expect(warnings).toEqual([
      'a.yaml: descriptors[0].unit: ignored (not a field of this block)',
      'domain shop: k/1m replaces "ghost", which no limit is named',
    ]);
  });

  it('uses the default algorithm for limits that name none', () => {
    const { domains } = parseFiles(
      [{ file: 'a.yaml', text: `domain: d\ndescriptors: [{ key: k, rate_limit: ${limitOf('1')} }]\n` }],
      {
        defaultAlgorithm: 'fixed_window',
      },
    );
    expect(domains.get('d')?.rules[0]?.algorithm).toBe('fixed_window');
  });

  it('names the path when it cannot be read', async () => {
    await expect(loadRules(join(tmpdir(), 'no-such-gatehouse-rules'))).rejects.toThrow(
      'no-such-gatehouse-rules: cannot read (ENOENT)',
    );
  });
});
