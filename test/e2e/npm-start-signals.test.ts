// `npm start` as a newcomer runs it in a terminal: npm, `gatehouse up` and its services, stopped by
// a signal to the whole process group, the way a terminal delivers Ctrl-C and systemd or
// `kill -- -PGID` deliver SIGTERM. npm forwards each signal to its child once more, so one press is
// two signals to `gatehouse up`. Runs the built code (`npm test` builds first); npm start builds too.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentials, Metadata } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect } from '../support/can-connect';
import { freePorts } from '../support/free-ports';
import { unaryCall } from '../support/grpc-call';
import { repoPath } from '../support/spawned-service';
import { upTestEnv, waitForOutput, watchProcess, type WatchedProcess } from '../support/watched-process';

const services = ['auth', 'rate-limit', 'cost-budget', 'health'] as const;
const envKeys = { auth: 'AUTH', 'rate-limit': 'RATE_LIMIT', 'cost-budget': 'COST_BUDGET', health: 'HEALTH' };
type Ports = Record<(typeof services)[number], { grpc: number; ops: number }>;

interface RunningNpm extends WatchedProcess {
  ports: Ports;
}

const running: RunningNpm[] = [];
const dataDirs: string[] = [];

async function startNpm(env: Record<string, string> = {}): Promise<RunningNpm> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-npm-start-'));
  dataDirs.push(dataDir);
  const numbers = await freePorts(services.length * 2);
  const ports = Object.fromEntries(
    services.map((name, index) => [name, { grpc: numbers[2 * index]!, ops: numbers[2 * index + 1]! }]),
  ) as Ports;
  const portEnv: Record<string, string> = {};
  for (const name of services) {
    portEnv[`GATEHOUSE_${envKeys[name]}_GRPC_PORT`] = String(ports[name].grpc);
    portEnv[`GATEHOUSE_${envKeys[name]}_OPS_PORT`] = String(ports[name].ops);
  }
  const childEnv = upTestEnv(dataDir, { ...portEnv, ...env });
  for (const key of Object.keys(childEnv)) if (key.startsWith('npm_')) delete childEnv[key];
  // Its own process group (and session), like a terminal's foreground job: -pid reaches them all.
  // A generous start timeout: on a busy 2-core machine the embedded migrations alone took 50 s.
  const child = spawn('npm', ['start', '--', '--timeout', '240'], {
    cwd: repoPath('.'),
    detached: true,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const npm = { ...watchProcess(child), ports };
  running.push(npm);
  return npm;
}

function signalGroup(npm: RunningNpm, signal: NodeJS.Signals): void {
  process.kill(-npm.process.pid!, signal);
}

const waitForNpm = (npm: RunningNpm, pattern: RegExp, timeoutMs: number) =>
  waitForOutput(npm, pattern, timeoutMs, 'npm start');

async function exitWithin(npm: RunningNpm, timeoutMs: number) {
  const exit = await Promise.race([
    npm.exited,
    new Promise<undefined>((r) => setTimeout(r, timeoutMs, undefined)),
  ]);
  if (exit === undefined) {
    const { stdout, stderr } = npm.output();
    throw new Error(`npm start did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`);
  }
  return exit;
}

/** How many Register calls auth has begun, from its /metrics. */
async function registersStarted(npm: RunningNpm): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${npm.ports.auth.ops}/metrics`);
  const line = (await response.text())
    .split('\n')
    .find((l) => l.startsWith('grpc_server_started_total{') && l.includes('grpc_method="Register"'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/**
 * Starts a Register (bcrypt at a high cost: it takes a while) and resolves once auth has begun it,
 * with the call (wrapped: an async function resolving to a promise would wait for it).
 */
async function slowRegister(npm: RunningNpm): Promise<{ call: Promise<authV1.RegisterResponse> }> {
  const client = new authV1.AuthServiceClient(
    `127.0.0.1:${npm.ports.auth.grpc}`,
    credentials.createInsecure(),
  );
  const call = unaryCall<authV1.RegisterRequest, authV1.RegisterResponse>(
    client,
    client.register,
    { email: 'drain@example.com', password: 'Corr3ct-Horse-Battery!', displayName: 'Drain' },
    new Metadata(),
  ).finally(() => client.close());
  void call.catch(() => undefined);
  const deadline = Date.now() + 10_000;
  while ((await registersStarted(npm)) < 1) {
    if (Date.now() > deadline) throw new Error('auth never began the Register call');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { call };
}

/** Pids of a process's children (the services of `gatehouse up`). */
async function childPids(pid: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=', '--ppid', String(pid)]);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

async function portsOpen(npm: RunningNpm): Promise<boolean[]> {
  const all = Object.values(npm.ports).flatMap(({ grpc, ops }) => [grpc, ops]);
  return Promise.all(all.map((port) => canConnect('127.0.0.1', port)));
}

afterEach(async () => {
  for (const npm of running.splice(0)) {
    if (npm.process.exitCode === null && npm.process.signalCode === null) {
      // The services run in sessions of their own: a group SIGKILL would leave them running.
      signalGroup(npm, 'SIGTERM');
      const stopped = await Promise.race([npm.exited, new Promise((r) => setTimeout(r, 30_000, undefined))]);
      if (stopped === undefined) signalGroup(npm, 'SIGKILL');
    }
  }
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const stoppedLine = (name: string) =>
  new RegExp(
    `^gatehouse up: ${name} stopped \\((no calls in flight|drained \\d+ calls? in \\d+ ms)\\)$`,
    'm',
  );

describe('npm start, stopped by signals to its process group', () => {
  it('one group SIGINT (Ctrl-C): every service drains, the call in flight finishes OK, exit 0', async () => {
    const npm = await startNpm({ BCRYPT_COST: '14' });
    await waitForNpm(npm, /Press Ctrl-C to stop/, 250_000);
    // Start-up says nothing alarming about peers that were still starting, then one serving line.
    await waitForNpm(npm, /^health +\| .* cluster serving: auth, rate-limit, cost-budget$/m, 15_000);
    const startup = npm.output().stdout;
    expect(startup).not.toMatch(/^health +\| .* WARN /m);
    expect(startup.match(/cluster serving/g)).toHaveLength(1);
    expect(startup).toMatch(
      /^auth +\| .* WARN {2}signing keys are encrypted with the publicly known development key/m,
    );
    expect(startup).toContain('Embedded stores: tables in embedded PGlite files (paths above)');

    const { call: register } = await slowRegister(npm);
    signalGroup(npm, 'SIGINT');
    expect(await exitWithin(npm, 60_000)).toEqual({ code: 0, signal: null });
    await expect(register).resolves.toEqual({ userId: expect.stringMatching(/^usr_/) });

    const { stdout, stderr } = npm.output();
    // The Register, and at most a health probe that happened to be in flight too.
    expect(stdout).toMatch(/^gatehouse up: auth stopped \(drained (1 call|2 calls) in \d+ ms\)$/m);
    expect(stdout).toMatch(/^auth +\| .* rpc .*method=\/gatehouse\.auth\.v1\.AuthService\/Register code=OK/m);
    for (const name of ['rate-limit', 'cost-budget', 'health']) expect(stdout).toMatch(stoppedLine(name));
    expect(stdout).toMatch(/^gatehouse up: all 4 services stopped cleanly in \d+\.\d s$/m);
    // The terminal's SIGINT and npm's forwarded copy are one stop.
    expect(stderr.match(/SIGINT received: stopping the services gracefully/g)).toHaveLength(1);
    expect(stderr).not.toMatch(/again: killing|did not stop within|not cleanly/);
    // Each service got one SIGTERM, from gatehouse up.
    for (const name of services) {
      expect(stdout.match(new RegExp(`^${name} +\\| .* signal received signal=SIGTERM$`, 'gm'))).toHaveLength(
        1,
      );
    }
    expect(await portsOpen(npm)).toEqual(Array(8).fill(false));
  }, 400_000);

  it('one group SIGTERM, also sent to each service directly (systemd): every service drains, exit 0', async () => {
    const npm = await startNpm();
    await waitForNpm(npm, /Press Ctrl-C to stop/, 250_000);
    const supervisor = (await childPids(npm.process.pid!))[0]!;
    const servicePids = await childPids(supervisor);
    expect(servicePids).toHaveLength(4);
    signalGroup(npm, 'SIGTERM');
    for (const pid of servicePids) process.kill(pid, 'SIGTERM');
    expect(await exitWithin(npm, 60_000)).toEqual({ code: 0, signal: null });

    const { stdout, stderr } = npm.output();
    for (const name of services) expect(stdout).toMatch(stoppedLine(name));
    expect(stdout).toMatch(/^gatehouse up: all 4 services stopped cleanly in \d+\.\d s$/m);
    expect(stderr.match(/SIGTERM received: stopping the services gracefully/g)).toHaveLength(1);
    expect(stderr).not.toMatch(/again: killing|did not stop within|not cleanly|not to gatehouse up/);
    expect(await portsOpen(npm)).toEqual(Array(8).fill(false));
  }, 400_000);

  it('a second group SIGINT after the window kills the services still draining, exit 130', async () => {
    // bcrypt at cost 16 keeps auth's drain busy for seconds.
    const npm = await startNpm({ BCRYPT_COST: '16', SHUTDOWN_GRACE_MS: '60000' });
    await waitForNpm(npm, /Press Ctrl-C to stop/, 250_000);
    const { call: register } = await slowRegister(npm);
    signalGroup(npm, 'SIGINT');
    // The other services are done; auth is still hashing the password of the call in flight.
    await waitForNpm(npm, /^health +\| .* stopped in_flight=/m, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1200)); // past the 1 s window
    expect(npm.output().stdout).not.toMatch(/^auth +\| .* stopped in_flight=/m);
    signalGroup(npm, 'SIGINT');
    expect(await exitWithin(npm, 30_000)).toEqual({ code: 130, signal: null });
    await expect(register).rejects.toMatchObject({ code: expect.any(Number) });

    const { stdout, stderr } = npm.output();
    expect(stderr.match(/SIGINT received: stopping the services gracefully/g)).toHaveLength(1);
    expect(stderr.match(/SIGINT again: killing the services that are still stopping/g)).toHaveLength(1);
    expect(stderr).toMatch(/^gatehouse up: auth was killed before it had finished stopping$/m);
    expect(stderr).toMatch(/^gatehouse up: killed auth on the second SIGINT; exit status 130$/m);
    for (const name of ['rate-limit', 'cost-budget', 'health']) expect(stdout).toMatch(stoppedLine(name));
    expect(stderr).not.toContain('did not stop within');
    expect(await portsOpen(npm)).toEqual(Array(8).fill(false));
  }, 400_000);
});
