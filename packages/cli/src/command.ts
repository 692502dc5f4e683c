import type { Writable } from 'node:stream';

/** The environment the CLI was started with (process.env in production, a plain object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** An output stream the CLI writes to; `isTTY` decides whether output is coloured. */
export type OutputStream = Writable & { readonly isTTY?: boolean };

/** Everything a command may touch of the outside world, so tests can supply their own. */
export interface CliContext {
  /** The environment the CLI was started with; passed on to child processes. */
  env: Env;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Input for `--password-stdin`; absent where there is none. */
  stdin?: NodeJS.ReadableStream;
  /** Root of the Gatehouse checkout (where services/ lives), found from the CLI's own location. */
  repoRoot: string;
  /** The Node.js binary that runs child processes. */
  nodePath: string;
  /** Calls `listener` on every SIGINT/SIGTERM/SIGHUP until the returned function is called. */
  onStopSignal(listener: (signal: NodeJS.Signals) => void): () => void;
}

/** One `gatehouse <name>` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `gatehouse --help`. */
  readonly summary: string;
  /** Runs the command with the arguments after its name; resolves to the process exit status. */
  run(args: readonly string[], context: CliContext): Promise<number>;
}

/** Exit status for a command line that cannot be understood (unknown command, bad option). */
export const usageExitCode = 2;
