import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type ServiceHost } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type StartedAuth } from '../../../services/auth/src/test-support/start-auth';
import {
  startBudgetTestService,
  type BudgetTestService,
} from '../../../services/cost-budget/src/test-support/budget-test-service';
import { startHealthApp } from '../../../services/health/src/app';
import { readHealthConfig } from '../../../services/health/src/config';
import {
  startRateLimit,
  type RateLimitUnderTest,
} from '../../../services/rate-limit/src/test-support/start-rate-limit';
import type { Env } from './command';
import { runCaptured } from './test-support/captured-context';

const adminEmail = 'admin@cli.test';
const adminPassword = 'Adm1n-Passw0rd-For-Cli!';
const rules = `
domain: cli
descriptors:
  - key: user
    rate_limit:
      unit: minute
      requests_per_unit: 2
`;

let auth: StartedAuth;
let rateLimit: RateLimitUnderTest;
let budget: BudgetTestService;
let health: ServiceHost;
let configHome: string;
let env: Env;

beforeAll(async () => {
  auth = await startAuth({
    backend: 'embedded',
    env: { GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: adminEmail, GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: adminPassword },
  });
  rateLimit = await startRateLimit({ rules, env: { RATELIMIT_AUTH_ADDR: auth.address } });
  budget = await startBudgetTestService({ backend: 'embedded', authAddress: auth.address });
  health = await startHealthApp(
    readHealthConfig({
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      OPS_HOST: '127.0.0.1',
      OPS_PORT: '0',
      LOG_LEVEL: 'silent',
      HEALTH_POLL_INTERVAL_MS: '100',
      HEALTH_PROBE_TIMEOUT_MS: '1000',
      HEALTH_AUTH_ADDR: auth.address,
      HEALTH_AUTH_OPS_URL: `http://127.0.0.1:${auth.service.host.opsPort}`,
      HEALTH_RATE_LIMIT_ADDR: rateLimit.address,
      HEALTH_RATE_LIMIT_OPS_URL: `http://127.0.0.1:${rateLimit.host.opsPort}`,
      HEALTH_COST_BUDGET_ADDR: `127.0.0.1:${budget.service.host.grpcPort}`,
      HEALTH_COST_BUDGET_OPS_URL: `http://127.0.0.1:${budget.service.host.opsPort}`,
    }),
    createLogger({ service: 'health', level: 'silent' }),
  );
  configHome = mkdtempSync(join(tmpdir(), 'gatehouse-cli-config-'));
  env = {
    XDG_CONFIG_HOME: configHome,
    GATEHOUSE_AUTH_ADDR: auth.address,
    GATEHOUSE_RATE_LIMIT_ADDR: rateLimit.address,
    GATEHOUSE_COST_BUDGET_ADDR: `127.0.0.1:${budget.service.host.grpcPort}`,
    GATEHOUSE_HEALTH_ADDR: `127.0.0.1:${health.grpcPort}`,
  };
}, 60_000);

afterAll(async () => {
  await health?.shutdown();
  await budget?.stop();
  await rateLimit?.stop();
  await auth?.stop();
  if (configHome !== undefined) rmSync(configHome, { recursive: true, force: true });
});

const gatehouse = (args: string[], extraEnv: Env = {}, stdin?: string) =>
  runCaptured(args, { ...env, ...extraEnv }, stdin);

describe('gatehouse against the real services', () => {
  it('says which address is unreachable and how to start the cluster, exit 1', async () => {
    const run = await gatehouse(['health', '--addr', '127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('gatehouse health: cannot reach the health service at 127.0.0.1:1');
    expect(run.stderr).toContain('Start it with `npm start`');
  });

  it('says to log in when an admin command has no credential', async () => {
    const run = await gatehouse(['users', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('run `gatehouse login');
  });

  it('logs in with the password on stdin and stores the tokens 0600', async () => {
    const run = await gatehouse(
      ['login', '--email', adminEmail, '--password-stdin'],
      {},
      `${adminPassword}\n`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const path = join(configHome, 'gatehouse', 'credentials.json');
    expect(run.stdout).toContain(`Logged in as ${adminEmail}. Credentials saved to ${path}`);
    expect(run.stdout).not.toContain(adminPassword);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a wrong password with the gRPC code and message', async () => {
    const run = await gatehouse(['login', '--email', adminEmail], { GATEHOUSE_PASSWORD: 'Wrong-Passw0rd!' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('gatehouse login: UNAUTHENTICATED: invalid email or password');
  });

  it('creates and lists users', async () => {
    const created = await gatehouse(
      ['users', 'create', '--email', 'ann@cli.test', '--name', 'Ann', '--tier', 'premium', '--json'],
      { GATEHOUSE_PASSWORD: 'Corr3ct-Horse-Battery!' },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'ann@cli.test', tier: 'premium' });
    const listed = await gatehouse(['users', 'list', '--json']);
    expect(listed.code).toBe(0);
    const users = JSON.parse(listed.stdout) as { email: string }[];
    expect(users.map((user) => user.email).sort()).toEqual([adminEmail, 'ann@cli.test']);
    const table = await gatehouse(['users', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^USER ID +EMAIL +NAME +ROLES +TIER +DISABLED +CREATED$/);
  });

  it('names a user created without --name after the email, before the @', async () => {
    const created = await gatehouse(
      ['users', 'create', '--email', 'bob@cli.test', '--tier', 'free', '--json'],
      {
        GATEHOUSE_PASSWORD: 'Corr3ct-Horse-Battery!',
      },
    );
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'bob@cli.test', displayName: 'bob' });
  });

  it('reports a refused call with its reason and field', async () => {
    const run = await gatehouse(['users', 'create', '--email', 'not-an-email'], { GATEHOUSE_PASSWORD: 'x' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^gatehouse users create: INVALID_ARGUMENT: /);
    expect(run.stderr).toMatch(/field: (email|password)/);
  });

  it('creates, lists and revokes an API key, which then fails verification', async () => {
    const created = await gatehouse(['keys', 'create', '--name', 'ci', '--scope', 'notes:read', '--json']);
    expect(created.code).toBe(0);
    const { keyId, apiKey } = JSON.parse(created.stdout) as { keyId: string; apiKey: string };
    expect(apiKey).toMatch(/^gh_live_/);
    const listed = await gatehouse(['keys', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { keyId: string }[]).map((key) => key.keyId)).toContain(keyId);
    const verified = await gatehouse(['token', 'verify', apiKey]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('kind:       API_KEY');
    const revoked = await gatehouse(['keys', 'revoke', keyId]);
    expect(revoked.stdout).toBe(`Revoked API key ${keyId}.\n`);
    const refused = await gatehouse(['token', 'verify', apiKey]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('UNAUTHENTICATED');
    expect(refused.stderr).toContain('reason: API_KEY_REVOKED');
  });

  it('checks limits until refused, exit 1 with the retry time', async () => {
    const args = ['limits', 'check', '--domain', 'cli', '--descriptor', 'user=42'];
    expect((await gatehouse(args)).code).toBe(0);
    const second = await gatehouse([...args, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ allowed: true, remaining: 0, limit: 2 });
    const third = await gatehouse(args);
    expect(third.code).toBe(1);
    expect(third.stdout).toMatch(/^over the limit: retry after \d+ ms\n/);
    const rulesRun = await gatehouse(['limits', 'rules', '--json']);
    expect(rulesRun.code).toBe(0);
  });

  it('resets a limit with the stored admin login; refuses a bad credential', async () => {
    const reset = await gatehouse(['limits', 'reset', '--domain', 'cli', '--descriptor', 'user=42']);
    expect(reset.stderr).toBe('');
    expect(reset.stdout).toBe('Reset user=42 in cli: 1 counter removed.\n');
    expect((await gatehouse(['limits', 'check', '--domain', 'cli', '--descriptor', 'user=42'])).code).toBe(0);
    const refused = await gatehouse(['limits', 'reset', '--domain', 'cli', '--descriptor', 'user=42'], {
      GATEHOUSE_TOKEN: 'not-a-credential',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('UNAUTHENTICATED');
  });

  it('sets and reads a budget in dollars, int64 as strings in JSON', async () => {
    const set = await gatehouse([
      'budgets',
      'set',
      '--scope',
      'team:search',
      '--limit-usd',
      '5',
      '--period',
      'daily',
    ]);
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe('Budget of team:search set to $5.00 daily.\n');
    const got = await gatehouse(['budgets', 'get', '--scope', 'team:search', '--json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ limitMicros: '5000000', period: 'PERIOD_DAILY' });
    const human = await gatehouse(['budgets', 'get', '--scope', 'team:search']);
    expect(human.stdout).toContain('limit:          $5.00\n');
    const listed = await gatehouse(['budgets', 'list', '--json']);
    expect(listed.code).toBe(0);
    const verified = await gatehouse(['budgets', 'verify']);
    expect(verified.code).toBe(0);
  });

  it('shows the cluster health and exits 0 once SERVING', async () => {
    let run = await gatehouse(['health']);
    for (let attempt = 0; attempt < 50 && run.code !== 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await gatehouse(['health']);
    }
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^cluster: SERVING/);
    expect(run.stdout).toMatch(/\nauth +grpc +SERVING +yes/);
  });

  it('decodes the stored access token and rotates the signing key', async () => {
    const decoded = await gatehouse(['token', 'decode', '--json']);
    expect(decoded.code).toBe(0);
    const { header, claims } = JSON.parse(decoded.stdout) as {
      header: Record<string, unknown>;
      claims: Record<string, unknown>;
    };
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(typeof claims.sub).toBe('string');
    const rotated = await gatehouse(['signing-keys', 'rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^New signing key \S+, signing from /);
  });

  it('logs out and forgets the credentials', async () => {
    const run = await gatehouse(['logout']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Logged out ${adminEmail}`);
    const after = await gatehouse(['users', 'list']);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('run `gatehouse login');
  });
});
