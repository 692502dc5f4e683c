import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { authV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  goodPassword,
  startAuth,
  type StartedAuth,
} from '../../../../services/auth/src/test-support/start-auth';
import {
  signInAtProvider,
  startTestOpenIdProvider,
  type TestOpenIdProvider,
} from '../../../../services/auth/src/test-support/test-openid-provider';
import { runCli } from '../cli';
import type { CliContext, Env } from '../command';
import { commands } from '../commands';

/** `gatehouse <argv>` running in this process, with its output readable while it runs. */
function startCli(argv: string[], env: Env) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const context: CliContext = {
    env,
    stdout,
    stderr,
    repoRoot: '',
    nodePath: process.execPath,
    onStopSignal: () => () => {},
  };
  const exit = runCli({ argv, commands, context });
  /** Resolves the first match of `pattern` in stderr, waiting for it to be printed. */
  const printed = async (pattern: RegExp): Promise<RegExpExecArray> => {
    for (let waited = 0; waited < 10_000; waited += 20) {
      const match = pattern.exec(err);
      if (match !== null) return match;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`not printed: ${pattern}; stderr so far: ${err}`);
  };
  return { exit, printed, stdout: () => out, stderr: () => err };
}

describe('gatehouse login --provider (loopback redirect)', () => {
  let op: TestOpenIdProvider;
  let auth: StartedAuth;
  let configHome: string;
  let env: Env;

  beforeAll(async () => {
    op = await startTestOpenIdProvider({ redirectUris: ['http://127.0.0.1/callback'] });
    op.accounts.set('lee', { email: 'lee@example.com', emailVerified: true, name: 'Lee' });
    auth = await startAuth({
      backend: 'embedded',
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: 'admin@cli-federated.test',
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: goodPassword,
        AUTH_FEDERATION_PROVIDERS: 'corp',
        AUTH_FEDERATION_CORP_ISSUER: op.issuer,
        AUTH_FEDERATION_CORP_CLIENT_ID: op.clientId,
        AUTH_FEDERATION_CORP_CLIENT_SECRET: op.clientSecret,
        AUTH_FEDERATION_REDIRECT_URIS: 'http://127.0.0.1/callback',
      },
    });
    configHome = mkdtempSync(join(tmpdir(), 'gatehouse-cli-federated-'));
    // A $BROWSER that cannot start: the command must still print the URL and wait.
    env = { XDG_CONFIG_HOME: configHome, GATEHOUSE_AUTH_ADDR: auth.address, BROWSER: '/nonexistent/browser' };
  }, 60_000);
  afterAll(async () => {
    await auth?.stop();
    await op?.stop();
    if (configHome !== undefined) rmSync(configHome, { recursive: true, force: true });
  });

  it('prints the URL, receives the redirect on 127.0.0.1, completes the login and stores the tokens', async () => {
    const cli = startCli(['login', '--provider', 'corp'], env);
    const [, url = ''] = await cli.printed(/visit:\n\n {2}(\S+)\n/);
    const [, redirectUri = ''] = await cli.printed(/redirect to (http:\/\/127\.0\.0\.1:\d+\/callback)/);
    await cli.printed(/could not open a browser: /);
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(redirectUri);
    const back = await signInAtProvider(url, 'lee', redirectUri);
    // A redirect carrying another state is refused, and the command keeps waiting for its own.
    const forged = new URL(back);
    forged.searchParams.set('state', 'not-the-state-of-this-login');
    expect((await fetch(forged)).status).toBe(400);
    const page = await fetch(back);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('You are signed in to Gatehouse.');
    expect(await cli.exit).toBe(0);
    expect(cli.stdout()).toMatch(/^Logged in as lee@example\.com with corp\. Credentials saved to /);
    const file = join(configHome, 'gatehouse', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { email: string; accessToken: string };
    expect(stored.email).toBe('lee@example.com');
    const { principal } = await auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>(
      'authenticate',
      { bearerToken: stored.accessToken, requiredScopes: [], requiredRoles: [] },
    );
    expect(principal?.email).toBe('lee@example.com');
    // The listener is gone once the login is done.
    await expect(fetch(back)).rejects.toThrow();
  });

  it('shows the refusal in the browser and the terminal, exit 1', async () => {
    const cli = startCli(['login', '--provider', 'corp', '--no-browser'], env);
    const [, url = ''] = await cli.printed(/visit:\n\n {2}(\S+)\n/);
    const [, redirectUri = ''] = await cli.printed(/redirect to (http:\/\/127\.0\.0\.1:\d+\/callback)/);
    const denied = new URL(redirectUri);
    denied.searchParams.set('state', new URL(url).searchParams.get('state') ?? '');
    denied.searchParams.set('error', 'access_denied');
    const page = await fetch(denied);
    expect(await page.text()).toContain('Sign-in failed');
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toContain(
      'gatehouse login: UNAUTHENTICATED: corp answered with an error: "access_denied"',
    );
    expect(cli.stderr()).not.toContain('could not open a browser');
  });

  it('names the field of a bad provider, and gives up after --wait', async () => {
    const unknown = startCli(['login', '--provider', 'nope', '--no-browser'], env);
    expect(await unknown.exit).toBe(1);
    expect(unknown.stderr()).toContain(
      'INVALID_ARGUMENT: provider: unknown provider "nope"; configured: corp',
    );
    const waiting = startCli(['login', '--provider', 'corp', '--no-browser', '--wait', '1'], env);
    expect(await waiting.exit).toBe(1);
    expect(waiting.stderr()).toContain(
      'gatehouse login: no sign-in came back within 1 s; run the command again',
    );
    const both = startCli(['login', '--provider', 'corp', '--email', 'a@b.c'], env);
    expect(await both.exit).toBe(2);
    expect(both.stderr()).toContain('--email and --provider cannot be used together');
  });

  it("lets an admin list and unlink a user's identities", async () => {
    const admin = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email: 'admin@cli-federated.test',
      password: goodPassword,
    });
    const asAdmin = { ...env, GATEHOUSE_TOKEN: admin.accessToken };
    const listed = startCli(['users', 'identities', 'lee@example.com'], asAdmin);
    expect(await listed.exit).toBe(0);
    const [header = '', row = ''] = listed.stdout().split('\n');
    expect(header.split(/\s+/)).toEqual([
      'PROVIDER',
      'SUBJECT',
      'EMAIL',
      'VERIFIED',
      'LINKED',
      'LAST',
      'LOGIN',
    ]);
    expect(row.split(/\s+/).slice(0, 4)).toEqual(['corp', 'lee', 'lee@example.com', 'yes']);
    const unlinked = startCli(['users', 'unlink', 'lee@example.com', 'corp', 'lee', '--json'], asAdmin);
    expect(await unlinked.exit).toBe(0);
    expect(JSON.parse(unlinked.stdout())).toMatchObject({ provider: 'corp', subject: 'lee', unlinked: true });
    const empty = startCli(['users', 'identities', 'lee@example.com', '--json'], asAdmin);
    expect(await empty.exit).toBe(0);
    expect(JSON.parse(empty.stdout())).toEqual([]);
  });
});
