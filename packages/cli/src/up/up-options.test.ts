import { describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error';
import { childEnv, connectHost } from './child-env';
import { serviceCatalog } from './service-catalog';
import { readUpOptions } from './up-options';

const read = (args: string[], env: Record<string, string> = {}, tty = false) =>
  readUpOptions(args, env, serviceCatalog, tty);

describe('readUpOptions', () => {
  it('starts every service with a 60 s start timeout and a 15 s stop grace by default', () => {
    const options = read([]);
    expect(options.services.map((s) => s.name)).toEqual(['auth', 'rate-limit', 'cost-budget', 'health']);
    expect(options).toMatchObject({
      help: false,
      ephemeralPorts: false,
      startTimeoutMs: 60_000,
      stopGraceMs: 15_000,
    });
  });

  it('reads --only (in catalog order), --ephemeral-ports, --timeout and --grace', () => {
    const options = read(['--only', 'health, auth', '--ephemeral-ports', '--timeout', '2.5', '--grace=1']);
    expect(options.services.map((s) => s.name)).toEqual(['auth', 'health']);
    expect(options).toMatchObject({ ephemeralPorts: true, startTimeoutMs: 2500, stopGraceMs: 1000 });
  });

  it('adds the example notes service last with --example', () => {
    expect(read(['--example']).services.map((s) => s.name)).toEqual([
      'auth',
      'rate-limit',
      'cost-budget',
      'health',
      'notes',
    ]);
    expect(read(['--only', 'auth', '--example']).services.map((s) => s.name)).toEqual(['auth', 'notes']);
  });

  it('rejects unknown services, options and bad durations with a usage error', () => {
    expect(() => read(['--only', 'auth,billing'])).toThrow(
      new UsageError('--only: unknown service "billing"; choose from auth, rate-limit, cost-budget, health'),
    );
    expect(() => read(['--verbose'])).toThrow(UsageError);
    expect(() => read(['extra'])).toThrow(UsageError);
    expect(() => read(['--timeout', 'soon'])).toThrow(
      '--timeout must be a number of seconds from 0 to 3600, got "soon"',
    );
    expect(() => read(['--grace', '0'])).toThrow(UsageError);
  });

  it('colours output on a terminal unless NO_COLOR is set, and when FORCE_COLOR is', () => {
    expect(read([], {}, true).color).toBe(true);
    expect(read([], {}, false).color).toBe(false);
    expect(read([], { NO_COLOR: '1' }, true).color).toBe(false);
    expect(read([], { FORCE_COLOR: '1' }, false).color).toBe(true);
  });
});

describe('childEnv', () => {
  const [auth, rateLimit] = serviceCatalog;

  it('passes the environment on and gives each service its default ports', () => {
    const env = { DATABASE_URL: 'postgres://db/x', GRPC_PORT: '9999', UNSET: undefined };
    expect(childEnv(auth!, env, false)).toEqual({
      DATABASE_URL: 'postgres://db/x',
      GRPC_PORT: '50051',
      OPS_PORT: '8081',
    });
    expect(childEnv(rateLimit!, env, false)).toMatchObject({ GRPC_PORT: '50052', OPS_PORT: '8082' });
  });

  it('uses GATEHOUSE_<SERVICE>_GRPC_PORT / _OPS_PORT when set, and 0 with ephemeral ports', () => {
    const env = { GATEHOUSE_RATE_LIMIT_GRPC_PORT: '6000', GATEHOUSE_RATE_LIMIT_OPS_PORT: '6001' };
    expect(childEnv(rateLimit!, env, false)).toMatchObject({ GRPC_PORT: '6000', OPS_PORT: '6001' });
    expect(childEnv(auth!, env, false)).toMatchObject({ GRPC_PORT: '50051', OPS_PORT: '8081' });
    expect(childEnv(rateLimit!, env, true)).toMatchObject({ GRPC_PORT: '0', OPS_PORT: '0' });
  });

  it('reaches a wildcard bind address through the loopback interface', () => {
    expect(connectHost(undefined)).toBe('127.0.0.1');
    expect(connectHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectHost('::')).toBe('[::1]');
    expect(connectHost('10.0.0.5')).toBe('10.0.0.5');
    expect(connectHost('fd00::1')).toBe('[fd00::1]');
  });
});
