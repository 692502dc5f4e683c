import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const mainOf = (service: string) =>
  fileURLToPath(new URL(`../../services/${service}/dist/main.js`, import.meta.url));

function runWithEnv(service: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [mainOf(service)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
}

// The built service entry points, as operators run them: a bad setting stops the process before
// it listens, with exit status 78 and the variable named.
describe('a service started with bad configuration', () => {
  it.each(['auth', 'rate-limit', 'cost-budget', 'health'])('%s refuses GRPC_PORT=abc', (service) => {
    const result = runWithEnv(service, { GRPC_PORT: 'abc' });
    expect(result.status).toBe(78);
    expect(result.stderr).toBe(
      `gatehouse-${service}: invalid configuration:\n  GRPC_PORT: must be an integer from 0 to 65535, got "abc"\n`,
    );
  });

  it('names a malformed DATABASE_URL without printing its password', () => {
    const result = runWithEnv('auth', { DATABASE_URL: 'postgres//admin:hunter2@db:5432/gatehouse' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL with a host');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('lists every problem at once', () => {
    const result = runWithEnv('cost-budget', {
      OPS_PORT: '-1',
      LOG_LEVEL: 'chatty',
      REDIS_URL: 'http://cache',
    });
    expect(result.status).toBe(78);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('  '))).toEqual([
      '  OPS_PORT: must be an integer from 0 to 65535, got "-1"',
      '  REDIS_URL: must be a redis:// or rediss:// URL with a host, got "http://cache"',
      '  LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "chatty"',
    ]);
  });
});
