import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { authV1, ratelimitV1 } from '@gatehouse/contracts';
import { GatehouseError, readErrorDetails, toStatusObject } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../command';
import { runCaptured } from '../test-support/captured-context';
import { findCredential, credentialMetadata } from './caller-credential';
import {
  configDir,
  credentialsPath,
  deleteCredentials,
  loadCredentials,
  saveCredentials,
} from './credential-store';
import { describeCallError } from './describe-call-error';
import { readRefusalDetails } from './error-details';
import { messageJson, renderTable, toJson } from './output-format';
import { readPassword } from './read-password';
import { serviceAddress } from './service-address';

function serviceError(code: status, details: string, metadata = new Metadata()): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

describe('serviceAddress', () => {
  it('takes --addr, then GATEHOUSE_<SVC>_ADDR, then the default port', () => {
    expect(serviceAddress('auth', undefined, {})).toBe('127.0.0.1:50051');
    expect(serviceAddress('rateLimit', undefined, {})).toBe('127.0.0.1:50052');
    expect(serviceAddress('costBudget', undefined, {})).toBe('127.0.0.1:50053');
    expect(serviceAddress('health', undefined, {})).toBe('127.0.0.1:50054');
    expect(serviceAddress('costBudget', undefined, { GATEHOUSE_COST_BUDGET_ADDR: 'budget:1' })).toBe(
      'budget:1',
    );
    expect(serviceAddress('costBudget', 'here:2', { GATEHOUSE_COST_BUDGET_ADDR: 'budget:1' })).toBe('here:2');
  });
});

describe('credentials', () => {
  const stored = {
    email: 'a@b.c',
    accessToken: 'h.p.s',
    refreshToken: 'r.r.r',
    expiresAt: '2026-01-01T00:00:00.000Z',
    authAddress: '127.0.0.1:50051',
  };

  it('lives in $XDG_CONFIG_HOME/gatehouse, else ~/.config/gatehouse', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x', HOME: '/home/u' })).toBe('/x/gatehouse');
    expect(credentialsPath({ HOME: '/home/u' })).toBe('/home/u/.config/gatehouse/credentials.json');
    expect(() => configDir({})).toThrow('set XDG_CONFIG_HOME or HOME');
  });

  it('is written 0600 in a 0700 directory, read back and deleted', () => {
    const home = mkdtempSync(join(tmpdir(), 'gatehouse-cred-'));
    try {
      const env = { XDG_CONFIG_HOME: home };
      const path = saveCredentials(env, stored);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, 'gatehouse')).mode & 0o777).toBe(0o700);
      expect(loadCredentials(env)).toEqual(stored);
      expect(findCredential(undefined, env)).toEqual({ value: 'h.p.s', source: 'login' });
      expect(findCredential(undefined, { ...env, GATEHOUSE_TOKEN: 'e.n.v' })?.source).toBe('GATEHOUSE_TOKEN');
      expect(findCredential('f.l.g', { ...env, GATEHOUSE_TOKEN: 'e.n.v' })?.source).toBe('--token');
      expect(deleteCredentials(env)).toBe(true);
      expect(loadCredentials(env)).toBeUndefined();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('sends a JWT as a bearer token and anything else as an API key', () => {
    expect(credentialMetadata({ value: 'a.b.c', source: '--token' }).get('authorization')).toEqual([
      'Bearer a.b.c',
    ]);
    expect(credentialMetadata({ value: 'gh_live_x', source: '--token' }).get('x-api-key')).toEqual([
      'gh_live_x',
    ]);
  });
});

describe('describeCallError', () => {
  it('names the unreachable address and how to start the cluster', () => {
    const error = serviceError(
      status.UNAVAILABLE,
      'No connection established. Last error: connect ECONNREFUSED. Resolution note: ',
    );
    expect(describeCallError(error, 'rateLimit', '127.0.0.1:50052')).toBe(
      'cannot reach the rate-limit service at 127.0.0.1:50052 (UNAVAILABLE: No connection established. ' +
        'Last error: connect ECONNREFUSED.)\n' +
        '  Is the cluster running? Start it with `npm start`, or point --addr / GATEHOUSE_RATE_LIMIT_ADDR at it.',
    );
  });

  it('prints the code, message, reason, field and retry time of a refusal', () => {
    const sent = toStatusObject(
      new GatehouseError('INVALID_ARGUMENT', 'email: must be an email address', {
        reason: 'INVALID_FIELD',
        field: 'email',
      }),
    );
    const error = serviceError(sent.code, sent.details, sent.metadata ?? new Metadata());
    expect(describeCallError(error, 'auth', 'x:1')).toBe(
      'INVALID_ARGUMENT: email: must be an email address\n  reason: INVALID_FIELD\n  field: email',
    );
    expect(readRefusalDetails(sent.metadata ?? undefined)).toEqual(
      readErrorDetails(sent.metadata ?? undefined),
    );
  });

  it('tells an unauthenticated caller to log in again', () => {
    expect(describeCallError(serviceError(status.UNAUTHENTICATED, 'token expired'), 'auth', 'x:1')).toBe(
      'UNAUTHENTICATED: token expired\n  Log in again with `gatehouse login`, or pass a valid --token / GATEHOUSE_TOKEN.',
    );
  });
});

describe('output', () => {
  it('renders aligned tables without trailing spaces', () => {
    expect(
      renderTable(
        ['A', 'LONG NAME', 'C'],
        [
          ['xyz', 'b', ''],
          ['1', '2', '3'],
        ],
      ),
    ).toBe('A    LONG NAME  C\nxyz  b\n1    2          3\n');
  });

  it('prints bigint as strings in JSON', () => {
    expect(toJson({ micros: 5_000_000n })).toBe('{\n  "micros": "5000000"\n}\n');
  });

  it('keeps default values in message JSON, with enum names and ISO times', () => {
    const response: ratelimitV1.CheckLimitResponse = {
      allowed: true,
      statuses: [],
      limit: 2,
      remaining: 0,
      resetAfterMs: 60000n,
      retryAfterMs: 0n,
      fallback: false,
      anomalyScore: 0,
    };
    expect(messageJson(ratelimitV1.CheckLimitResponse, response)).toEqual({
      allowed: true,
      statuses: [],
      limit: 2,
      remaining: 0,
      resetAfterMs: '60000',
      retryAfterMs: '0',
      fallback: false,
      anomalyScore: 0,
    });
    const principal = authV1.Principal.fromPartial({
      subject: 'u1',
      kind: authV1.PrincipalKind.PRINCIPAL_KIND_USER,
      expiresAt: new Date('2026-01-02T03:04:05Z'),
    });
    expect(messageJson(authV1.Principal, principal)).toMatchObject({
      subject: 'u1',
      kind: 'PRINCIPAL_KIND_USER',
      roles: [],
      expiresAt: '2026-01-02T03:04:05.000Z',
    });
  });
});

describe('readPassword', () => {
  const context = (env: Record<string, string>, stdin?: string) =>
    ({ env, stdin: stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]) }) as CliContext;

  it('reads one line from stdin, else GATEHOUSE_PASSWORD', async () => {
    expect(await readPassword(true, context({}, 'S3cret!\n'))).toBe('S3cret!');
    expect(await readPassword(false, context({ GATEHOUSE_PASSWORD: 'fromEnv' }))).toBe('fromEnv');
    await expect(readPassword(false, context({}))).rejects.toThrow(
      '--password-stdin or set GATEHOUSE_PASSWORD',
    );
  });
});

describe('command lines', () => {
  it('exits 2 with the usage on an unknown option, 0 with --help on stdout', async () => {
    const bad = await runCaptured(['health', '--bogus'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^gatehouse health: Unknown option '--bogus'/);
    const help = await runCaptured(['health', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: gatehouse health/);
    expect(help.stdout).toContain(
      '--addr <host:port>   the health service (default $GATEHOUSE_HEALTH_ADDR or 127.0.0.1:50054)',
    );
  });

  it('lists a group with --help and refuses an unknown subcommand with 2', async () => {
    const help = await runCaptured(['keys', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(
      'Usage: gatehouse keys <command> [options]\n\nCreate, list and revoke API keys.\n\nCommands:\n' +
        '  create  create an API key (shown once)\n  list    list API keys\n' +
        '  revoke  revoke an API key (refused everywhere within 1 s)\n\n' +
        'Run `gatehouse keys <command> --help` for its options.\n',
    );
    const unknown = await runCaptured(['keys', 'rename'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^gatehouse keys: unknown command "rename"\n/);
  });

  it('has --help on every subcommand', async () => {
    for (const argv of [
      ['login'],
      ['logout'],
      ['users', 'create'],
      ['users', 'list'],
      ['users', 'set-role'],
      ['users', 'set-tier'],
      ['users', 'disable'],
      ['users', 'enable'],
      ['keys', 'create'],
      ['keys', 'list'],
      ['keys', 'revoke'],
      ['signing-keys', 'rotate'],
      ['limits', 'check'],
      ['limits', 'status'],
      ['limits', 'rules'],
      ['limits', 'reset'],
      ['budgets', 'set'],
      ['budgets', 'get'],
      ['budgets', 'list'],
      ['budgets', 'verify'],
      ['token', 'decode'],
      ['token', 'verify'],
    ]) {
      const run = await runCaptured([...argv, '--help'], {});
      expect(run.code, argv.join(' ')).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: gatehouse ${argv.join(' ')}`));
    }
  });

  it('refuses a missing positional argument and a password flag value with exit 2', async () => {
    expect((await runCaptured(['keys', 'revoke'], {})).code).toBe(2);
    const login = await runCaptured(['login', '--email', 'a@b.c', '--password', 'secret'], {});
    expect(login.code).toBe(2);
    expect(login.stderr).toContain("Unknown option '--password'");
  });
});
