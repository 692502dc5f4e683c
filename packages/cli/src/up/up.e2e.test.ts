// End to end: the BUILT `gatehouse up` (run `npx tsc -b` first; `npm test` does) with the real services.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canConnect } from '../../../../test/support/can-connect';
import {
  upTestEnv,
  waitForOutput,
  watchProcess,
  type WatchedProcess,
} from '../../../../test/support/watched-process';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const cliPath = join(repoRoot, 'packages', 'cli', 'dist', 'main.js');
const bufPath = join(repoRoot, 'node_modules', '.bin', 'buf');
const run = promisify(execFile);

const running: WatchedProcess[] = [];
const dataDirs: string[] = [];

function startCli(args: string[], env: Record<string, string> = {}): WatchedProcess {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-up-'));
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: dataDir,
    env: upTestEnv(dataDir, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cli = watchProcess(child);
  running.push(cli);
  return cli;
}

function buf(...args: string[]): Promise<string> {
  return run(bufPath, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], {
    timeout: 15_000,
  }).then((result) => result.stdout);
}

beforeAll(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build first with \`npx tsc -b\``);
});

afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.process.exitCode === null && cli.process.signalCode === null) {
      cli.process.kill('SIGTERM');
      const stopped = await Promise.race([cli.exited, new Promise((r) => setTimeout(r, 20_000, undefined))]);
      if (stopped === undefined) cli.process.kill('SIGKILL');
    }
  }
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const expectedServices = {
  auth: 'gatehouse.auth.v1.AuthService',
  'rate-limit': 'gatehouse.ratelimit.v1.RateLimitService',
  'cost-budget': 'gatehouse.budget.v1.CostBudgetService',
  health: 'gatehouse.health.v1.HealthService',
} as const;

describe('gatehouse up (built CLI)', () => {
  it('starts all four services, serves health, reflection and ops, and stops cleanly on SIGTERM', async () => {
    const cli = startCli(['up', '--ephemeral-ports', '--timeout', '180']);
    const stdout = await waitForOutput(cli, /Press Ctrl-C to stop/, 190_000, 'gatehouse up');

    const rows = [
      ...stdout.matchAll(/^ {2}(\S+)\s+127\.0\.0\.1:(\d+)\s+http:\/\/127\.0\.0\.1:(\d+)\s+(.+)$/gm),
    ].map(([, name, grpcPort, opsPort, stores]) => ({
      name,
      grpcPort: Number(grpcPort),
      opsPort: Number(opsPort),
      stores,
    }));
    expect(rows.map((row) => row.name)).toEqual(Object.keys(expectedServices));
    expect(rows.find((row) => row.name === 'auth')?.stores).toContain('sql=pglite');
    const ports = rows.flatMap((row) => [row.grpcPort, row.opsPort]);
    expect(new Set(ports).size).toBe(8);
    // The ports in the table are the ones each service announced.
    for (const row of rows) {
      expect(stdout).toMatch(
        new RegExp(`^${row.name} +\\| .*grpc_port=${row.grpcPort} ops_port=${row.opsPort}`, 'm'),
      );
    }

    await Promise.all(
      rows.map(async ({ name, grpcPort, opsPort }) => {
        const url = `http://127.0.0.1:${grpcPort}`;
        const check = await buf('--data', '{"service":""}', `${url}/grpc.health.v1.Health/Check`);
        expect(JSON.parse(check), name).toEqual({ status: 'SERVING' });
        const fullName = expectedServices[name as keyof typeof expectedServices];
        const services = await buf('--list-services', url);
        // auth and rate-limit also serve their Envoy contracts (ext_authz, ratelimit v3) on the same port.
        const envoyServices: Record<string, string[]> = {
          auth: ['envoy.service.auth.v3.Authorization'],
          'rate-limit': ['envoy.service.ratelimit.v3.RateLimitService'],
        };
        const extra = envoyServices[name] ?? [];
        expect(services.trim().split('\n').sort(), name).toEqual(
          [fullName, 'grpc.health.v1.Health', ...extra].sort(),
        );
        const methods = await buf('--list-methods', url);
        expect(methods, `reflection of ${name}`).toContain(`${fullName}/`);

        const livez = await fetch(`http://127.0.0.1:${opsPort}/livez`);
        expect(livez.status, name).toBe(200);
        const metrics = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
        expect(await metrics.text(), name).toContain('grpc_server_handled_total');
      }),
    );

    cli.process.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.output().stdout).toMatch(/^gatehouse up: all 4 services stopped cleanly in \d+\.\d s$/m);
    expect(await Promise.all(ports.map((port) => canConnect('127.0.0.1', port)))).toEqual(
      ports.map(() => false),
    );
  }, 240_000);

  it('exits 1 naming the service and the variable when a service rejects its configuration', async () => {
    const cli = startCli(['up', '--only', 'health'], { GATEHOUSE_HEALTH_GRPC_PORT: 'abc' });
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    const { stderr } = cli.output();
    expect(stderr).toContain('gatehouse up: could not start the services');
    expect(stderr).toContain('health exited with code 78 (invalid configuration) while starting');
    expect(stderr).toContain('GRPC_PORT: must be an integer from 0 to 65535, got "abc"');
  });

  it('exits 1 when every service rejects a bad DATABASE_URL, naming each of them', async () => {
    const cli = startCli(['up', '--ephemeral-ports'], { DATABASE_URL: 'nonsense' });
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    const { stderr } = cli.output();
    expect(stderr).toMatch(
      /(auth|rate-limit|cost-budget|health) exited with code 78 \(invalid configuration\)/,
    );
    expect(stderr).toContain(
      'DATABASE_URL: must be a postgres:// or postgresql:// URL with a host, got "nonsense"',
    );
  });

  it('answers --help and rejects unknown commands and options with status 2', async () => {
    const help = await run(process.execPath, [cliPath, 'up', '--help']);
    expect(help.stdout).toContain('Usage: gatehouse up [options]');
    const top = await run(process.execPath, [cliPath, '--help']);
    expect(top.stdout).toMatch(/Commands:\n {2}up +start the Gatehouse services/);
    for (const args of [['bogus'], ['up', '--bogus']]) {
      const failed = await run(process.execPath, [cliPath, ...args]).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: gatehouse') });
    }
  });
});
