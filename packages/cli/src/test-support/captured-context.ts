import { PassThrough, Readable } from 'node:stream';
import type { CliContext, Env } from '../command';
import { runCli } from '../cli';
import { commands } from '../commands';

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `gatehouse <argv>` in this process with the given env (and stdin text), capturing output. */
export async function runCaptured(argv: readonly string[], env: Env, stdin?: string): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const context: CliContext = {
    env,
    stdout,
    stderr,
    stdin: stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]),
    repoRoot: '',
    nodePath: process.execPath,
    onStopSignal: () => () => {},
  };
  const code = await runCli({ argv, commands, context });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out.join(''), stderr: err.join('') };
}
