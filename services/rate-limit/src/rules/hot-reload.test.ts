import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import { descriptor, startRateLimit, type RateLimitUnderTest } from '../test-support/start-rate-limit';

const rulesWith = (limit: number) => `
domain: app
descriptors:
  - key: ip
    rate_limit: { name: per-ip, unit: minute, requests_per_unit: ${limit} }
`;

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('rules hot reload', () => {
  let service: RateLimitUnderTest;
  const logs = captureLogs();

  beforeAll(async () => {
    const logger = createLogger({ service: 'rate-limit', level: 'info', destination: logs.stream });
    service = await startRateLimit({ rules: rulesWith(5), logger });
  });
  afterAll(() => service.stop());

  const list = () => service.listRules({ domain: '' });
  const limitOf = async () =>
    (await service.check({ domain: 'app', descriptors: [descriptor('ip=1')], hits: 0 })).statuses[0]?.limit;
  const metrics = async () => (await fetch(`http://127.0.0.1:${service.host.opsPort}/metrics`)).text();

  it('swaps in a changed valid config (also when written by rename, as editors and ConfigMaps do)', async () => {
    const before = await list();
    expect(await limitOf()).toBe(5);
    writeFileSync(service.rulesFile, rulesWith(7));
    expect(await eventually(limitOf, (limit) => limit === 7)).toBe(7);
    const after = await list();
    expect(after.version).not.toBe(before.version);
    expect(after.rules[0]?.requestsPerUnit).toBe(7);

    writeFileSync(`${service.rulesFile}.tmp`, rulesWith(9));
    renameSync(`${service.rulesFile}.tmp`, service.rulesFile);
    expect(await eventually(limitOf, (limit) => limit === 9)).toBe(9);
    expect(await metrics()).toMatch(/ratelimit_config_reloads_total\{result="applied"[^}]*\} [2-9]/);
  });

  it('rejects an invalid config with an error log and a metric, and keeps the rules in force', async () => {
    const version = (await list()).version;
    writeFileSync(service.rulesFile, rulesWith(9).replace('unit: minute', 'unit: fortnight'));
    const rejected = await eventually(metrics, (text) =>
      /ratelimit_config_reloads_total\{result="rejected"/.test(text),
    );
    expect(rejected).toMatch(/ratelimit_config_reloads_total\{result="rejected"[^}]*\} 1/);
    const error = logs.lines().find((line) => String(line.msg).startsWith('rate-limit rules rejected'));
    expect(error?.level).toBe('error');
    expect(String(error?.msg)).toContain('rate-limit rules rejected, previous rules stay in force');
    expect(String(error?.msg)).toContain('descriptors[0].rate_limit.unit: must be one of');
    expect((await list()).version).toBe(version);
    expect(await limitOf()).toBe(9);
    writeFileSync(service.rulesFile, 'domain: [unclosed');
    await eventually(metrics, (text) => /result="rejected"[^}]*\} 2/.test(text));
    expect(await limitOf()).toBe(9);
  });
});

describe('rules hot reload of a directory', () => {
  const domainFile = (key: string, limit: number) => `
domain: app
descriptors:
  - key: ${key}
    rate_limit: { unit: minute, requests_per_unit: ${limit} }
`;

  it('reloads a domain merged over two files when one of them changes', async () => {
    const service = await startRateLimit({
      rules: { 'a.yaml': domainFile('ip', 5), 'b.yaml': domainFile('user', 6) },
    });
    try {
      const limits = async () =>
        (
          await service.check({
            domain: 'app',
            descriptors: [descriptor('ip=1'), descriptor('user=1')],
            hits: 0,
          })
        ).statuses.map((s) => s.limit);
      expect(await limits()).toEqual([5, 6]);
      writeFileSync(join(service.rulesDir, 'b.yaml'), domainFile('user', 8));
      expect(await eventually(limits, (now) => now[1] === 8)).toEqual([5, 8]);
    } finally {
      await service.stop();
    }
  });

  it('sees a Kubernetes ConfigMap update: the `..data` symlink swapped to a new version', async () => {
    // A ConfigMap volume: rules.yaml -> ..data/rules.yaml, ..data -> ..v1; an update writes ..v2
    // and renames a new ..data link over the old one. No event names rules.yaml.
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-configmap-'));
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1', 'rules.yaml'), rulesWith(5));
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync(join('..data', 'rules.yaml'), join(dir, 'rules.yaml'));
    const service = await startRateLimit({ rules: '', env: { RATELIMIT_CONFIG: dir } });
    try {
      const limit = async () =>
        (await service.check({ domain: 'app', descriptors: [descriptor('ip=1')], hits: 0 })).statuses[0]
          ?.limit;
      expect(await limit()).toBe(5);
      mkdirSync(join(dir, '..v2'));
      writeFileSync(join(dir, '..v2', 'rules.yaml'), rulesWith(9));
      symlinkSync('..v2', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      expect(await eventually(limit, (now) => now === 9)).toBe(9);
    } finally {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
