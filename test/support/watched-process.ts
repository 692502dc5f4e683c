import type { ChildProcess } from 'node:child_process';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output is kept, for tests of commands run as users run them. */
export interface WatchedProcess {
  process: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<ProcessExit>;
}

/** Keeps everything `child` writes (spawned with piped stdout and stderr) and its exit. */
export function watchProcess(child: ChildProcess): WatchedProcess {
  const text = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (text.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text.stderr += chunk.toString()));
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, output: () => text, exited };
}

/**
 * The environment for `gatehouse up` under test: the test's own without store URLs, ports or
 * colours, embedded stores in `dataDir`, loopback addresses, plain info logs, then `extra`.
 */
export function upTestEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'GRPC_PORT', 'OPS_PORT', 'FORCE_COLOR']) delete env[name];
  return {
    ...env,
    GATEHOUSE_DATA_DIR: dataDir,
    GRPC_HOST: '127.0.0.1',
    OPS_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NO_COLOR: '1',
    ...extra,
  };
}

/** Resolves with stdout once it matches `pattern`; throws with the output when it exits or time runs out. */
export async function waitForOutput(
  watched: WatchedProcess,
  pattern: RegExp,
  timeoutMs: number,
  what = 'the command',
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout, stderr } = watched.output();
    if (pattern.test(stdout)) return stdout;
    const exit = await Promise.race([
      watched.exited,
      new Promise<undefined>((resolve) => setTimeout(resolve, 100, undefined)),
    ]);
    if (exit !== undefined || Date.now() > deadline) {
      throw new Error(
        `${what} did not print ${pattern} (exit: ${JSON.stringify(exit)})\n${stdout}\n${stderr}`,
      );
    }
  }
}
