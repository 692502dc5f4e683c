import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { grpcHealthV1 } from '@gatehouse/contracts';

/** A workspace's built entry point (`node <workspace>/dist/main.js`) as its own process, as operators run it. */
export interface SpawnedService {
  /** The workspace's directory name, e.g. 'rate-limit' for 'services/rate-limit'. */
  readonly name: string;
  /** 127.0.0.1:<gRPC port>, read from the process's `serving` line. */
  readonly address: string;
  /** http://127.0.0.1:<ops port> (/metrics, /readyz). */
  readonly opsUrl: string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Every complete JSON line it wrote to stdout so far, parsed. */
  logLines(): Record<string, unknown>[];
  /** Everything it wrote to stdout and stderr so far, for assertions and failure messages. */
  output(): string;
  /** SIGTERM (the service drains and flushes its spans), SIGKILL if still running after 10 s; waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would end it; waits for the exit. */
  kill(): Promise<void>;
}

export interface SpawnServiceOptions {
  /** The service's own variables; they also override the defaults spawnService sets. */
  env?: Record<string, string>;
  /** Default 0 (ephemeral). Fix it when a killed service must come back on the same address. */
  grpcPort?: number;
  /** How long to wait for the `serving` line and a SERVING health check; default 20 s. */
  startTimeoutMs?: number;
}

/**
 * Absolute path of a file of this repository, from its repository-relative path. Found from this
 * file's directory upwards (the one holding tsconfig.base.json), so it also works compiled into
 * another directory as CommonJS (test/soak).
 */
export function repoPath(relative: string): string {
  return join(repoRoot(), relative);
}

let foundRoot: string | undefined;
function repoRoot(): string {
  if (foundRoot !== undefined) return foundRoot;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.base.json'))) return (foundRoot = dir);
    if (dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}

/**
 * Starts `node <workspace>/dist/main.js` (e.g. 'services/auth', 'examples/notes') with exactly the
 * given environment plus PATH and loopback defaults. Resolves once its `serving` line names the
 * ports it bound (so ephemeral ports work) and its health check answers SERVING from this process:
 * grpc-js shares one connection per address among a process's clients, so clients of a restarted
 * service reconnect on the one this check opens instead of waiting out their reconnect backoff.
 */
export async function spawnService(
  workspace: string,
  options: SpawnServiceOptions = {},
): Promise<SpawnedService> {
  const name = workspace.slice(workspace.lastIndexOf('/') + 1);
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  const child = spawn(process.execPath, [repoPath(`${workspace}/dist/main.js`)], {
    env: {
      PATH: process.env.PATH ?? '',
      // The notes example's NOTES_GRPC_PORT / NOTES_OPS_PORT default to these two ports.
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(options.grpcPort ?? 0),
      OPS_HOST: '127.0.0.1',
      OPS_PORT: '0',
      LOG_LEVEL: 'info',
      // Shorter than the services' 10 s default, so stopping a cluster does not wait on a stuck call.
      SHUTDOWN_GRACE_MS: '2000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  let stdout = '';
  let printed = '';
  child.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
    printed += chunk;
  });
  child.stderr!.on('data', (chunk: string) => (printed += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = async () => {
    if (running()) child.kill('SIGKILL');
    await exited;
  };
  const stop = async () => {
    if (!running()) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  // The last segment may be a line still being written.
  const logLines = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  try {
    const ports = await servingLine(child, deadline);
    const address = `127.0.0.1:${ports.grpc}`;
    while ((await healthStatus(address)) !== 'SERVING') {
      if (!running()) throw new Error(`exited with ${await exited} before answering SERVING`);
      if (Date.now() > deadline) throw new Error(`no SERVING health check on ${address} in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      name,
      address,
      opsUrl: `http://127.0.0.1:${ports.ops}`,
      exited,
      logLines,
      output: () => printed,
      stop,
      kill,
    };
  } catch (error) {
    await kill();
    throw new Error(`${name} did not start: ${(error as Error).message}\n${printed}`);
  }
}

/** The ports of the first `serving` line on the child's stdout; rejects if it exits or the deadline passes first. */
function servingLine(child: ChildProcess, deadline: number): Promise<{ grpc: number; ops: number }> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const watch = (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const ports = servingPorts(line);
        if (ports === undefined) continue;
        settle();
        resolve(ports);
        return;
      }
    };
    // 'close' rather than 'exit': by then the output explaining the failure has been read.
    const closedEarly = (code: number | null, signal: NodeJS.Signals | null) => {
      settle();
      reject(new Error(`exited with ${code ?? signal} before serving`));
    };
    const timer = setTimeout(() => {
      settle();
      reject(new Error('no "serving" line in time'));
    }, deadline - Date.now());
    const settle = () => {
      clearTimeout(timer);
      child.stdout!.off('data', watch);
      child.off('close', closedEarly);
    };
    child.stdout!.on('data', watch);
    child.once('close', closedEarly);
  });
}

/** The ports of the runtime's `serving` line ({grpc_port, ops_port}), or undefined for any other line. */
function servingPorts(line: string): { grpc: number; ops: number } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const record = JSON.parse(line) as { grpc_port?: unknown; ops_port?: unknown };
    if (typeof record.grpc_port === 'number' && typeof record.ops_port === 'number') {
      return { grpc: record.grpc_port, ops: record.ops_port };
    }
  } catch {
    // Not a log record: keep reading.
  }
  return undefined;
}

/** A port free on 127.0.0.1 right now (for a process that must be restarted on the same port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** The server-wide grpc.health.v1 status at `address`, or 'DOWN' when it cannot be asked. */
export function healthStatus(address: string): Promise<string> {
  const client = new grpcHealthV1.HealthClient(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.check({ service: '' }, new Metadata(), { deadline: Date.now() + 1000 }, (error, response) => {
      client.close();
      resolve(
        error ? 'DOWN' : (grpcHealthV1.HealthCheckResponse_ServingStatus[response.status] ?? 'UNKNOWN'),
      );
    });
  });
}
